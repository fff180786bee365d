//! `POST /api/scan/batch`: organization scans a scanner made without network, uploaded when
//! the network is back (issue 12, SPEC §13).
//!
//! Each event is settled on its own, in the order sent, and answered per event: recorded (one
//! ledger row at the **scan time**), duplicate (recorded before: a replay or a retry whose
//! answer was lost) or refused with a reason (nothing written). The server does not trust the
//! device's verdict: it checks again the delegation as it was at the scan time, and the signed
//! token (every key it ever had) with the pass's issue and expiry around the scan time. The
//! pass itself is long gone by then (deleted 5 minutes after issue); the token is what is left.

use actix_web::web;
use chrono::{DateTime, Datelike, Duration};
use statuspass_shared::api::{
    QueuedOutcome, QueuedRefusal, QueuedScan, QueuedScanResult, Role, ScanBatch, ScanBatchResults,
    MAX_BATCH_EVENTS, POWER_DELEGATE_SCAN,
};
use statuspass_shared::keys::PublishedKey;
use statuspass_shared::token::{self, Unvouched};
use statuspass_shared::{Ogrn, ScannedCode};

use crate::auth::Principal;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::{ledger, organizations};

/// A scan time at most this far ahead of the server's clock is taken as a clock error of the
/// device's correction, not refused.
pub const FUTURE_LEEWAY: Duration = Duration::seconds(60);

/// The body limit of this route: [`MAX_BATCH_EVENTS`] events of about 400 bytes each.
pub const BODY_LIMIT: usize = 64 * 1024;

/// Uploads queued organization scans.
#[utoipa::path(post, path = "/api/scan/batch", request_body = ScanBatch, responses(
    (status = 200, body = ScanBatchResults, description = "one result per event, in the order sent"),
    (status = 400, body = statuspass_shared::api::ApiError, description = "malformed body, or more than 100 events (`batch_too_large`)"),
    (status = 401, body = statuspass_shared::api::ApiError),
    (status = 403, body = statuspass_shared::api::ApiError, description = "not staff"),
    (status = 413, body = statuspass_shared::api::ApiError),
    (status = 503, body = statuspass_shared::api::ApiError, description = "storage unavailable: nothing of the batch is settled by this answer; send it again"),
))]
pub async fn upload(
    state: web::Data<AppState>,
    principal: Principal,
    body: web::Json<ScanBatch>,
) -> Result<web::Json<ScanBatchResults>, AppError> {
    principal.require(Role::Staff)?;
    let ScanBatch { events } = body.into_inner();
    if events.len() > MAX_BATCH_EVENTS {
        return Err(AppError::bad_request(
            "batch_too_large",
            "Не больше 100 проверок за один раз",
        ));
    }
    if events.is_empty() {
        return Ok(web::Json(ScanBatchResults {
            results: Vec::new(),
        }));
    }
    // Every key the service ever had: a queued scan may be days old.
    let keys = crate::tokens::every_key(&state.db).await?;
    let mut results = Vec::with_capacity(events.len());
    for event in events {
        let result = settle(&state, &principal.0.subject, &keys, event).await?;
        let label = match result.outcome {
            QueuedOutcome::Recorded => "recorded",
            QueuedOutcome::Duplicate => "duplicate",
            QueuedOutcome::Refused => "refused",
        };
        state
            .metrics
            .scans
            .with_label_values(&[label, "queued"])
            .inc();
        if result.outcome == QueuedOutcome::Recorded {
            state
                .metrics
                .ledger_writes
                .with_label_values(&["written"])
                .inc();
        }
        tracing::info!(
            outcome = ?result.outcome,
            reason = ?result.reason,
            "queued scan"
        );
        results.push(result);
    }
    Ok(web::Json(ScanBatchResults { results }))
}

/// Decides on one event and writes it when it stands.
async fn settle(
    state: &AppState,
    subject: &str,
    keys: &[PublishedKey],
    event: QueuedScan,
) -> Result<QueuedScanResult, AppError> {
    let event_id = event.event_id;
    let scanned_ms = event.device_time_ms.checked_add(event.clock_offset_ms);
    // Only instants an RFC 3339 date-time can say (years 0000–9999); others are refused below.
    let scanned_at = scanned_ms
        .and_then(DateTime::from_timestamp_millis)
        .filter(|t| (0..=9999).contains(&t.year()));
    let answer = |outcome, reason| QueuedScanResult {
        event_id,
        outcome,
        reason,
        scanned_at,
    };
    let refused = |reason| Ok(answer(QueuedOutcome::Refused, Some(reason)));
    if event_id.get_version_num() != 4 {
        return refused(QueuedRefusal::InvalidEventId);
    }
    let Ok(ogrn) = Ogrn::parse(&event.on_behalf_of) else {
        return refused(QueuedRefusal::InvalidOgrn);
    };
    let now = state.clock.now();
    let Some(scanned_at) = scanned_at else {
        return refused(if scanned_ms.is_some_and(|ms| ms > 0) {
            QueuedRefusal::ScannedInFuture
        } else {
            QueuedRefusal::TooOld
        });
    };
    if scanned_at > now + FUTURE_LEEWAY {
        return refused(QueuedRefusal::ScannedInFuture);
    }
    if scanned_at < now - ledger::RETENTION {
        return refused(QueuedRefusal::TooOld);
    }
    if let Some(earlier) = ledger::earlier_verdict(&state.db, event_id).await? {
        return if earlier.ogrn == ogrn {
            Ok(answer(QueuedOutcome::Duplicate, None))
        } else {
            refused(QueuedRefusal::EventIdReused)
        };
    }
    // The delegation as it was at the scan time (revoked since: the scan still counts).
    if !organizations::has_active_delegation(
        &state.db,
        &ogrn,
        subject,
        POWER_DELEGATE_SCAN,
        scanned_at,
    )
    .await?
    {
        return refused(QueuedRefusal::NoActiveDelegation);
    }
    let (id, fragment) = match state.links.classify(&event.code) {
        ScannedCode::Ours { id, fragment } => (id, fragment),
        ScannedCode::Malformed | ScannedCode::Foreign => return refused(QueuedRefusal::NotAPass),
    };
    let fields = match token::vouched(&id, fragment, keys) {
        Ok(fields) => fields,
        Err(Unvouched::NoToken) => return refused(QueuedRefusal::NoToken),
        // The server knows every key it had: a key id it never had is a forgery.
        Err(Unvouched::Forged | Unvouched::UnknownKey) => return refused(QueuedRefusal::Forged),
    };
    let secs = scanned_at.timestamp();
    if secs < i64::from(fields.issued_at) {
        return refused(QueuedRefusal::BeforeIssue);
    }
    if secs >= i64::from(fields.expires_at) {
        return refused(QueuedRefusal::ExpiredAtScan);
    }
    let fresh = ledger::record_event(
        &state.db,
        event_id,
        &ogrn,
        statuspass_shared::api::ScanResult::Valid.as_str(),
        Some(fields.kind),
        scanned_at,
    )
    .await?;
    if fresh {
        return Ok(answer(QueuedOutcome::Recorded, None));
    }
    // A concurrent upload of the same event recorded it first.
    match ledger::earlier_verdict(&state.db, event_id).await? {
        Some(earlier) if earlier.ogrn != ogrn => refused(QueuedRefusal::EventIdReused),
        _ => Ok(answer(QueuedOutcome::Duplicate, None)),
    }
}
