//! Fallback for `/api/…`: a JSON 404 for unknown paths (rather than the PWA's `index.html`) and a
//! JSON 405 for a known path asked with a method it does not take.

use actix_web::{HttpRequest, HttpResponse};

use crate::error::AppError;

/// Any unmatched `/api/…` request: the path matched a route (`match_pattern`) but not its
/// method → 405, else 404.
pub async fn api_not_found(req: HttpRequest) -> Result<HttpResponse, AppError> {
    Err(match req.match_pattern() {
        Some(_) => AppError::MethodNotAllowed,
        None => AppError::NotFound,
    })
}
