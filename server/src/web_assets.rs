//! Serves the built PWA (`web_dir`, Trunk's `dist/`).
//!
//! - Files as they are; deep links (`/scan`, `/org`: a path whose last segment has no `.`)
//!   fall back to `index.html`; a missing file (`/x.js`) is a 404, never the HTML page.
//! - `Cache-Control`: Trunk's hashed assets (`name-<16 hex>.ext`) are immutable for a year;
//!   everything else (`index.html`, `sw.js`, the manifest, the unhashed worker files) is
//!   revalidated on every load, so a new deploy is picked up at once; icons keep a day.
//! - Security headers on every response of the app that can run as a document or a worker
//!   (HTML, scripts, SVG; not wasm, CSS, PNG, the manifest): a Content-Security-Policy that
//!   allows the app's own scripts, WebAssembly (`'wasm-unsafe-eval'`), the decode worker and
//!   camera streams, and no inline script except the ones `index.html` carries, allowed by
//!   their SHA-256 (computed from the served file, so a rebuilt `dist/` needs no restart);
//!   `Permissions-Policy` keeps the camera for this origin only.
//!
//! - Precompressed brotli / gzip variants written by the build are sent to clients that take
//!   them ([`precompressed`]), with `Vary: Accept-Encoding`.
//!
//! `/api/…` never reaches this: the API scope answers unknown paths with a JSON 404.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use actix_files::{Files, NamedFile};
use actix_web::body::MessageBody;
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{
    self, CacheControl, CacheDirective, HeaderName, HeaderValue, TryIntoHeaderValue,
};
use actix_web::middleware::{from_fn, Next};
use actix_web::web::{self, ServiceConfig};
use actix_web::HttpResponse;
use sha2::{Digest, Sha256};

mod precompressed;

/// Mounts the PWA at `/` if `web_dir` holds a build; otherwise logs how to make one.
pub fn configure(cfg: &mut ServiceConfig, web_dir: &Path) {
    if !web_dir.join("index.html").is_file() {
        tracing::warn!(dir = %web_dir.display(), "no PWA build found; run `trunk build --release`");
        return;
    }
    let policy = web::Data::new(PolicyCache::new(web_dir.join("index.html")));
    let index = web_dir.join("index.html");
    cfg.service(
        web::scope("")
            .app_data(policy)
            .app_data(web::Data::new(precompressed::Variants::new(web_dir)))
            .wrap(from_fn(precompressed::serve))
            .wrap(from_fn(asset_headers))
            .service(
                Files::new("/", web_dir)
                    .index_file("index.html")
                    .prefer_utf8(true)
                    .use_etag(true)
                    .use_last_modified(true)
                    .default_handler(fn_service(move |req: ServiceRequest| {
                        let index = index.clone();
                        async move { spa_fallback(req, index).await }
                    })),
            ),
    );
}

/// Unknown path: `index.html` for a deep link of the app, 404 for anything that looks like a
/// file.
async fn spa_fallback(req: ServiceRequest, index: PathBuf) -> actix_web::Result<ServiceResponse> {
    let (req, _) = req.into_parts();
    let last = req.path().rsplit('/').next().unwrap_or_default();
    if last.contains('.') {
        let res = HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("Not found");
        return Ok(ServiceResponse::new(req, res));
    }
    let file = NamedFile::open_async(&index).await?;
    let res = file.into_response(&req);
    Ok(ServiceResponse::new(req, res))
}

/// Adds `Cache-Control` and the security headers to every response of the app.
async fn asset_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> actix_web::Result<ServiceResponse<impl MessageBody>> {
    let policy = req.app_data::<web::Data<PolicyCache>>().cloned();
    let path = PathBuf::from(req.path());
    let mut res = next.call(req).await?;
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let cache = if !res.status().is_success()
        && res.status() != actix_web::http::StatusCode::NOT_MODIFIED
    {
        CacheControl(vec![CacheDirective::NoStore])
    } else if is_html {
        CacheControl(vec![CacheDirective::NoCache])
    } else {
        cache_control_for(&path)
    };
    let active = is_html || runs_as_document(res.headers().get(header::CONTENT_TYPE));
    let headers = res.headers_mut();
    if let Ok(v) = cache.try_into_value() {
        headers.insert(header::CACHE_CONTROL, v);
    }
    if active {
        let csp = match (&policy, is_html) {
            (Some(p), true) => p.html_policy(),
            _ => content_security_policy(&[]),
        };
        if let Ok(v) = HeaderValue::from_str(&csp) {
            headers.insert(header::CONTENT_SECURITY_POLICY, v);
        }
        headers.insert(
            HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=()"),
        );
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    Ok(res)
}

/// Whether a response of this type can run as a document or a worker, where the policy
/// headers take effect: HTML, scripts (a worker's policy is its script's), SVG and other XML,
/// and anything untyped. WebAssembly, CSS, PNG and the manifest are only ever loaded by a
/// page (whose own policy governs them), so they go without the ~550 bytes, which a phone
/// would otherwise download with each of the build's files.
fn runs_as_document(content_type: Option<&HeaderValue>) -> bool {
    let Some(ct) = content_type.and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let passive = [
        "application/wasm",
        "text/css",
        "image/png",
        "application/manifest+json",
    ];
    !passive.iter().any(|p| ct.starts_with(p))
}

/// The `Cache-Control` a static file gets, by its URL path.
pub fn cache_control_for(path: &Path) -> CacheControl {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if is_hashed(name) {
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ])
    } else if path.starts_with("/icons") && name.ends_with(".png") {
        CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(86_400)])
    } else {
        // index.html, sw.js, the manifest, the worker's files (their names carry no hash).
        CacheControl(vec![CacheDirective::NoCache])
    }
}

