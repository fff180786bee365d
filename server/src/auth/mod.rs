//! Identity: who is signed in, and what they may do.
//!
//! A sign-in provider vouches for a person ([`VerifiedPerson`]): demo sign-in ([`demo`]) or
//! OpenID Connect ([`oidc`]); an ESIA adapter would be a third (see ARCHITECTURE.md). The
//! person becomes a [`SessionUser`] kept in the server-side session (`store::sessions`).
//! Handlers ask for a [`Principal`]: the session user plus the roles they hold *now*, read from
//! organization membership — never from the provider. Everyone signed in is a participant;
//! a member of an organization is staff; its admin is admin.

pub mod claims;
pub mod demo;
pub mod oidc;

use actix_session::{Session, SessionExt};
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};
use chrono::NaiveDate;
use futures_util::future::LocalBoxFuture;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use statuspass_shared::api::{Me, Role};
use statuspass_shared::Snils;

use crate::error::AppError;
use crate::startup::AppState;
use crate::store::organizations;

const SESSION_USER: &str = "user";
const SIGNED_IN_AT: &str = "signed_in_at";
const ID_TOKEN: &str = "id_token";

/// The person a sign-in provider vouched for, as the session keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionUser {
    /// Stable subject id: `demo:{key}`, or `oidc:` + a digest of the provider's (issuer, sub).
    pub subject: String,
    /// Display name (shown to the person themself and to their organization's admins).
    pub name: String,
    /// Whether the account is confirmed (only confirmed accounts get passes).
    pub confirmed: bool,
    /// СНИЛС, used to ask the registry; `None` when the provider gave none or a malformed one.
    pub snils: Option<Snils>,
    /// Birth date, when the identity provider gave one (decides the adult status).
    pub birthdate: Option<NaiveDate>,
}

/// What a sign-in provider vouched for, before it becomes a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedPerson {
    /// The provider's issuer identifier.
    pub issuer: String,
    /// The provider's subject (`sub`), stable per issuer.
    pub subject: String,
    /// The provider says the account is confirmed (ESIA: `trusted`).
    pub confirmed: bool,
    /// Valid СНИЛС, if given; a malformed one is `None` ("cannot look up").
    pub snils: Option<Snils>,
    /// Full name for display.
    pub name: String,
    pub birthdate: Option<NaiveDate>,
}

impl VerifiedPerson {
    /// Our subject id for (issuer, sub): a digest, so it is path-safe and the same on every
    /// instance.
    pub fn subject_id(issuer: &str, sub: &str) -> String {
        let digest = Sha256::new()
            .chain_update(issuer.as_bytes())
            .chain_update([0])
            .chain_update(sub.as_bytes())
            .finalize();
        format!("oidc:{}", &hex::encode(digest)[..32])
    }

    /// The session form.
    pub fn into_session_user(self) -> SessionUser {
        SessionUser {
            subject: Self::subject_id(&self.issuer, &self.subject),
            name: self.name,
            confirmed: self.confirmed,
            snils: self.snils,
            birthdate: self.birthdate,
        }
    }
}

/// Starts a session for `user` (a fresh session key, against fixation). `id_token` is kept for
/// RP-initiated logout at the provider.
pub fn sign_in(
    session: &Session,
    user: &SessionUser,
    signed_in_at_ms: i64,
    id_token: Option<&str>,
) -> Result<(), AppError> {
    // `clear` + `renew`: the old state goes, the new one gets a fresh key (`purge` would
    // make the inserts below a no-op).
    session.clear();
    session.renew();
    let failed = |e: actix_session::SessionInsertError| {
        AppError::Internal(anyhow::anyhow!("storing the session: {e}"))
    };
    session.insert(SESSION_USER, user).map_err(failed)?;
    session
        .insert(SIGNED_IN_AT, signed_in_at_ms)
        .map_err(failed)?;
    if let Some(token) = id_token {
        session.insert(ID_TOKEN, token).map_err(failed)?;
    }
    Ok(())
}

/// Ends the session (the stored state is deleted: a copy of the cookie finds nothing). Returns
/// the id token of an OpenID Connect sign-in, for logout at the provider.
pub fn sign_out(session: &Session) -> Option<String> {
    let id_token = session.get::<String>(ID_TOKEN).ok().flatten();
    session.purge();
    id_token
}

/// The signed-in person and the roles they hold now; extracting it answers 401 when nobody is
/// signed in (or the session is past its absolute lifetime).
#[derive(Debug, Clone)]
pub struct Principal(pub SessionUser, Vec<Role>);

impl Principal {
    /// Whether the person holds `role` now.
    pub fn has(&self, role: Role) -> bool {
        self.1.contains(&role)
    }

    /// Refuses with 403 unless the person has `role`.
    pub fn require(&self, role: Role) -> Result<(), AppError> {
        if self.has(role) {
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
            roles: self.1.clone(),
            confirmed: self.0.confirmed,
        }
    }

    /// Reads the roles of `user` from organization membership.
    pub async fn of(state: &AppState, user: SessionUser) -> Result<Self, AppError> {
        let mut roles = vec![Role::Participant];
        let held = organizations::roles_of(&state.db, &user.subject).await?;
        for role in [Role::Staff, Role::Admin] {
            if held.contains(&role) {
                roles.push(role);
            }
        }
        Ok(Self(user, roles))
    }
}

impl FromRequest for Principal {
    type Error = AppError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let session = req.get_session();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| AppError::Internal(anyhow::anyhow!("no app state")))?;
            // An unreadable session is treated as none: the person signs in again.
            let Ok(Some(user)) = session.get::<SessionUser>(SESSION_USER) else {
                return Err(AppError::Unauthorized);
            };
            let signed_in_at = session.get::<i64>(SIGNED_IN_AT).ok().flatten().unwrap_or(0);
            let age_ms = state.session_clock.now().timestamp_millis() - signed_in_at;
            let absolute_ms =
                i64::try_from(state.settings.session_absolute_secs.saturating_mul(1000))
                    .unwrap_or(i64::MAX);
            if age_ms > absolute_ms {
                session.purge();
                return Err(AppError::Unauthorized);
            }
            Principal::of(&state, user).await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_ids_are_per_issuer_and_path_safe() {
        let a = VerifiedPerson::subject_id("https://id.example.ru", "123");
        assert_eq!(
            a,
            VerifiedPerson::subject_id("https://id.example.ru", "123")
        );
        assert_ne!(
            a,
            VerifiedPerson::subject_id("https://other.example.ru", "123")
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(
            VerifiedPerson::subject_id("ab", "c"),
            VerifiedPerson::subject_id("a", "bc")
        );
        assert!(a.starts_with("oidc:") && a[5..].chars().all(|c| c.is_ascii_hexdigit()));
    }
}
