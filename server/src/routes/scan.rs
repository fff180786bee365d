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
    let ScanRequest {
        code,
        on_behalf_of,
        event_id,
    } = body.into_inner();
    if event_id.is_some_and(|e| e.get_version_num() != 4) {
        return Err(AppError::bad_request(
            "invalid_event_id",
            "Номер проверки (event_id) должен быть UUID версии 4",
        ));
    }
    // The organization's retry-safe scan: only with both.
    let event = on_behalf_of.clone().zip(event_id);
    // The delegation (checked at this moment: one revoked a second ago no longer counts) and
    // the pass are looked up at once; without the delegation the verdict is not told.
    let delegated = async {
        match &on_behalf_of {
            Some(ogrn) => {
                let subject = &principal.0.subject;
                let now = state.clock.now();
                organizations::has_active_delegation(
                    &state.db,
                    ogrn,
                    subject,
                    POWER_DELEGATE_SCAN,
                    now,
                )
                .await
            }
            None => Ok(true),
        }
    };
    // A retry is told by the event id's conflict when its verdict is recorded below; its
    // answer is then the verdict first given (the pass may have expired since).
    let found = async {
        match state.links.classify(&code) {
            ScannedCode::Foreign => Ok(None),
            ScannedCode::Malformed => Ok(Some(Verdict::Unknown)),
            ScannedCode::Ours { id, fragment } => state.passes.check(id, fragment).await.map(Some),
        }
    };
    let (delegated, found) = tokio::join!(delegated, found);
    if !delegated? {
        return Err(AppError::NoActiveDelegation);
    }
    let found = found?;
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
                recorded: match (&on_behalf_of, &event) {
                    (Some(ogrn), None) => record_scan(&state, ogrn, data.kind).await,
                    // Recorded below, with the event.
                    _ => false,
                },
                status_kind: Some(data.kind),
            }
        }
    };
    let mut response = response;
    if let Some((ogrn, event_id)) = &event {
        let valid_kind = response
            .status_kind
            .filter(|_| response.result == ScanResult::Valid);
        let now = state.clock.now();
        match ledger::record_event(
            &state.db,
            *event_id,
            ogrn,
            response.result.as_str(),
            valid_kind,
            now,
        )
        .await
        {
            Ok(true) => {
                response.recorded = valid_kind.is_some();
                if response.recorded {
                    state
                        .metrics
                        .ledger_writes
                        .with_label_values(&["written"])
                        .inc();
                }
            }
            // Recorded before (a retry, or a concurrent twin): that verdict is the answer.
            Ok(false) => {
                return match ledger::earlier_verdict(&state.db, *event_id).await? {
                    Some(earlier) => earlier_answer(earlier, ogrn).map(web::Json),
                    // Swept between the two statements: unsettled, the desk retries.
                    None => Err(AppError::StorageUnavailable(anyhow::anyhow!(
                        "scan event neither new nor recorded"
                    ))),
                };
            }
            Err(e) => {
                state
                    .metrics
                    .ledger_writes
                    .with_label_values(&["failed"])
                    .inc();
                // 503: the desk retries (or queues) the scan with the same event id, so the
                // organization's scan is not lost as a "valid, not recorded" answer.
                tracing::error!(error = %e, "ledger write failed; scan not recorded");
                return Err(e.into());
            }
        }
    }
    tracing::info!(result = response.result.as_str(), "scan");
    let mode = if on_behalf_of.is_some() {
        "org"
    } else {
        "private"
    };
    state
        .metrics
        .scans
        .with_label_values(&[response.result.as_str(), mode])
        .inc();
    Ok(web::Json(response))
}

/// The answer to a retry: the verdict first given for the event (never the bearer's initials
/// or birth year, which are not kept). An event id used for another organization is refused.
fn earlier_answer(
    earlier: ledger::EarlierVerdict,
    ogrn: &statuspass_shared::Ogrn,
) -> Result<ScanResponse, AppError> {
    if earlier.ogrn != *ogrn {
        return Err(AppError::bad_request(
            "event_id_reused",
            "Этот номер проверки уже использован для другой организации",
        ));
    }
    let result: ScanResult = serde_json::from_value(serde_json::Value::String(earlier.result))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("stored verdict: {e}")))?;
    tracing::info!(result = result.as_str(), "scan retried");
    Ok(ScanResponse {
        result,
        status: earlier.status_kind.map(|k| k.title().to_owned()),
        holder: None,
        recorded: earlier.recorded,
        status_kind: earlier.status_kind,
    })
}

/// Writes the ledger row; a failure is logged and reported as not recorded, the verdict stands.
async fn record_scan(state: &AppState, ogrn: &statuspass_shared::Ogrn, kind: StatusKind) -> bool {
    let written = ledger::record(&state.db, ogrn, kind, state.clock.now()).await;
    let outcome = if written.is_ok() { "written" } else { "failed" };
    state
        .metrics
        .ledger_writes
        .with_label_values(&[outcome])
        .inc();
    match written {
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
