//! Serves the built PWA (`web_dir`, Trunk's `dist/`): files as they are, deep links fall back to
//! `index.html`. `index.html` and `sw.js` must be revalidated on every load (so a new deploy is
//! picked up); Trunk's hashed assets never change and are cached for a year.

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{fn_service, ServiceRequest, ServiceResponse};
use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::web::ServiceConfig;

/// Mounts the PWA at `/` if `web_dir` holds a build; otherwise logs how to make one.
pub fn configure(cfg: &mut ServiceConfig, web_dir: &Path) {
    if !web_dir.join("index.html").is_file() {
        tracing::warn!(dir = %web_dir.display(), "no PWA build found; run `trunk build --release`");
        return;
    }
    let index = web_dir.join("index.html");
    cfg.service(
        Files::new("/", web_dir)
            .index_file("index.html")
            .prefer_utf8(true)
            .default_handler(fn_service(move |req: ServiceRequest| {
                let index = index.clone();
                async move {
                    let (req, _) = req.into_parts();
                    let file = NamedFile::open_async(&index).await?;
                    let mut res = file.into_response(&req);
                    res.headers_mut().insert(
                        actix_web::http::header::CACHE_CONTROL,
                        actix_web::http::header::HeaderValue::from_static("no-cache"),
                    );
                    Ok(ServiceResponse::new(req, res))
                }
            })),
    );
}

/// The `Cache-Control` a static file gets, by name.
pub fn cache_control_for(path: &Path) -> CacheControl {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if name == "index.html" || name == "sw.js" || name.ends_with(".webmanifest") {
        CacheControl(vec![CacheDirective::NoCache])
    } else if is_hashed(name) {
        CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(31_536_000),
            CacheDirective::Extension("immutable".into(), None),
        ])
    } else {
        CacheControl(vec![CacheDirective::Public, CacheDirective::MaxAge(3600)])
    }
}

/// Trunk names assets `name-<16 hex>.ext`.
fn is_hashed(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or_default();
    stem.rsplit_once('-')
        .is_some_and(|(_, h)| h.len() == 16 && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Unused path type kept for future asset listings.
pub type WebDir = PathBuf;
