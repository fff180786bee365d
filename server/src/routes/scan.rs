//! `POST /api/scan`: the checker's question «is this code valid?».

use actix_web::web;
use statuspass_shared::api::{Role, ScanRequest, ScanResponse, ScanResult};
use statuspass_shared::ScannedCode;

use crate::auth::Principal;
use crate::configuration::Disclosure;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::passes::PassLookup;

/// Checks a scanned code.
#[utoipa::path(post, path = "/api/scan", request_body = ScanRequest, responses(
    (status = 200, body = ScanResponse),
    (status = 400, body = statuspass_shared::api::ApiError, description = "malformed body"),
    (status = 401, body = statuspass_shared::api::ApiError),
    (status = 403, body = statuspass_shared::api::ApiError, description = "not staff, or no active delegation for on_behalf_of"),
    (status = 413, body = statuspass_shared::api::ApiError),
    (status = 503, body = statuspass_shared::api::ApiError),
))]
pub async fn scan(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<ScanRequest>,
) -> Result<web::Json<ScanResponse>, AppError> {
    principal.require(Role::Staff)?;
    let ScanRequest { code, on_behalf_of } = body.into_inner();
    if on_behalf_of.is_some() {
        // Organizations and delegations arrive with the ledger; until then nobody holds one.
        return Err(AppError::NoActiveDelegation);
    }
    let lookup = match state.links.classify(&code) {
        ScannedCode::Foreign => None,
        ScannedCode::Malformed => Some(PassLookup::Unknown),
        ScannedCode::Ours(id) => Some(state.passes.check(id).await?),
    };
    let response = match lookup {
        None => verdict(ScanResult::Foreign),
        Some(PassLookup::Unknown) => verdict(ScanResult::Unknown),
        Some(PassLookup::Expired) => verdict(ScanResult::Expired),
        Some(PassLookup::Live(record)) => ScanResponse {
            result: ScanResult::Valid,
            holder: match state.settings.disclosure {
                Disclosure::InitialsBirthYear => Some(record.holder()),
                Disclosure::StatusOnly => None,
            },
            status: Some(record.status),
            recorded: false,
        },
    };
    tracing::info!(result = response.result.as_str(), "scan");
    Ok(web::Json(response))
}

fn verdict(result: ScanResult) -> ScanResponse {
    ScanResponse {
        result,
        status: None,
        holder: None,
        recorded: false,
    }
}
