//! Organization administration (admins of that organization only) and the staff member's own
//! delegations.

use actix_web::{web, HttpResponse};
use chrono::Duration;
use statuspass_shared::api::{
    AddStaff, ContactEmail, Delegation, MyDelegation, NewDelegation, OrgStats, OrgSummary, Role,
    StaffMember, POWER_DELEGATE_SCAN,
};
use statuspass_shared::{Ogrn, Snils};

use crate::auth::Principal;
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::ledger;
use crate::store::organizations::{self, DelegationRow, Member, Organization, PENDING_PREFIX};

/// Parses the `{ogrn}` path segment.
fn parse_ogrn(raw: &str) -> Result<Ogrn, AppError> {
    Ogrn::parse(raw)
        .map_err(|e| AppError::bad_request("invalid_ogrn", format!("Некорректный ОГРН: {e}")))
}

/// The organization, if the principal administers it; 403 otherwise (also for unknown ones,
/// so the answer does not tell which OGRNs exist).
pub(crate) async fn administered(
    state: &AppState,
    principal: &Principal,
    raw: &str,
) -> Result<Organization, AppError> {
    let ogrn = parse_ogrn(raw)?;
    principal.require(Role::Admin)?;
    if !organizations::is_member(&state.db, &ogrn, &principal.0.subject, Role::Admin).await? {
        return Err(AppError::Forbidden("admin"));
    }
    organizations::find(&state.db, &ogrn)
        .await?
        .ok_or(AppError::Forbidden("admin"))
}

fn summary(org: Organization) -> OrgSummary {
    OrgSummary {
        ogrn: org.ogrn,
        full_name: org.full_name,
        short_name: org.short_name,
        contact_email: org.contact_email,
    }
}

fn delegation_view(state: &AppState, d: DelegationRow) -> Delegation {
    let now = state.clock.now();
    Delegation {
        state: d.state(now),
        id: d.id,
        subject: d.subject,
        power_code: d.power_code,
        valid_from: state.local_time(d.valid_from),
        valid_until: state.local_time(d.valid_until),
        revoked_at: d.revoked_at.map(|t| state.local_time(t)),
        issued_by: d.issued_by,
        holder_name: d.holder_name,
    }
}

/// A text the admin typed, trimmed: refused (400 `code`) when empty, longer than `max` bytes or
/// holding control characters (a NUL would make PostgreSQL fail and SQLite store it as is).
fn typed_text(raw: &str, max: usize, code: &'static str, what: &str) -> Result<String, AppError> {
    let text = raw.trim();
    if text.chars().any(char::is_control) {
        return Err(AppError::bad_request(
            code,
            format!("{what}: недопустимые управляющие символы"),
        ));
    }
    if text.is_empty() || text.len() > max {
        return Err(AppError::bad_request(
            code,
            format!("{what}: от 1 до {max} символов"),
        ));
    }
    Ok(text.to_owned())
}

/// Parses a СНИЛС the admin typed (digits, or the printed `112-233-445 95`).
fn parse_snils(raw: &str) -> Result<Snils, AppError> {
    Snils::parse_printed(raw)
        .map_err(|e| AppError::bad_request("invalid_snils", format!("Некорректный СНИЛС: {e}")))
}

/// `***-***-445 95`: enough for an admin to tell people apart, not the whole number.
fn mask_snils(snils: &Snils) -> String {
    let d = snils.as_str();
    format!("***-***-{} {}", &d[6..9], &d[9..])
}

fn staff_view(m: Member) -> StaffMember {
    StaffMember {
        pending: m.is_pending(),
        snils_masked: m.snils.as_ref().map(mask_snils),
        subject: m.subject,
        name: m.name,
        role: m.role,
    }
}

/// `GET /api/me/delegations`: the signed-in staff member's active delegations.
#[utoipa::path(get, path = "/api/me/delegations", responses((status = 200, body = [MyDelegation]), (status = 401, body = statuspass_shared::api::ApiError)))]
pub async fn my_delegations(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Vec<MyDelegation>>, AppError> {
    principal.require(Role::Staff)?;
    let active = organizations::active_delegations_of(
        &state.db,
        &principal.0.subject,
        POWER_DELEGATE_SCAN,
        state.clock.now(),
    )
    .await?;
    Ok(web::Json(
        active
            .into_iter()
            .map(|d| MyDelegation {
                ogrn: d.ogrn,
                short_name: d.short_name,
                valid_until: state.local_time(d.valid_until),
            })
            .collect(),
    ))
}

/// `GET /api/orgs`: the organizations the signed-in admin administers.
#[utoipa::path(get, path = "/api/orgs", responses((status = 200, body = [OrgSummary]), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn list(
    state: web::Data<AppState>,
    principal: Principal,
) -> Result<web::Json<Vec<OrgSummary>>, AppError> {
    principal.require(Role::Admin)?;
    let orgs = organizations::of_member(&state.db, &principal.0.subject, Role::Admin).await?;
    Ok(web::Json(orgs.into_iter().map(summary).collect()))
}

