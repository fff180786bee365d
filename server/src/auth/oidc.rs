//! OpenID Connect sign-in (authorization code + PKCE S256, `state`, `nonce`) with the
//! `openidconnect` crate, behind [`RedirectSignIn`] — the seam an ESIA adapter would fill
//! (ARCHITECTURE.md says what it needs).
//!
//! Discovery is lazy and cached for [`DISCOVERY_TTL`], so the server starts while the provider
//! is down and follows its key rotation. Every id token check is the library's (signature,
//! issuer, audience, expiry, nonce) with a stated clock-skew leeway (`oidc_leeway_secs`).

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use base64::Engine;
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreJwsSigningAlgorithm};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce, OAuth2TokenResponse,
    PkceCodeChallenge, PkceCodeVerifier, ProviderMetadataWithLogout, RedirectUrl,
    RequestTokenError, Scope, TokenResponse,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Mutex;

use super::claims::ClaimNames;
use super::VerifiedPerson;
use crate::configuration::Settings;

/// How long a discovery document (and the provider's keys) is used before it is fetched again.
pub const DISCOVERY_TTL: Duration = Duration::from_secs(15 * 60);

/// How long the browser may take at the provider before the callback is refused.
pub const PENDING_TTL_SECS: i64 = 15 * 60;

/// What the session keeps between the redirect to the provider and the callback.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSignIn {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Same-origin path to land on afterwards.
    pub return_to: String,
    pub started_at_ms: i64,
}

/// The query of the provider's redirect back to us.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// RFC 9207: the issuer that answered (checked when present: mix-up defence).
    pub iss: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Why a sign-in did not complete. Each has its own code and message; none leaves a session.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("identity provider unavailable: {0}")]
    ProviderUnavailable(String),
    #[error("the person declined at the provider")]
    Denied,
    #[error("the provider answered an error: {0}")]
    ProviderError(String),
    #[error("no sign-in in progress in this session")]
    NoPendingSignIn,
    #[error("sign-in took too long")]
    PendingExpired,
    #[error("state does not match")]
    StateMismatch,
    #[error("the authorization response names another issuer")]
    IssuerMismatch,
    #[error("the provider refused the code: {0}")]
    CodeRejected(String),
    #[error("id token refused ({code}): {reason}")]
    InvalidIdToken { code: &'static str, reason: String },
}

impl SignInError {
    /// Stable machine code of the JSON error / `data-error` of the page.
    pub fn code(&self) -> &'static str {
        match self {
            Self::ProviderUnavailable(_) => "provider_unavailable",
            Self::Denied => "sign_in_denied",
            Self::ProviderError(_) => "provider_error",
            Self::NoPendingSignIn => "no_sign_in_in_progress",
            Self::PendingExpired => "sign_in_expired",
            Self::StateMismatch => "invalid_state",
            Self::IssuerMismatch => "invalid_issuer",
            Self::CodeRejected(_) => "code_rejected",
            Self::InvalidIdToken { code, .. } => code,
        }
    }

    /// What the person reads.
    pub fn message(&self) -> &'static str {
        match self {
            Self::ProviderUnavailable(_) => "Служба входа временно недоступна, попробуйте позже",
            Self::Denied => "Вход отменён: доступ к данным не разрешён",
            Self::ProviderError(_) => "Служба входа вернула ошибку, попробуйте войти ещё раз",
            Self::NoPendingSignIn | Self::PendingExpired | Self::StateMismatch => {
                "Вход не завершён: начните вход заново с этой страницы"
            }
            Self::IssuerMismatch | Self::CodeRejected(_) | Self::InvalidIdToken { .. } => {
                "Не удалось подтвердить вход, попробуйте войти ещё раз"
            }
        }
    }

    /// 503 for an unreachable provider, 400 for everything the browser brought.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::ProviderUnavailable(_))
    }
}

