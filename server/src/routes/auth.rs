//! Sign-in: demo people (when enabled), sign-out, who am I.

use actix_session::Session;
use actix_web::{web, HttpResponse};
use statuspass_shared::api::{DelegationSummary, DemoPerson, DemoSignIn, Me};

use crate::auth::{self, demo::DemoDirectory, Principal};
use crate::error::AppError;
use crate::startup::AppState;
use crate::store::organizations;

fn demo(state: &AppState) -> Result<&DemoDirectory, AppError> {
    state.demo.as_ref().ok_or(AppError::NotFound)
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
    let user = demo(&state)?.claims(&body.key).ok_or_else(|| {
        AppError::bad_request("unknown_demo_person", "Нет такого демо-пользователя")
    })?;
    auth::sign_in(&session, &user)?;
    tracing::info!("demo sign-in");
    Ok(web::Json(Principal(user).me()))
}

/// `POST /api/auth/logout`.
#[utoipa::path(post, path = "/api/auth/logout", responses((status = 204)))]
pub async fn sign_out(session: Session) -> HttpResponse {
    auth::sign_out(&session);
    HttpResponse::NoContent().finish()
}

/// `GET /api/me`: the signed-in person.
#[utoipa::path(get, path = "/api/me", responses((status = 200, body = Me), (status = 401, body = statuspass_shared::api::ApiError)))]
pub async fn me(principal: Principal) -> web::Json<Me> {
    web::Json(principal.me())
}
