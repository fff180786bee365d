//! Sign-in: OpenID Connect (when configured) or demo people (the embedded default), sign-out,
//! who am I.

use actix_session::Session;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use statuspass_shared::api::{DelegationSummary, DemoPerson, DemoSignIn, Logout, Me};

use crate::auth::oidc::{safe_return_to, CallbackQuery, PendingSignIn, SignInError};
use crate::auth::{self, demo::DemoDirectory, Principal, SessionUser};
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::organizations;

const PENDING: &str = "oidc_pending";

fn demo(state: &AppState) -> Result<&DemoDirectory, AppError> {
    state.demo.as_ref().ok_or(AppError::NotFound)
}

/// Signs `user` in and binds the memberships waiting for their СНИЛС (confirmed accounts
/// only: an unconfirmed account's СНИЛС is not vouched for).
async fn complete_sign_in(
    state: &AppState,
    session: &Session,
    user: &SessionUser,
    id_token: Option<&str>,
) -> Result<(), AppError> {
    if let (true, Some(snils)) = (user.confirmed, &user.snils) {
        let bound =
            organizations::bind_invitations(&state.db, snils, &user.subject, &user.name).await?;
        if bound > 0 {
            tracing::info!(bound, "invitations bound at first sign-in");
        }
    }
    auth::sign_in(
        session,
        user,
        state.session_clock.now().timestamp_millis(),
        id_token,
    )
}

/// `GET /api/auth/demo`: the demo people (embedded setup only).
#[utoipa::path(get, path = "/api/auth/demo", responses((status = 200, body = [DemoPerson]), (status = 404, body = statuspass_shared::api::ApiError)))]
pub async fn demo_people(
    state: web::Data<AppState>,
) -> Result<web::Json<Vec<DemoPerson>>, AppError> {
    let directory = demo(&state)?;
    let now = state.clock.now();
    let mut people = directory.list();
    for person in &mut people {
        let Some(claims) = directory.claims(&person.key) else {
            continue;
        };
        person.delegations = organizations::delegations_of_subject(&state.db, &claims.subject)
            .await?
            .into_iter()
            .map(|d| DelegationSummary {
                state: d.state(now),
                ogrn: d.ogrn,
            })
            .collect();
    }
    Ok(web::Json(people))
}

/// `POST /api/auth/demo`: signs a demo person in.
#[utoipa::path(post, path = "/api/auth/demo", request_body = DemoSignIn, responses((status = 200, body = Me), (status = 400, body = statuspass_shared::api::ApiError), (status = 404, body = statuspass_shared::api::ApiError)))]
pub async fn demo_sign_in(
    state: web::Data<AppState>,
    session: Session,
    body: web::Json<DemoSignIn>,
) -> Result<web::Json<Me>, AppError> {
    let user = demo(&state)?
        .claims(&body.key)
        .ok_or(AppError::UnknownDemoPerson)?;
    complete_sign_in(&state, &session, &user, None).await?;
    tracing::info!("demo sign-in");
    Ok(web::Json(Principal::of(&state, user).await?.me()))
}

/// Query of `GET /api/auth/oidc/start`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StartQuery {
    /// Path on this origin to land on after sign-in (default `/`).
    pub return_to: Option<String>,
}

/// `GET /api/auth/oidc/start`: redirects to the OpenID provider.
#[utoipa::path(get, path = "/api/auth/oidc/start", params(StartQuery), responses(
    (status = 303, description = "to the provider's authorization endpoint"),
    (status = 404, body = statuspass_shared::api::ApiError, description = "OpenID Connect is not configured"),
    (status = 503, description = "the provider is unreachable (page or JSON)"),
))]
pub async fn oidc_start(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
    query: web::Query<StartQuery>,
) -> Result<HttpResponse, AppError> {
    let provider = state.sign_in.as_ref().ok_or(AppError::NotFound)?;
    let prefix = reqwest::Url::parse(state.links.public_url())
        .map(|u| u.path().to_owned())
        .unwrap_or_default();
    let return_to = safe_return_to(query.return_to.as_deref(), &prefix);
    match provider.start(return_to, state.session_clock.now()).await {
        Ok((url, pending)) => {
            session.insert(PENDING, &pending).map_err(|e| {
                AppError::Internal(anyhow::anyhow!("storing the pending sign-in: {e}"))
            })?;
            Ok(see_other(&url))
        }
        Err(e) => Ok(sign_in_failed(&req, &e)),
    }
}

