//! `POST /api/scan`: the checker's question «is this code valid?».
//!
//! What the checker sees of a valid pass (SPEC §7, §12): a «Цифровой ID» status alone (its
//! title, no initials, no birth year); an СВО status with the registry's status text and, unless
//! the service discloses the status only, the bearer's initials and birth year.

use actix_web::web;
use statuspass_shared::api::{Role, ScanRequest, ScanResponse, ScanResult};
use statuspass_shared::{ScannedCode, StatusKind};

use crate::auth::Principal;
use crate::error::AppError;
use crate::passes::{disclosed, Verdict};
use crate::startup::AppState;
use crate::store::{ledger, organizations};
use statuspass_shared::api::POWER_DELEGATE_SCAN;

/// Checks a scanned code.
#[utoipa::path(post, path = "/api/scan", request_body = ScanRequest, responses(
    (status = 200, body = ScanResponse, description = "`result`: valid / unknown / expired / foreign / stale (a dynamic pass with an old, far-future or missing rotating part)"),
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
    let found = match state.links.classify(&code) {
        ScannedCode::Foreign => None,
        ScannedCode::Malformed => Some(Verdict::Unknown),
        ScannedCode::Ours { id, fragment } => Some(state.passes.check(id, fragment).await?),
    };
    let response = match found {
        None => verdict(ScanResult::Foreign),
        Some(Verdict::Unknown) => verdict(ScanResult::Unknown),
        Some(Verdict::Expired) => verdict(ScanResult::Expired),
        Some(Verdict::Stale) => verdict(ScanResult::Stale),
        Some(Verdict::Valid(data)) => {
            let (status, holder) = disclosed(&data, state.settings.disclosure);
            ScanResponse {
                result: ScanResult::Valid,
                status: Some(status),
                holder,
                recorded: match &on_behalf_of {
                    Some(ogrn) => record_scan(&state, ogrn, data.kind).await,
                    None => false,
                },
                status_kind: Some(data.kind),
            }
        }
    };
    tracing::info!(result = response.result.as_str(), "scan");
    Ok(web::Json(response))
}

/// Writes the ledger row; a failure is logged and reported as not recorded, the verdict stands.
async fn record_scan(state: &AppState, ogrn: &statuspass_shared::Ogrn, kind: StatusKind) -> bool {
    match ledger::record(&state.db, ogrn, kind, state.clock.now()).await {
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
        status_kind: None,
    }
}
