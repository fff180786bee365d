//! `POST /api/pass`: «Получить».

use actix_web::web;
use statuspass_shared::api::{PassResponse, Role};

use crate::auth::Principal;
use crate::error::AppError;
use crate::passes::IssueOutcome;
use crate::startup::AppState;

/// Issues (or returns the live) pass of the signed-in participant.
#[utoipa::path(post, path = "/api/pass", responses(
    (status = 200, body = PassResponse),
    (status = 401, body = statuspass_shared::api::ApiError, description = "not signed in"),
    (status = 403, body = statuspass_shared::api::ApiError, description = "account not confirmed, or not a participant"),
    (status = 503, body = statuspass_shared::api::ApiError, description = "registry or storage unavailable"),
))]
pub async fn get_pass(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<PassResponse>, AppError> {
    principal.require(Role::Participant)?;
    let user = &principal.0;
    if !user.confirmed {
        return Err(AppError::NotConfirmed);
    }
    let snils = user.snils.as_ref().ok_or(AppError::NotConfirmed)?;
    let response = match state.passes.issue(&user.subject, snils).await? {
        IssueOutcome::Issued(pass) => PassResponse::Issued {
            id: pass.id,
            link: state.links.link(&pass.id),
            expires_at: state.local_time(pass.expires_at),
        },
        IssueOutcome::NotFound => PassResponse::NotFound {
            certificate_form_url: state.settings.certificate_form_url.clone(),
        },
    };
    Ok(web::Json(response))
}