/// `GET /api/auth/oidc/callback`: the provider sends the browser back here.
#[utoipa::path(get, path = "/api/auth/oidc/callback", responses(
    (status = 303, description = "signed in: to the page the sign-in started from"),
    (status = 400, description = "refused: denied consent, bad state, replayed or expired code, bad id token (page, or JSON `{error, message}` when asked for JSON)"),
    (status = 404, body = statuspass_shared::api::ApiError, description = "OpenID Connect is not configured"),
    (status = 503, description = "the provider is unreachable"),
))]
pub async fn oidc_callback(
    state: web::Data<AppState>,
    session: Session,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let provider = state.sign_in.as_ref().ok_or(AppError::NotFound)?;
    // Query parsing never fails the request: junk is "no such parameter".
    let query = web::Query::<CallbackQuery>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    // One attempt per start: the pending sign-in is taken out whatever happens next.
    let pending = session
        .remove_as::<PendingSignIn>(PENDING)
        .and_then(Result::ok);
    let result = match &pending {
        None => Err(SignInError::NoPendingSignIn),
        Some(p) => provider.finish(p, &query, state.session_clock.now()).await,
    };
    match result {
        Ok((person, id_token)) => {
            let user = person.into_session_user();
            complete_sign_in(&state, &session, &user, id_token.as_deref()).await?;
            tracing::info!(
                confirmed = user.confirmed,
                "signed in through OpenID Connect"
            );
            let return_to = pending.map(|p| p.return_to).unwrap_or_else(|| "/".into());
            Ok(see_other(&return_to))
        }
        Err(e) => {
            // Never half signed in: a failed attempt ends the session it ran in. A callback
            // with no sign-in in progress (a stale tab, a cross-site link) changes nothing.
            if pending.is_some() {
                session.purge();
            }
            Ok(sign_in_failed(&req, &e))
        }
    }
}

/// A 303 to `location`, never cached (it carries a one-time state).
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The refusal: JSON `{error, message}` when the client asks for JSON, else a small page.
fn sign_in_failed(req: &HttpRequest, e: &SignInError) -> HttpResponse {
    if e.is_unavailable() {
        tracing::warn!(code = e.code(), cause = %e, "sign-in failed");
    } else {
        tracing::info!(code = e.code(), cause = %e, "sign-in refused");
    }
    let mut res = if e.is_unavailable() {
        HttpResponse::ServiceUnavailable()
    } else {
        HttpResponse::BadRequest()
    };
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    if wants_json {
        return res.json(statuspass_shared::api::ApiError {
            error: e.code().to_owned(),
            message: e.message().to_owned(),
        });
    }
    res.content_type("text/html; charset=utf-8").body(format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Вход не выполнен — statuspass</title></head>\
         <body><main data-error=\"{code}\"><h1>Вход не выполнен</h1><p>{message}</p>\
         <p><a href=\"/\">Вернуться и войти заново</a></p></main></body></html>",
        code = e.code(),
        message = e.message(),
    ))
}

/// `POST /api/auth/logout`: ends the session here (a copy of the cookie is refused after
/// this); after an OpenID Connect sign-in also says where to end it at the provider.
#[utoipa::path(post, path = "/api/auth/logout", responses(
    (status = 200, body = Logout, description = "signed out; `end_session_url` when the provider offers RP-initiated logout"),
    (status = 204, description = "signed out"),
))]
pub async fn sign_out(state: web::Data<AppState>, session: Session) -> HttpResponse {
    let id_token = auth::sign_out(&session);
    let end_session_url = match (&state.sign_in, id_token) {
        (Some(provider), Some(token)) => {
            let back = format!("{}/", state.links.public_url());
            provider.logout_url(&token, &back).await
        }
        _ => None,
    };
    match end_session_url {
        Some(url) => HttpResponse::Ok().json(Logout {
            end_session_url: Some(url),
        }),
        None => HttpResponse::NoContent().finish(),
    }
}

/// `GET /api/me`: the signed-in person.
#[utoipa::path(get, path = "/api/me", responses((status = 200, body = Me), (status = 401, body = statuspass_shared::api::ApiError)))]
pub async fn me(principal: Principal) -> web::Json<Me> {
    web::Json(principal.me())
}