/// `GET /api/orgs/{ogrn}`.
#[utoipa::path(get, path = "/api/orgs/{ogrn}", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), responses((status = 200, body = OrgSummary), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn get(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<web::Json<OrgSummary>, AppError> {
    Ok(web::Json(summary(
        administered(&state, &principal, &path).await?,
    )))
}

/// `PUT /api/orgs/{ogrn}/contact-email`: where reports are sent.
#[utoipa::path(put, path = "/api/orgs/{ogrn}/contact-email", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), request_body = ContactEmail, responses((status = 200, body = OrgSummary), (status = 400, body = statuspass_shared::api::ApiError), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn set_contact_email(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Json<ContactEmail>,
) -> Result<web::Json<OrgSummary>, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let email = typed_text(&body.email, 254, "invalid_email", "Адрес электронной почты")?;
    let email = email.as_str();
    if email.parse::<lettre::Address>().is_err() {
        return Err(AppError::bad_request(
            "invalid_email",
            "Некорректный адрес электронной почты",
        ));
    }
    organizations::set_contact_email(&state.db, &org.ogrn, email).await?;
    Ok(web::Json(OrgSummary {
        contact_email: Some(email.to_owned()),
        ..summary(org)
    }))
}

/// `GET /api/orgs/{ogrn}/staff`.
#[utoipa::path(get, path = "/api/orgs/{ogrn}/staff", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), responses((status = 200, body = [StaffMember]), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn staff(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<web::Json<Vec<StaffMember>>, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let members = organizations::members(&state.db, &org.ogrn).await?;
    Ok(web::Json(members.into_iter().map(staff_view).collect()))
}

/// `POST /api/orgs/{ogrn}/staff`: adds a member.
#[utoipa::path(post, path = "/api/orgs/{ogrn}/staff", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), request_body = AddStaff, responses((status = 201, body = StaffMember), (status = 400, body = statuspass_shared::api::ApiError), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn add_staff(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Json<AddStaff>,
) -> Result<HttpResponse, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let AddStaff {
        subject,
        snils,
        name,
        role,
    } = body.into_inner();
    let name = typed_text(&name, 200, "invalid_member", "Имя сотрудника")?;
    let role = match role.unwrap_or(Role::Staff) {
        Role::Participant => {
            return Err(AppError::bad_request(
                "invalid_role",
                "Роль сотрудника: staff или admin",
            ))
        }
        r => r,
    };
    let (subject, snils) = match (subject, snils) {
        (None, Some(raw)) => {
            let snils = parse_snils(&raw)?;
            (
                organizations::subject_for_snils(&state.db, &snils).await?,
                Some(snils),
            )
        }
        (Some(subject), None) => {
            let subject = typed_text(&subject, 200, "invalid_member", "Идентификатор сотрудника")?;
            let placeholder = subject
                .get(..PENDING_PREFIX.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(PENDING_PREFIX));
            if placeholder {
                return Err(AppError::bad_request(
                    "invalid_member",
                    "Некорректный идентификатор сотрудника",
                ));
            }
            (subject, None)
        }
        _ => {
            return Err(AppError::bad_request(
                "invalid_member",
                "Укажите СНИЛС сотрудника (или его идентификатор, но не оба)",
            ))
        }
    };
    let member = Member {
        subject,
        name,
        role,
        snils,
    };
    organizations::add_member(&state.db, &org.ogrn, &member, state.clock.now()).await?;
    Ok(HttpResponse::Created().json(staff_view(member)))
}

