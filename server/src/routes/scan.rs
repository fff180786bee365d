//! `POST /api/scan`: the checker's question «is this code valid?».

use actix_web::web;
use statuspass_shared::api::{Role, ScanRequest, ScanResponse, ScanResult};
use statuspass_shared::ScannedCode;

use crate::auth::Principal;
use crate::configuration::Disclosure;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::passes::PassLookup;
use crate::store::{ledger, organizations};
use statuspass_shared::api::POWER_DELEGATE_SCAN;

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
    if let Some(ogrn) = &on_behalf_of {
        // Checked at this moment: a delegation revoked a second ago no longer counts.
        let subject = &principal.0.subject;
        let now = state.clock.now();
        if !organizations::has_active_delegation(&state.db, ogrn, subject, POWER_DELEGATE_SCAN, now)
            .await?
        {
            return Err(AppError::NoActiveDelegation);
        }
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
            recorded: match &on_behalf_of {
                Some(ogrn) => record_scan(&state, ogrn).await,
                None => false,
            },
        },
    };
    tracing::info!(result = response.result.as_str(), "scan");
    Ok(web::Json(response))
}

/// Writes the ledger row; a failure is logged and reported as not recorded, the verdict stands.
async fn record_scan(state: &AppState, ogrn: &statuspass_shared::Ogrn) -> bool {
    match ledger::record(&state.db, ogrn, state.clock.now()).await {
        Ok(_) => true,
        Err(e) => {
            tracing::error!(error = %e, "ledger write failed; scan not recorded");
            false
        }
    }
}

fn verdict(result: ScanResult) -> ScanResponse {
    ScanResponse {
        result,
        status: None,
        holder: None,
        recorded: false,
    }
}
