//! Identity: who is signed in. The session holds the claims an identity provider vouched for
//! ([`SessionUser`]); handlers ask for a [`Principal`]. Demo sign-in ([`demo`]) is one provider;
//! a real OpenID Connect provider would fill the same `SessionUser` at its callback.

pub mod demo;

use std::future::{ready, Ready};

use actix_session::{Session, SessionExt};
use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};
use statuspass_shared::api::{Me, Role};
use statuspass_shared::Snils;

use crate::error::AppError;

const SESSION_USER: &str = "user";

/// The claims stored in the (encrypted) session cookie.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Stable subject id from the identity provider.
    pub subject: String,
    /// Display name (shown to the person themself only).
    pub name: String,
    pub roles: Vec<Role>,
    /// Whether the account is confirmed (only confirmed accounts get passes).
    pub confirmed: bool,
    /// СНИЛС, used to ask the registry.
    pub snils: Option<Snils>,
    /// Birth date, when the identity provider gave one (decides the adult status).
    pub birthdate: Option<chrono::NaiveDate>,
}

/// Starts a session for `user` (a fresh session id, against fixation).
pub fn sign_in(session: &Session, user: &SessionUser) -> Result<(), AppError> {
    session.renew();
    session
        .insert(SESSION_USER, user)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("storing the session: {e}")))
}

/// Ends the session.
pub fn sign_out(session: &Session) {
    session.purge();
}

/// The signed-in person; extracting it answers 401 when nobody is signed in.
#[derive(Debug, Clone)]
pub struct Principal(pub SessionUser);

impl Principal {
    /// Refuses with 403 unless the person has `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.0.roles.contains(&role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(match role {
                Role::Participant => "participant",
                Role::Staff => "staff",
                Role::Admin => "admin",
            }))
        }
    }

    /// The public view of the signed-in person.
    pub fn me(&self) -> Me {
        Me {
            key: self.0.subject.clone(),
            name: self.0.name.clone(),
            roles: self.0.roles.clone(),
            confirmed: self.0.confirmed,
        }
    }
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let user = req.get_session().get::<SessionUser>(SESSION_USER);
        ready(match user {
            Ok(Some(user)) => Ok(Principal(user)),
            // An unreadable session is treated as none: the person signs in again.
            Ok(None) | Err(_) => Err(AppError::Unauthorized),
        })
    }
}
