//! Precompressed variants of the built files: `app.wasm.br` and `app.wasm.gz`, written beside
//! `app.wasm` by the build (`tools/src/bin/precompress.rs`, run by the Trunk post-build hook),
//! are sent as they are (`Content-Encoding: br` / `gzip`) to a client whose `Accept-Encoding`
//! takes them: brotli first, then gzip, then the file itself. Deep links get the variants of
//! `index.html`, as they get `index.html`.
//!
//! Every answer for a file that has variants carries `Vary: Accept-Encoding`, the identity one
//! too, so a shared cache never hands brotli to a client that did not ask for it. A file
//! without variants (icons, files too small to gain) goes on to `actix-files` and the app's
//! on-the-fly `Compress`.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, ContentEncoding, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

/// The directory whose variants are served (the PWA build).
pub struct Variants {
    dir: PathBuf,
}

/// A variant chosen for a request.
struct Chosen {
    file: PathBuf,
    encoding: ContentEncoding,
    /// The extension of the file the variant encodes (its `Content-Type`).
    extension: String,
}

impl Variants {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// The built file a request path names, relative to the build: `index.html` for `/` and
    /// for deep links. `None` for anything that is not a plain path inside the build (escapes,
    /// percent-encoding: those go to `actix-files`, which knows how to refuse them).
    fn relative_file(path: &str) -> Option<PathBuf> {
        if path.contains(['%', '\\', '\0']) {
            return None;
        }
        let trimmed = path.strip_prefix('/')?;
        let segments: Vec<&str> = trimmed.split('/').collect();
        let (last, dirs) = segments.split_last()?;
        if dirs.iter().any(|s| s.is_empty() || *s == "." || *s == "..") || *last == ".." {
            return None;
        }
        if !last.contains('.') {
            return Some(PathBuf::from("index.html"));
        }
        if last.starts_with('.') {
            return None;
        }
        Some(segments.iter().collect())
    }

    /// The variants that exist for the file, best first.
    fn existing(&self, relative: &Path) -> Vec<(ContentEncoding, PathBuf)> {
        [
            (ContentEncoding::Brotli, "br"),
            (ContentEncoding::Gzip, "gz"),
        ]
        .into_iter()
        .filter_map(|(encoding, suffix)| {
            let mut name = self.dir.join(relative).into_os_string();
            name.push(".");
            name.push(suffix);
            let file = PathBuf::from(name);
            file.is_file().then_some((encoding, file))
        })
        .collect()
    }
}

/// Whether an `Accept-Encoding` value takes `coding` (an explicit `q=0` refuses it; `*`
/// stands for any coding not named).
fn accepts(accept_encoding: &str, coding: &str) -> bool {
    let mut named = None;
    let mut any = None;
    for item in accept_encoding.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|p| {
                let (key, value) = p.split_once('=')?;
                key.trim()
                    .eq_ignore_ascii_case("q")
                    .then(|| value.trim().parse::<f32>().unwrap_or(0.0))
            })
            .next()
            .unwrap_or(1.0);
        let same = name.eq_ignore_ascii_case(coding)
            || (coding == "gzip" && name.eq_ignore_ascii_case("x-gzip"));
        if same {
            named = Some(q > 0.0);
        } else if name == "*" {
            any = Some(q > 0.0);
        }
    }
    named.or(any).unwrap_or(false)
}

/// Middleware: answers with a precompressed variant where there is one the client takes;
/// otherwise passes the request on and marks the answer `Vary: Accept-Encoding` if the file
/// has variants.
pub async fn serve(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> actix_web::Result<ServiceResponse<EitherBody<actix_web::body::BoxBody, impl MessageBody>>> {
    let found = req
        .app_data::<web::Data<Variants>>()
        .filter(|_| matches!(*req.method(), Method::GET | Method::HEAD))
        .and_then(|v| {
            let relative = Variants::relative_file(req.path())?;
            let existing = v.existing(&relative);
            (!existing.is_empty()).then_some((relative, existing))
        });
    let Some((relative, existing)) = found else {
        return Ok(next.call(req).await?.map_into_right_body());
    };
    let accept = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let chosen = existing
        .into_iter()
        .find(|(encoding, _)| accepts(&accept, encoding.as_str()))
        .map(|(encoding, file)| Chosen {
            file,
            encoding,
            extension: relative
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default()
                .to_owned(),
        });
    // None taken, or removed between the check and the open (a rebuild): the file itself.
    let opened = match chosen {
        Some(chosen) => NamedFile::open_async(&chosen.file)
            .await
            .ok()
            .map(|file| (file, chosen)),
        None => None,
    };
    let mut res = match opened {
        Some((file, chosen)) => {
            let file = file
                .set_content_type(actix_files::file_extension_to_mime(&chosen.extension))
                .set_content_encoding(chosen.encoding)
                .disable_content_disposition()
                .prefer_utf8(true)
                .use_etag(true)
                .use_last_modified(true);
            let (http_req, _) = req.into_parts();
            let res = file.into_response(&http_req);
            ServiceResponse::new(http_req, res).map_into_left_body()
        }
        None => next.call(req).await?.map_into_right_body(),
    };
    res.headers_mut()
        .insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_map_to_built_files_or_to_nothing() {
        let f = |p: &str| Variants::relative_file(p).map(|p| p.display().to_string());
        assert_eq!(f("/").as_deref(), Some("index.html"));
        assert_eq!(f("/scan").as_deref(), Some("index.html"));
        assert_eq!(f("/org/").as_deref(), Some("index.html"));
        assert_eq!(f("/app-0123_bg.wasm").as_deref(), Some("app-0123_bg.wasm"));
        assert_eq!(
            f("/icons/icon-192.png").as_deref(),
            Some("icons/icon-192.png")
        );
        for escaping in [
            "/../secret.txt",
            "/a/../../b.js",
            "/%2e%2e/x.js",
            "//etc/passwd.js",
            "/.env",
            "/a\\..\\b.js",
            "/./x.js",
        ] {
            assert_eq!(f(escaping), None, "{escaping}");
        }
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip, deflate, br, zstd", "gzip"));
        assert!(!accepts("gzip, deflate", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(accepts("BR;Q=0.5", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*;q=0", "gzip"));
        assert!(!accepts("*, br;q=0", "br"), "the named coding wins over *");
        assert!(accepts("x-gzip", "gzip"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "gzip"));
    }
}