fn id_token_error(e: &ClaimsVerificationError) -> SignInError {
    let code = match e {
        ClaimsVerificationError::InvalidAudience(_) => "invalid_audience",
        ClaimsVerificationError::InvalidIssuer(_) => "invalid_issuer",
        ClaimsVerificationError::InvalidNonce(_) => "invalid_nonce",
        ClaimsVerificationError::Expired(_) => "id_token_expired",
        ClaimsVerificationError::SignatureVerification(_) => "invalid_signature",
        _ => "invalid_id_token",
    };
    SignInError::InvalidIdToken {
        code,
        reason: e.to_string(),
    }
}

/// A sign-in that sends the browser to a provider and back.
#[async_trait]
pub trait RedirectSignIn: Send + Sync + 'static {
    /// The provider's name on the sign-in button.
    fn display_name(&self) -> &str;

    /// Where to send the browser, and what to keep in the session until it returns.
    async fn start(
        &self,
        return_to: String,
        now: DateTime<Utc>,
    ) -> Result<(String, PendingSignIn), SignInError>;

    /// The person the provider vouches for, and the raw id token (kept for logout).
    async fn finish(
        &self,
        pending: &PendingSignIn,
        callback: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<(VerifiedPerson, Option<String>), SignInError>;

    /// Where to send the browser to end the session at the provider too, if it offers that.
    async fn logout_url(&self, id_token: &str, post_logout_redirect: &str) -> Option<String>;
}

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    client: Client,
    userinfo: Option<String>,
    end_session: Option<String>,
    fetched: Instant,
}

/// OpenID Connect against one provider found by discovery.
pub struct OidcSignIn {
    issuer: String,
    client_id: String,
    client_secret: Option<String>,
    redirect_url: String,
    scopes: Vec<String>,
    display_name: String,
    claims: ClaimNames,
    leeway: chrono::Duration,
    http: reqwest::Client,
    discovered: Mutex<Option<Arc<Discovered>>>,
}

impl OidcSignIn {
    /// From the `oidc_*` settings; `None` when no issuer is configured.
    pub fn from_settings(s: &Settings) -> anyhow::Result<Option<Self>> {
        let Some(issuer) = &s.oidc_issuer else {
            return Ok(None);
        };
        let timeout = Duration::from_millis(s.oidc_timeout_ms);
        let http = reqwest::Client::builder()
            // Following redirects would open the client to SSRF.
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .build()?;
        Ok(Some(Self {
            // Exactly as configured: discovery compares the issuer to the letter.
            issuer: issuer.clone(),
            client_id: s.oidc_client_id.clone().unwrap_or_default(),
            client_secret: s.oidc_client_secret.as_ref().map(|x| x.expose().clone()),
            redirect_url: s.oidc_redirect_url(),
            scopes: s
                .oidc_scopes
                .split_whitespace()
                .filter(|x| *x != "openid")
                .map(str::to_owned)
                .collect(),
            display_name: s.oidc_display_name.clone(),
            claims: ClaimNames::from_settings(s),
            leeway: chrono::Duration::seconds(i64::try_from(s.oidc_leeway_secs)?),
            http,
            discovered: Mutex::new(None),
        }))
    }

