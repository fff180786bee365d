//! The built PWA as the server sends it: precompressed variants chosen by `Accept-Encoding`,
//! `Vary` on every answer of a file that has them, the file itself to a client that takes
//! neither, revalidation by the variant's own `ETag`.

use std::io::{Read, Write};
use std::path::Path;

use crate::helpers::{spawn_app_with, Backend, TestApp};

const APP_JS: &str = "/app-0123456789abcdef.js";

fn write_build(dir: &Path) -> (String, String) {
    let js: String = (0..3000)
        .map(|i| format!("export const v{i} = {i};\n"))
        .collect();
    let html = format!(
        "<!doctype html><html lang=\"ru\"><title>statuspass</title><body>{}</body></html>",
        "<p>Получить</p>".repeat(200)
    );
    for (name, text) in [("app-0123456789abcdef.js", &js), ("index.html", &html)] {
        std::fs::write(dir.join(name), text).unwrap();
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 11, 22);
            w.write_all(text.as_bytes()).unwrap();
        }
        std::fs::write(dir.join(format!("{name}.br")), br).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(text.as_bytes()).unwrap();
        std::fs::write(dir.join(format!("{name}.gz")), gz.finish().unwrap()).unwrap();
    }
    std::fs::write(dir.join("icon.png"), [0x89, b'P', b'N', b'G']).unwrap();
    (js, html)
}

async fn app_with_build() -> (TestApp, tempfile::TempDir, String, String) {
    let web = tempfile::tempdir().unwrap();
    let (js, html) = write_build(web.path());
    let dir = web.path().to_path_buf();
    let app = spawn_app_with(Backend::Sqlite, move |s| s.web_dir = dir).await;
    (app, web, js, html)
}

async fn get(app: &TestApp, path: &str, accept: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url(path));
    if let Some(a) = accept {
        req = req.header("accept-encoding", a);
    }
    req.send().await.unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers()
        .get(name)
        .map_or("", |v| v.to_str().unwrap_or(""))
}

fn unbrotli(bytes: &[u8]) -> String {
    let mut out = String::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_string(&mut out)
        .unwrap();
    out
}

fn ungzip(bytes: &[u8]) -> String {
    let mut out = String::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_string(&mut out)
        .unwrap();
    out
}

#[tokio::test]
async fn brotli_then_gzip_then_the_file_itself_by_accept_encoding() {
    let (app, _web, js, _) = app_with_build().await;

    let r = get(&app, APP_JS, Some("gzip, deflate, br, zstd")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-encoding"), "br");
    assert_eq!(header(&r, "vary"), "accept-encoding");
    assert!(
        header(&r, "content-type").contains("javascript"),
        "{}",
        header(&r, "content-type")
    );
    assert!(
        header(&r, "cache-control").contains("immutable"),
        "hashed name: kept a year"
    );
    assert!(!header(&r, "content-security-policy").is_empty());
    assert_eq!(unbrotli(&r.bytes().await.unwrap()), js);

    let r = get(&app, APP_JS, Some("gzip")).await;
    assert_eq!(header(&r, "content-encoding"), "gzip");
    assert_eq!(header(&r, "vary"), "accept-encoding");
    assert_eq!(ungzip(&r.bytes().await.unwrap()), js);

    let r = get(&app, APP_JS, Some("br;q=0, gzip;q=0")).await;
    assert_eq!(header(&r, "content-encoding"), "");
    assert_eq!(
        header(&r, "vary"),
        "accept-encoding",
        "the identity answer varies too"
    );
    assert_eq!(r.text().await.unwrap(), js);

    let r = get(&app, APP_JS, None).await;
    assert_eq!(header(&r, "content-encoding"), "");
    assert_eq!(r.text().await.unwrap(), js);
}

#[tokio::test]
async fn deep_links_get_the_compressed_page_with_its_policy() {
    let (app, _web, _, html) = app_with_build().await;
    for path in ["/", "/scan", "/org"] {
        let r = get(&app, path, Some("br")).await;
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "content-encoding"), "br", "{path}");
        assert!(
            header(&r, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(header(&r, "cache-control"), "no-cache", "{path}");
        assert!(
            header(&r, "content-security-policy").contains("script-src"),
            "{path}"
        );
        assert_eq!(unbrotli(&r.bytes().await.unwrap()), html, "{path}");
    }
}

#[tokio::test]
async fn a_variant_revalidates_by_its_own_etag() {
    let (app, _web, _, _) = app_with_build().await;
    let first = get(&app, APP_JS, Some("br")).await;
    let etag = header(&first, "etag").to_owned();
    assert!(!etag.is_empty());
    let again = app
        .client
        .get(app.url(APP_JS))
        .header("accept-encoding", "br")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    let gzip = get(&app, APP_JS, Some("gzip")).await;
    assert_ne!(
        header(&gzip, "etag"),
        etag,
        "another representation, another tag"
    );
}

#[tokio::test]
async fn files_without_variants_and_missing_files_are_as_before() {
    let (app, _web, _, _) = app_with_build().await;
    let r = get(&app, "/icon.png", Some("br, gzip")).await;
    assert_eq!(r.status(), 200);
    assert_ne!(header(&r, "content-encoding"), "br");
    let r = get(&app, "/missing-0123456789abcdef.js", Some("br")).await;
    assert_eq!(r.status(), 404);
    let r = get(&app, "/../index.html", Some("br")).await;
    assert_ne!(r.status(), 500);
    // The API is not the build's: JSON, never stored.
    let r = get(&app, "/api/me", Some("br")).await;
    assert_eq!(header(&r, "cache-control"), "no-store");
}

#[tokio::test]
async fn the_document_policies_go_with_pages_and_scripts_only() {
    let (app, _web, _, _) = app_with_build().await;
    for path in ["/", APP_JS] {
        let r = get(&app, path, Some("br")).await;
        assert_eq!(r.status(), 200, "{path}");
        for name in [
            "content-security-policy",
            "permissions-policy",
            "cross-origin-opener-policy",
        ] {
            assert!(!header(&r, name).is_empty(), "{path}: {name}");
        }
    }
    // An image runs nothing: the page's policy governs it; it keeps the small generic headers.
    let r = get(&app, "/icon.png", Some("br")).await;
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "content-type"), "image/png");
    for name in [
        "content-security-policy",
        "permissions-policy",
        "cross-origin-opener-policy",
    ] {
        assert_eq!(header(&r, name), "", "{name}");
    }
    assert_eq!(header(&r, "x-content-type-options"), "nosniff");
}
