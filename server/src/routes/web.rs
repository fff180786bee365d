//! Fallbacks for `/api/…`: a JSON 404 for unknown paths (rather than the PWA's `index.html`)
//! and a JSON 405 with `Allow` for a known path asked with a method it does not take.

use actix_web::{HttpResponse, ResponseError};

use crate::error::AppError;

/// Any `/api/…` path no route has.
pub async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// A known path with a method it does not take: 405 with the methods it does take.
pub async fn method_not_allowed(allow: &'static str) -> HttpResponse {
    let mut response = AppError::MethodNotAllowed.error_response();
    response.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_static(allow),
    );
    response
}