    async fn provider(&self) -> Result<Arc<Discovered>, SignInError> {
        let mut cached = self.discovered.lock().await;
        if let Some(d) = cached
            .as_ref()
            .filter(|d| d.fetched.elapsed() < DISCOVERY_TTL)
        {
            return Ok(d.clone());
        }
        let issuer = IssuerUrl::new(self.issuer.clone())
            .map_err(|e| SignInError::ProviderUnavailable(format!("issuer URL: {e}")))?;
        let metadata = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| SignInError::ProviderUnavailable(format!("discovery: {e}")))?;
        let userinfo = metadata.userinfo_endpoint().map(|u| u.url().to_string());
        let end_session = metadata
            .additional_metadata()
            .end_session_endpoint
            .as_ref()
            .map(|u| u.url().to_string());
        let redirect = RedirectUrl::new(self.redirect_url.clone())
            .map_err(|e| SignInError::ProviderUnavailable(format!("redirect URL: {e}")))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.client_id.clone()),
            self.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect);
        let d = Arc::new(Discovered {
            client,
            userinfo,
            end_session,
            fetched: Instant::now(),
        });
        *cached = Some(d.clone());
        Ok(d)
    }

    /// Claims from the userinfo endpoint (JSON), for the same subject.
    async fn userinfo(
        &self,
        url: &str,
        access_token: &str,
        sub: &str,
    ) -> Result<Map<String, Value>, SignInError> {
        let unavailable = |e: reqwest::Error| {
            SignInError::ProviderUnavailable(format!("userinfo: {}", e.without_url()))
        };
        let response = self
            .http
            .get(url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(unavailable)?;
        if !response.status().is_success() {
            return Err(SignInError::ProviderUnavailable(format!(
                "userinfo answered {}",
                response.status()
            )));
        }
        let claims: Map<String, Value> = response.json().await.map_err(unavailable)?;
        if claims.get("sub").and_then(Value::as_str) != Some(sub) {
            return Err(SignInError::InvalidIdToken {
                code: "userinfo_mismatch",
                reason: "userinfo is about another subject".into(),
            });
        }
        Ok(claims)
    }
}

/// The id token signatures accepted.
const ASYMMETRIC_ALGS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// The provider's `error` as it may be logged: an OAuth error code (`[a-z_]`), else `other`
/// (the parameter is the browser's, anything may be in it).
fn loggable_error_code(error: &str) -> String {
    if !error.is_empty()
        && error.len() <= 64
        && error.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
    {
        error.to_owned()
    } else {
        "other".to_owned()
    }
}

/// The payload of a compact JWT whose signature the library has already checked.
fn jwt_payload(jwt: &str) -> Option<Map<String, Value>> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

#[async_trait]
impl RedirectSignIn for OidcSignIn {
    fn display_name(&self) -> &str {
        &self.display_name
    }