/// `DELETE /api/orgs/{ogrn}/staff/{subject}`: removes a member and revokes their delegations.
#[utoipa::path(delete, path = "/api/orgs/{ogrn}/staff/{subject}", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$"), ("subject" = String, Path)), responses((status = 204), (status = 403, body = statuspass_shared::api::ApiError), (status = 404, body = statuspass_shared::api::ApiError)))]
pub async fn remove_staff(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (raw, subject) = path.into_inner();
    let org = administered(&state, &principal, &raw).await?;
    let subject = typed_text(&subject, 200, "invalid_member", "Идентификатор сотрудника")?;
    if subject == principal.0.subject {
        return Err(AppError::bad_request(
            "cannot_remove_self",
            "Нельзя удалить самого себя",
        ));
    }
    if !organizations::remove_member(&state.db, &org.ogrn, &subject).await? {
        return Err(AppError::NotFound);
    }
    organizations::revoke_all_of(&state.db, &org.ogrn, &subject, state.clock.now()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/orgs/{ogrn}/delegations`.
#[utoipa::path(get, path = "/api/orgs/{ogrn}/delegations", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), responses((status = 200, body = [Delegation]), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn delegations(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<web::Json<Vec<Delegation>>, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let rows = organizations::delegations_of_org(&state.db, &org.ogrn).await?;
    Ok(web::Json(
        rows.into_iter()
            .map(|d| delegation_view(&state, d))
            .collect(),
    ))
}

/// `POST /api/orgs/{ogrn}/delegations`: issues a delegation to a staff member of the organization.
#[utoipa::path(post, path = "/api/orgs/{ogrn}/delegations", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), request_body = NewDelegation, responses((status = 201, body = Delegation), (status = 400, body = statuspass_shared::api::ApiError), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn issue_delegation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
    body: web::Json<NewDelegation>,
) -> Result<HttpResponse, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let NewDelegation {
        subject,
        snils,
        valid_from,
        valid_until,
        power_code,
    } = body.into_inner();
    let power_code = power_code.unwrap_or_else(|| POWER_DELEGATE_SCAN.to_owned());
    if valid_until <= valid_from || valid_until - valid_from > Duration::days(5 * 366) {
        return Err(AppError::bad_request(
            "invalid_period",
            "Срок действия: окончание позже начала, не более 5 лет",
        ));
    }
    if power_code.is_empty() || power_code.len() > 64 {
        return Err(AppError::bad_request(
            "invalid_power_code",
            "Некорректный код полномочия",
        ));
    }
    let not_a_member = || {
        AppError::bad_request(
            "not_a_member",
            "Доверенность выдаётся только сотруднику организации",
        )
    };
    let subject = match (subject, snils) {
        (Some(subject), None) => {
            let subject = typed_text(&subject, 200, "invalid_member", "Идентификатор сотрудника")?;
            if !organizations::is_member(&state.db, &org.ogrn, &subject, Role::Staff).await? {
                return Err(not_a_member());
            }
            subject
        }
        (None, Some(raw)) => {
            organizations::staff_subject_by_snils(&state.db, &org.ogrn, &parse_snils(&raw)?)
                .await?
                .ok_or_else(not_a_member)?
        }
        _ => {
            return Err(AppError::bad_request(
                "invalid_member",
                "Укажите сотрудника: СНИЛС или идентификатор, но не оба",
            ))
        }
    };
    let row = DelegationRow {
        id: uuid::Uuid::new_v4().to_string(),
        ogrn: org.ogrn,
        subject,
        power_code,
        valid_from: valid_from.to_utc(),
        valid_until: valid_until.to_utc(),
        revoked_at: None,
        issued_by: principal.0.subject.clone(),
        holder_name: None,
    };
    organizations::insert_delegation(&state.db, &row, state.clock.now()).await?;
    tracing::info!("delegation issued");
    let holder_name = organizations::members(&state.db, &row.ogrn)
        .await?
        .into_iter()
        .find(|m| m.subject == row.subject)
        .map(|m| m.name);
    Ok(HttpResponse::Created().json(delegation_view(
        &state,
        DelegationRow { holder_name, ..row },
    )))
}

/// `POST /api/orgs/{ogrn}/delegations/{id}/revoke`.
#[utoipa::path(post, path = "/api/orgs/{ogrn}/delegations/{id}/revoke", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$"), ("id" = String, Path)), responses((status = 204), (status = 403, body = statuspass_shared::api::ApiError), (status = 404, body = statuspass_shared::api::ApiError)))]
pub async fn revoke_delegation(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, AppError> {
    let (raw, id) = path.into_inner();
    let org = administered(&state, &principal, &raw).await?;
    let id = typed_text(&id, 64, "invalid_delegation", "Номер доверенности")?;
    if !organizations::revoke_delegation(&state.db, &org.ogrn, &id, state.clock.now()).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!("delegation revoked");
    Ok(HttpResponse::NoContent().finish())
}

/// `GET /api/orgs/{ogrn}/stats`: successful scans recorded in the organization's ledger (and
/// those of the last 30 days per status kind).
#[utoipa::path(get, path = "/api/orgs/{ogrn}/stats", params(("ogrn" = String, Path, description = "OGRN: 13 digits, the last one the check digit", pattern = r"^[0-9]{13}$")), responses((status = 200, body = OrgStats), (status = 403, body = statuspass_shared::api::ApiError)))]
pub async fn stats(
    state: web::Data<AppState>,
    principal: Principal,
    path: web::Path<String>,
) -> Result<web::Json<OrgStats>, AppError> {
    let org = administered(&state, &principal, &path).await?;
    let now = state.clock.now();
    let end = now + Duration::seconds(1);
    let count = |from| ledger::count_between(&state.db, &org.ogrn, from, end);
    Ok(web::Json(OrgStats {
        today: count(state.start_of_today()).await?,
        last_30_days: count(now - Duration::days(30)).await?,
        this_month: count(state.start_of_month()).await?,
        by_kind: ledger::count_by_kind_between(&state.db, &org.ogrn, now - Duration::days(30), end)
            .await?,
    }))
}
