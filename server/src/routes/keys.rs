//! `GET /api/keys`: the public keys scanners verify offline tokens with (no sign-in).

use actix_web::http::header::{CacheControl, CacheDirective};
use actix_web::{web, HttpResponse};
use statuspass_shared::keys::KeyList;

use crate::error::AppError;
use crate::startup::AppState;
use crate::tokens;

/// How long a scanner or a cache may keep the list: short, because the next key is published
/// a whole rotation ahead, so a list this old still holds every key that signs.
const MAX_AGE_SECS: u32 = 300;

/// The next key (published ahead of use), the current one and recently retired ones.
#[utoipa::path(get, path = "/api/keys", responses(
    (status = 200, body = KeyList, description = "Ed25519 public keys (hex) by `kid`, newest first; `current` signs new tokens, `next` signs after the next rotation; a retired key has `valid_until`"),
    (status = 503, body = statuspass_shared::api::ApiError),
))]
pub async fn keys(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let list = tokens::key_list(&state.db, state.clock.now()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(CacheControl(vec![
            CacheDirective::Public,
            CacheDirective::MaxAge(MAX_AGE_SECS),
        ]))
        .json(list))
}
