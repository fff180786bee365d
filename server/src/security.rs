//! Request guards and response headers every route shares:
//! - state-changing calls (`POST`, `PUT`, `DELETE`, …) from another site are refused (403
//!   `cross_site_request`): the browser says so in `Sec-Fetch-Site`, or its `Origin` is not this
//!   service's. The session cookie is `SameSite=Lax`, which already keeps it off cross-site
//!   POSTs; this also covers old browsers and same-site sibling hosts;
//! - API answers are never cached (`Cache-Control: no-store`: they carry names and pass ids);
//! - behind HTTPS, `Strict-Transport-Security`.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web;

use crate::error::AppError;
use crate::startup::AppState;

/// HSTS for a year, subdomains included.
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// The guards and headers above, as one `from_fn` middleware.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let https = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|s| s.settings.public_url().starts_with("https://"));
    if is_cross_site_write(&req) {
        tracing::info!("cross-site request refused");
        return Err(AppError::CrossSite.into());
    }
    let api = req.path().starts_with("/api/");
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    Ok(res)
}

/// A state-changing request the browser made for another site.
fn is_cross_site_write(req: &ServiceRequest) -> bool {
    if matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return false;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if matches!(fetch_site, Some("cross-site" | "same-site")) {
        return true;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        // Not sent by a browser (curl, the tests' clients, server-to-server): nothing to check.
        return false;
    };
    let info = req.connection_info();
    let own = format!("{}://{}", info.scheme(), info.host());
    let public = req
        .app_data::<web::Data<AppState>>()
        .and_then(|s| origin_of(s.links.public_url()));
    let origin = origin.to_str().unwrap_or("null");
    !(origin.eq_ignore_ascii_case(&own) || public.is_some_and(|p| origin.eq_ignore_ascii_case(&p)))
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    Some(u.origin().ascii_serialization())
}

/// The request deadline (`STATUSPASS_REQUEST_DEADLINE_MS`) on every `/api/` call: when the
/// handler has not answered in time, its future is dropped — an open transaction is rolled
/// back, so nothing is written for an answer the client never gets — and the answer is 503
/// `deadline_exceeded` with `Retry-After`.
pub async fn deadline(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<actix_web::body::BoxBody>, actix_web::Error> {
    let limit = req
        .app_data::<web::Data<AppState>>()
        .map(|s| std::time::Duration::from_millis(s.settings.request_deadline_ms))
        .filter(|_| req.path().starts_with("/api/"));
    let Some(limit) = limit else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    match tokio::time::timeout(limit, next.call(req)).await {
        Ok(answer) => answer.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            tracing::warn!(
                limit_ms = limit.as_millis() as u64,
                "request deadline exceeded"
            );
            // Answered by the error's own response (`error.rs`): 503 with Retry-After.
            Err(AppError::DeadlineExceeded.into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_origin_of_a_public_url_drops_its_path() {
        assert_eq!(
            origin_of("https://pass.example.ru/sp").as_deref(),
            Some("https://pass.example.ru")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8080").as_deref(),
            Some("http://127.0.0.1:8080")
        );
    }
}
