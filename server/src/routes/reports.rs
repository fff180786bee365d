//! The organization's reports: list and download (admins of that organization only).

use actix_web::http::header::{ContentDisposition, DispositionParam, DispositionType};
use actix_web::{web, HttpResponse};
use statuspass_shared::api::{ReportStatus, ReportSummary};

use super::orgs::administered;
use crate::auth::Principal;
use crate::error::AppError;
use crate::reports::schedule::NO_CONTACT_EMAIL;
use crate::startup::AppState;
use crate::store::reports;

/// `GET /api/orgs/{ogrn}/reports`: newest first.
#[utoipa::path(get, path = "/api/orgs/{ogrn}/reports", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), responses((status = 200, body = [ReportSummary]), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<web::Json<Vec<ReportSummary>>, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let rows = reports::of_org(&state.db, &org.ogrn).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|r| ReportSummary {
                status: match (r.sent, r.last_error.as_deref()) {
                    (true, _) => ReportStatus::Sent,
                    (false, Some(NO_CONTACT_EMAIL)) => ReportStatus::NoContactEmail,
                    (false, _) => ReportStatus::Pending,
                },
                problem: if r.sent { None } else { r.last_error },
                id: r.id,
                period_start: state.local_time(r.period_start),
                period_end: state.local_time(r.period_end),
                rows: r.rows_count.and_then(|n| u64::try_from(n).ok()),
                file_name: r.file_name,
                sent_at: r.sent_at.map(|t| state.local_time(t)),
                sent_to: r.sent_to,
            })
            .collect(),
    ))
}

/// `GET /api/orgs/{ogrn}/reports/{id}/archive`: the zip (workbook, signature, certificate).
#[utoipa::path(get, path = "/api/orgs/{ogrn}/reports/{id}/archive", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$"), ("id" = String, Path)), responses((status = 200, content_type = "application/zip"), (status = 403, body = statuspass_shared::api::ApiError), (status = 404, body = statuspass_shared::api::ApiError)))]
pub async fn download(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (raw, id) = path.into_inner();
    let org = administered(&state, &principal, &raw).await?;
    let report = reports::find(&state.db, &id)
        .await?
        .filter(|r| r.ogrn == org.ogrn)
        .ok_or(AppError::NotFound)?;
    let archive = reports::archive(&state.db, &id)
        .await?
        .ok_or(AppError::NotFound)?;
    let name = report.file_name.unwrap_or_else(|| format!("{id}.zip"));
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header(ContentDisposition {
            disposition: DispositionType::Attachment,
            parameters: vec![DispositionParam::Filename(name)],
        })
        .insert_header(("Cache-Control", "private, no-store"))
        .body(archive))
}
