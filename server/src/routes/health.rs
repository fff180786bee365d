//! Liveness and deployment facts.

use actix_web::{web, HttpResponse};
use statuspass_shared::api::ClientConfig;

use crate::error::AppError;
use crate::startup::AppState;

/// `GET /healthz`: 200 when the database and the pass store answer, 503 otherwise.
#[utoipa::path(get, path = "/healthz", responses((status = 200), (status = 503, body = statuspass_shared::api::ApiError)))]
pub async fn healthz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    state
        .db
        .ping()
        .await
        .map_err(AppError::StorageUnavailable)?;
    state
        .passes
        .store()
        .ping()
        .await
        .map_err(|e| AppError::StorageUnavailable(e.into()))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ok" })))
}

/// `GET /api/config`: what the PWA needs to know about this deployment.
#[utoipa::path(get, path = "/api/config", responses((status = 200, body = ClientConfig)))]
pub async fn client_config(state: web::Data<AppState>) -> web::Json<ClientConfig> {
    web::Json(ClientConfig {
        public_url: state.links.public_url().to_owned(),
        alias_origins: state.links.origins()[1..].to_vec(),
        pass_ttl_secs: state.settings.pass_ttl_secs,
        demo_auth: state.demo.is_some(),
        sign_in_provider: state.sign_in.as_ref().map(|p| p.display_name().to_owned()),
    })
}
