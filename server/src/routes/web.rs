//! Fallback for unknown `/api/…` paths: a JSON 404 rather than the PWA's `index.html`.

use actix_web::HttpResponse;

use crate::error::AppError;

/// Any unknown `/api/…` path.
pub async fn api_not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}