    async fn start(
        &self,
        return_to: String,
        now: DateTime<Utc>,
    ) -> Result<(String, PendingSignIn), SignInError> {
        let provider = self.provider().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = provider.client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            PendingSignIn {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                return_to,
                started_at_ms: now.timestamp_millis(),
            },
        ))
    }

    async fn finish(
        &self,
        pending: &PendingSignIn,
        callback: &CallbackQuery,
        now: DateTime<Utc>,
    ) -> Result<(VerifiedPerson, Option<String>), SignInError> {
        if callback.state.as_deref() != Some(pending.state.as_str()) {
            return Err(SignInError::StateMismatch);
        }
        if now.timestamp_millis() - pending.started_at_ms > PENDING_TTL_SECS * 1000 {
            return Err(SignInError::PendingExpired);
        }
        if let Some(error) = &callback.error {
            return Err(if error == "access_denied" {
                SignInError::Denied
            } else {
                SignInError::ProviderError(loggable_error_code(error))
            });
        }
        if callback
            .iss
            .as_deref()
            .is_some_and(|iss| iss.trim_end_matches('/') != self.issuer)
        {
            return Err(SignInError::IssuerMismatch);
        }
        let code = callback
            .code
            .clone()
            .ok_or_else(|| SignInError::ProviderError("no code in the callback".into()))?;
        let provider = self.provider().await?;
        let response = provider
            .client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| SignInError::ProviderUnavailable(format!("token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                RequestTokenError::ServerResponse(r) => {
                    SignInError::CodeRejected(r.error().to_string())
                }
                other => SignInError::ProviderUnavailable(format!("token endpoint: {other}")),
            })?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SignInError::InvalidIdToken {
                code: "invalid_id_token",
                reason: "the token response has no id token".into(),
            })?;
        let leeway = self.leeway;
        let verifier = provider
            .client
            .id_token_verifier()
            // Expiry is checked against `time_fn`: moving it back by the leeway accepts a
            // token up to `leeway` past its `exp`.
            .set_time_fn(move || now - leeway)
            // Asymmetric signatures only: an HS256 token keyed with the client secret could be
            // made by anyone who holds that secret.
            .set_allowed_algs(ASYMMETRIC_ALGS);
        let verified = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| id_token_error(&e))?;
        // Several audiences: the token must have been issued to us (the library leaves `azp`).
        if verified
            .authorized_party()
            .is_some_and(|azp| azp.as_str() != self.client_id)
        {
            return Err(SignInError::InvalidIdToken {
                code: "invalid_audience",
                reason: "azp names another client".into(),
            });
        }
        // Checked here rather than by the library, which reports it as "expired".
        if verified.issue_time() > now + leeway {
            return Err(SignInError::InvalidIdToken {
                code: "invalid_id_token",
                reason: format!("issued in the future ({})", verified.issue_time()),
            });
        }
        let sub = verified.subject().as_str().to_owned();
        let raw = serde_json::to_value(id_token)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let mut claims = jwt_payload(&raw).unwrap_or_default();
        if let Some(url) = &provider.userinfo {
            let more = self
                .userinfo(url, response.access_token().secret(), &sub)
                .await?;
            for (k, v) in more {
                claims.entry(k).or_insert(v);
            }
        }
        let person = self.claims.person(&self.issuer, &sub, &claims);
        Ok((person, Some(raw)))
    }

    async fn logout_url(&self, id_token: &str, post_logout_redirect: &str) -> Option<String> {
        let provider = self.provider().await.ok()?;
        let mut url = reqwest::Url::parse(provider.end_session.as_deref()?).ok()?;
        url.query_pairs_mut()
            .append_pair("id_token_hint", id_token)
            .append_pair("client_id", &self.client_id)
            .append_pair("post_logout_redirect_uri", post_logout_redirect);
        Some(url.to_string())
    }
}

/// A `return_to` that stays in this service: an absolute path under the public URL's path
/// `prefix` (`""` or e.g. `/sp`), not `//host` or `/\host`; anything else lands on the home
/// page.
pub fn safe_return_to(raw: Option<&str>, prefix: &str) -> String {
    let prefix = prefix.trim_end_matches('/');
    let under_prefix = |p: &str| {
        prefix.is_empty()
            || p == prefix
            || p.strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('/'))
    };
    match raw {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.starts_with("/\\")
                && p.len() <= 512
                && !p.chars().any(|c| c.is_control())
                && under_prefix(p) =>
        {
            p.to_owned()
        }
        _ => format!("{prefix}/"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_to_is_same_origin_only() {
        assert_eq!(safe_return_to(Some("/scan"), ""), "/scan");
        assert_eq!(safe_return_to(Some("/org?x=1"), ""), "/org?x=1");
        assert_eq!(safe_return_to(Some("/sp/scan"), "/sp"), "/sp/scan");
        assert_eq!(safe_return_to(Some("/other-app/x"), "/sp"), "/sp/");
        assert_eq!(safe_return_to(Some("/spx"), "/sp"), "/sp/");
        assert_eq!(safe_return_to(None, "/sp/"), "/sp/");
        for bad in [
            "https://evil.example",
            "//evil.example/x",
            "/\\evil.example",
            "scan",
            "/a\nb",
            "",
        ] {
            assert_eq!(safe_return_to(Some(bad), ""), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None, ""), "/");
        assert_eq!(loggable_error_code("server_error"), "server_error");
        assert_eq!(loggable_error_code("<script>x</script>"), "other");
    }

    #[test]
    fn jwt_payload_reads_the_middle_part() {
        let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(br#"{"sub":"a","trusted":true}"#);
        let m = jwt_payload(&format!("h.{payload}.s")).unwrap();
        assert_eq!(m["trusted"], Value::Bool(true));
        assert!(jwt_payload("garbage").is_none());
    }
}
