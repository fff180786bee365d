//! `POST /api/pass`: «Получить» (one status kind at a time), and `GET /api/statuses`: the kinds
//! the service offers.

use actix_web::http::header::CONTENT_TYPE;
use actix_web::{web, HttpRequest};
use statuspass_shared::api::{DynamicCode, PassRequest, PassResponse, Role, StatusOffer};
use statuspass_shared::{dynamic, StatusKind};

use crate::auth::Principal;
use crate::error::AppError;
use crate::passes::IssueOutcome;
use crate::registry::source::Applicant;
use crate::startup::{json_payload_error, AppState};
use crate::tokens;

/// Issues (or returns the live) pass of the signed-in participant for the status asked for
/// (no body: `svo_participant`, as before status kinds).
#[utoipa::path(post, path = "/api/pass",
    request_body(content = Option<PassRequest>, description = "optional; no body asks for `svo_participant`"),
    responses(
    (status = 200, body = PassResponse),
    (status = 400, body = statuspass_shared::api::ApiError, description = "malformed body, unknown status kind, or a kind the service does not offer (`status_not_offered`)"),
    (status = 401, body = statuspass_shared::api::ApiError, description = "not signed in"),
    (status = 403, body = statuspass_shared::api::ApiError, description = "account not confirmed, or not a participant"),
    (status = 422, body = statuspass_shared::api::ApiError, description = "`adult` asked without a confirmed birth date in the account (`birthdate_unknown`)"),
    (status = 429, body = statuspass_shared::api::ApiError, description = "`too_many_lookups`: more registry lookups for this person in the last hour than `STATUSPASS_LOOKUPS_PER_HOUR`; `Retry-After` says when"),
    (status = 503, body = statuspass_shared::api::ApiError, description = "the status's registry, or storage, unavailable"),
))]
pub async fn get_pass(
    state: web::Data<AppState>,
    principal: Principal,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<PassResponse>, AppError> {
    principal.require(Role::Participant)?;
    let user = &principal.0;
    if !user.confirmed {
        return Err(AppError::NotConfirmed);
    }
    // Read here, not by the `Bytes` extractor, so that an oversized body is a JSON 413 too.
    let body = payload
        .to_bytes_limited(state.settings.max_body_bytes)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
        .map_err(|e| AppError::bad_request("invalid_body", format!("Некорректный запрос: {e}")))?;
    let kind = requested_kind(&req, &body)?;
    if !state.settings.offers(kind) {
        return Err(AppError::bad_request(
            "status_not_offered",
            format!("Сервис не подтверждает статус «{}»", kind.title()),
        ));
    }
    let snils = user.snils.as_ref().ok_or(AppError::NotConfirmed)?;
    let applicant = Applicant {
        snils,
        birthdate: user.birthdate,
    };
    let issued = state.passes.issue(&user.subject, &applicant, kind).await;
    let outcome = match &issued {
        Ok(IssueOutcome::Issued(_)) => "issued",
        Ok(IssueOutcome::NotFound) => "not_found",
        Err(crate::passes::PassError::Source(_)) => "unavailable",
        Err(crate::passes::PassError::TooManyLookups(_)) => "limited",
        Err(_) => "error",
    };
    state
        .metrics
        .passes
        .with_label_values(&[kind.as_str(), outcome])
        .inc();
    let response = match issued? {
        IssueOutcome::Issued(issued) => {
            let pass = issued.pass;
            let token = tokens::part_for(&state.db, &issued, state.settings.disclosure).await?;
            PassResponse::Issued {
                id: pass.id,
                link: tokens::link_with(state.links.link(&pass.id), token),
                expires_at: state.local_time(pass.expires_at),
                status: kind,
                title: kind.title().to_owned(),
                dynamic: pass.secret.map(|secret| DynamicCode {
                    secret,
                    step_secs: dynamic::STEP_SECS,
                }),
            }
        }
        IssueOutcome::NotFound => {
            let url = state.settings.confirm_url(kind).to_owned();
            PassResponse::NotFound {
                status: kind,
                certificate_form_url: kind.is_svo().then(|| url.clone()),
                confirm_url: url,
            }
        }
    };
    Ok(web::Json(response))
}

/// The kind asked for: an empty body is `svo_participant`; a body must be JSON
/// [`PassRequest`].
fn requested_kind(req: &HttpRequest, body: &[u8]) -> Result<StatusKind, AppError> {
    use actix_web::error::JsonPayloadError;
    if body.is_empty() {
        return Ok(StatusKind::SvoParticipant);
    }
    let json = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let essence = v.split(';').next().unwrap_or_default().trim();
            let essence = essence.to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        });
    if !json {
        return Err(json_payload_error(JsonPayloadError::ContentType));
    }
    // `null` is no request, like an empty body; anything else must be the object.
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| json_payload_error(JsonPayloadError::Deserialize(e)))?;
    if value.is_null() {
        return Ok(StatusKind::SvoParticipant);
    }
    if !value.is_object() {
        return Err(AppError::bad_request(
            "invalid_json",
            "Некорректный запрос: ожидается объект {\"status\": …}",
        ));
    }
    let request: PassRequest = serde_json::from_value(value)
        .map_err(|e| json_payload_error(JsonPayloadError::Deserialize(e)))?;
    Ok(request.status.unwrap_or(StatusKind::SvoParticipant))
}

/// The status kinds the service offers, in its order (no sign-in needed).
#[utoipa::path(get, path = "/api/statuses", responses((status = 200, body = [StatusOffer])))]
pub async fn statuses(state: web::Data<AppState>) -> web::Json<Vec<StatusOffer>> {
    let settings = &state.settings;
    let offers = StatusKind::ALL
        .into_iter()
        .filter(|k| settings.offers(*k))
        .map(|kind| StatusOffer {
            kind,
            title: kind.title().to_owned(),
            dynamic: settings.is_dynamic(kind),
            digital_id: kind.is_digital_id(),
            confirm_url: settings.confirm_url(kind).to_owned(),
        })
        .collect();
    web::Json(offers)
}