/// Trunk names assets `name-<16 hex>.ext` (also `name-<16 hex>_bg.wasm`).
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-')
        // Trunk writes its 64-bit hash as hex without zero padding: usually 16 digits, 15 one
        // time in 16, fewer rarely. Short all-hex suffixes (`icon-192`) are not hashes.
        .is_some_and(|(_, h)| {
            (12..=16).contains(&h.len()) && h.chars().all(|c| c.is_ascii_hexdigit())
        })
}

/// The policy, with `'sha256-…'` sources for the allowed inline scripts.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut script_src = String::from("'self' 'wasm-unsafe-eval'");
    for h in script_hashes {
        script_src.push_str(&format!(" 'sha256-{h}'"));
    }
    format!(
        "default-src 'self'; script-src {script_src}; worker-src 'self'; connect-src 'self'; \
         img-src 'self' data: blob:; media-src 'self' blob: mediastream:; style-src 'self'; \
         font-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Base64 SHA-256 of the contents of every inline `<script>` (one without `src`).
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut hashes = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script").map(|i| at + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        let tag = &lower[start + "<script".len()..tag_end];
        let has_src = tag
            .split(|c: char| c.is_ascii_whitespace())
            .any(|attr| attr == "src" || attr.starts_with("src="));
        if !has_src {
            let body = &html[tag_end + 1..close];
            hashes.push(base64(&Sha256::digest(body.as_bytes())));
        }
        at = close;
    }
    hashes
}

/// Caches the HTML policy per version (mtime and size) of `index.html`.
struct PolicyCache {
    index: PathBuf,
    cached: Mutex<Option<CachedPolicy>>,
}

struct CachedPolicy {
    stamp: (Option<SystemTime>, u64),
    policy: Arc<str>,
}

impl PolicyCache {
    fn new(index: PathBuf) -> Self {
        Self {
            index,
            cached: Mutex::new(None),
        }
    }

    fn html_policy(&self) -> String {
        let meta = std::fs::metadata(&self.index).ok();
        let stamp = (
            meta.as_ref().and_then(|m| m.modified().ok()),
            meta.as_ref().map_or(0, |m| m.len()),
        );
        let Ok(mut slot) = self.cached.lock() else {
            return self.compute();
        };
        if let Some(cached) = slot.as_ref().filter(|c| c.stamp == stamp) {
            return cached.policy.to_string();
        }
        let policy = self.compute();
        *slot = Some(CachedPolicy {
            stamp,
            policy: Arc::from(policy.as_str()),
        });
        policy
    }

    fn compute(&self) -> String {
        let html = std::fs::read_to_string(&self.index).unwrap_or_default();
        content_security_policy(&inline_script_hashes(&html))
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashed_names_are_recognized() {
        assert!(is_hashed("statuspass-frontend-3f5de999e6737341.js"));
        assert!(is_hashed("statuspass-frontend-3f5de999e6737341_bg.wasm"));
        assert!(is_hashed("style-f2f2df94f143cbec.css"));
        assert!(
            is_hashed("statuspass-frontend-175ee84625b95b1_bg.wasm"),
            "15 digits"
        );
        assert!(!is_hashed("icon-192.png"));
        assert!(!is_hashed("decode-worker_bg.wasm"));
        assert!(!is_hashed("sw.js"));
        assert!(!is_hashed("index.html"));
    }

    #[test]
    fn only_hashed_assets_are_cached_for_long() {
        let long = cache_control_for(Path::new("/app-3f5de999e6737341_bg.wasm")).to_string();
        assert!(
            long.contains("immutable") && long.contains("31536000"),
            "{long}"
        );
        for p in [
            "/sw.js",
            "/index.html",
            "/decode-worker.js",
            "/manifest.webmanifest",
        ] {
            assert_eq!(
                cache_control_for(Path::new(p)).to_string(),
                "no-cache",
                "{p}"
            );
        }
    }

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<script src="/a.js"></script><SCRIPT type=module>alert(1)</SCRIPT>"#;
        // echo -n 'alert(1)' | openssl dgst -sha256 -binary | base64
        assert_eq!(
            inline_script_hashes(html),
            vec!["bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI=".to_owned()]
        );
    }

    #[test]
    fn base64_pads() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foob"), "Zm9vYg==");
    }

    #[test]
    fn policy_allows_wasm_and_the_worker_but_no_inline_script_by_default() {
        let p = content_security_policy(&[]);
        assert!(p.contains("'wasm-unsafe-eval'"));
        assert!(p.contains("worker-src 'self'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
