//! Id tokens a real provider will not make. A rogue OpenID provider, written here, answers
//! discovery, its keys and the token endpoint, and signs whatever flaw the case asks for; our
//! callback must refuse each one with its own code and leave nobody signed in.

use std::sync::Mutex;

use actix_web::dev::ServerHandle;
use actix_web::{web, App, HttpResponse, HttpServer};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::{Padding, Rsa};
use openssl::sign::Signer;
use serde_json::{json, Value};
use statuspass_server::auth::VerifiedPerson;
use statuspass_server::configuration::Secret;

use crate::helpers::{spawn_app_with, Backend, TestApp};
use crate::oidc_helpers::{browser, free_port};

const CLIENT_ID: &str = "statuspass";
const KID: &str = "rogue-1";

/// What the rogue's token endpoint gets wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    Nothing,
    WrongNonce,
    WrongIssuer,
    WrongAudience,
    /// `exp` 10 minutes ago.
    Expired,
    /// `exp` 30 s ago: within the 60 s leeway.
    ExpiredWithinLeeway,
    /// `iat` 10 minutes ahead.
    IssuedInTheFuture,
    SignedWithAnotherKey,
    /// HS256 keyed with the client secret (which every holder of that secret could make).
    SymmetricWithTheClientSecret,
    /// `/token` answers 400 `invalid_grant`.
    RefusesTheCode,
}

/// What the rogue knows: the test sets the flaw and hands over the nonce of the authorize URL.
struct Rogue {
    issuer: String,
    key: PKey<Private>,
    flaw: Flaw,
    nonce: String,
    token_requests: usize,
}

type Shared = web::Data<Mutex<Rogue>>;

/// A running rogue provider on 127.0.0.1; stopped when dropped.
struct RogueProvider {
    issuer: String,
    shared: Shared,
    handle: ServerHandle,
}

impl RogueProvider {
    fn start(flaw: Flaw) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let shared: Shared = web::Data::new(Mutex::new(Rogue {
            issuer: issuer.clone(),
            key,
            flaw,
            nonce: String::new(),
            token_requests: 0,
        }));
        let data = shared.clone();
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route(
                    "/.well-known/openid-configuration",
                    web::get().to(discovery),
                )
                .route("/jwks", web::get().to(jwks))
                .route("/token", web::post().to(token))
        })
        .workers(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            issuer,
            shared,
            handle,
        }
    }

    fn set_nonce(&self, nonce: String) {
        self.shared.lock().unwrap().nonce = nonce;
    }

    fn token_requests(&self) -> usize {
        self.shared.lock().unwrap().token_requests
    }
}

impl Drop for RogueProvider {
    fn drop(&mut self) {
        // `stop` sends the command at once; the returned future only waits for it.
        drop(self.handle.stop(false));
    }
}

async fn discovery(rogue: Shared) -> HttpResponse {
    let issuer = rogue.lock().unwrap().issuer.clone();
    HttpResponse::Ok().json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "HS256"],
    }))
}

async fn jwks(rogue: Shared) -> HttpResponse {
    let rsa = rogue.lock().unwrap().key.rsa().unwrap();
    HttpResponse::Ok().json(json!({ "keys": [{
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": KID,
        "n": URL_SAFE_NO_PAD.encode(rsa.n().to_vec()),
        "e": URL_SAFE_NO_PAD.encode(rsa.e().to_vec()),
    }]}))
}

/// Accepts any code and any client authentication.
async fn token(rogue: Shared) -> HttpResponse {
    let mut rogue = rogue.lock().unwrap();
    rogue.token_requests += 1;
    let flaw = rogue.flaw;
    if flaw == Flaw::RefusesTheCode {
        return HttpResponse::BadRequest().json(json!({ "error": "invalid_grant" }));
    }
    let claims = id_token_claims(&rogue.issuer, &rogue.nonce, flaw);
    let id_token = if flaw == Flaw::SignedWithAnotherKey {
        // Same `kid` as the published key, so only the signature gives it away.
        sign(
            &PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap(),
            &claims,
        )
    } else if flaw == Flaw::SymmetricWithTheClientSecret {
        sign_hs256(b"s", &claims)
    } else {
        sign(&rogue.key, &claims)
    };
    HttpResponse::Ok().json(json!({
        "access_token": "x",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": id_token,
    }))
}

fn id_token_claims(issuer: &str, nonce: &str, flaw: Flaw) -> Value {
    let now = chrono::Utc::now().timestamp();
    let minute = 60;
    let (iat, exp) = match flaw {
        Flaw::Expired => (now - 15 * minute, now - 10 * minute),
        Flaw::ExpiredWithinLeeway => (now - 5 * minute, now - 30),
        Flaw::IssuedInTheFuture => (now + 10 * minute, now + 20 * minute),
        _ => (now, now + 5 * minute),
    };
    json!({
        "iss": if flaw == Flaw::WrongIssuer { "https://id.elsewhere.example" } else { issuer },
        "aud": if flaw == Flaw::WrongAudience { "other-client" } else { CLIENT_ID },
        "sub": "rogue-sub",
        "iat": iat,
        "exp": exp,
        "nonce": if flaw == Flaw::WrongNonce { "not-the-nonce-we-were-sent" } else { nonce },
        "trusted": true,
        "snils": "11223344595",
        "family_name": "Петров",
        "given_name": "Пётр",
        "middle_name": "Петрович",
    })
}

/// A compact RS256 JWS (RSASSA-PKCS1-v1_5 with SHA-256).
fn sign(key: &PKey<Private>, claims: &Value) -> String {
    let header = json!({ "alg": "RS256", "typ": "JWT", "kid": KID });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut signer = Signer::new(MessageDigest::sha256(), key).unwrap();
    signer.set_rsa_padding(Padding::PKCS1).unwrap();
    signer.update(input.as_bytes()).unwrap();
    let signature = signer.sign_to_vec().unwrap();
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

/// A compact HS256 JWS keyed with `secret`.
fn sign_hs256(secret: &[u8], claims: &Value) -> String {
    let header = json!({ "alg": "HS256", "typ": "JWT" });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let key = PKey::hmac(secret).unwrap();
    let mut signer = Signer::new(MessageDigest::sha256(), &key).unwrap();
    signer.update(input.as_bytes()).unwrap();
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(signer.sign_to_vec().unwrap())
    )
}

/// Our server (SQLite) signing in through the provider at `issuer`.
async fn spawn_app_trusting(issuer: &str) -> TestApp {
    let port = free_port();
    spawn_app_with(Backend::Sqlite, |s| {
        s.bind = format!("127.0.0.1:{port}");
        s.public_url = Some(format!("http://127.0.0.1:{port}"));
        s.oidc_issuer = Some(issuer.to_owned());
        s.oidc_client_id = Some(CLIENT_ID.into());
        s.oidc_client_secret = Some(Secret::new("s".into()));
    })
    .await
}

/// Starts a sign-in on `client`, hands the nonce of the authorize URL to the rogue and comes
/// back to our callback as if the person had consented; returns the callback's answer.
async fn sign_in_through(
    app: &TestApp,
    rogue: &RogueProvider,
    client: &reqwest::Client,
) -> reqwest::Response {
    let start = client
        .get(app.url("/api/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(start.status(), 303, "start redirects to the provider");
    let location = start.headers()["location"].to_str().unwrap();
    let authorize = reqwest::Url::parse(location).unwrap();
    assert!(
        location.starts_with(&format!("{}/authorize?", rogue.issuer)),
        "{location}"
    );
    let param = |name: &str| {
        authorize
            .query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .unwrap_or_else(|| panic!("no {name} in {location}"))
    };
    let state = param("state");
    rogue.set_nonce(param("nonce"));
    client
        .get(app.url("/api/auth/oidc/callback"))
        .query(&[("code", "anything"), ("state", state.as_str())])
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
}

async fn me_status(app: &TestApp, client: &reqwest::Client) -> u16 {
    let r = client.get(app.url("/api/me")).send().await.unwrap();
    r.status().as_u16()
}

/// The callback refuses a token with `flaw` with 400 `code`, after asking the token endpoint,
/// and nobody is signed in.
async fn assert_refused(flaw: Flaw, code: &str) {
    let rogue = RogueProvider::start(flaw);
    let app = spawn_app_trusting(&rogue.issuer).await;
    let (client, _) = browser();
    let r = sign_in_through(&app, &rogue, &client).await;
    assert_eq!(r.status(), 400, "{flaw:?}");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], code, "{flaw:?}: {body}");
    assert_eq!(
        rogue.token_requests(),
        1,
        "the refusal came after the token"
    );
    assert_eq!(me_status(&app, &client).await, 401, "nobody half signed in");
}

/// The callback accepts the token with `flaw`: the person lands signed in.
async fn assert_accepted(flaw: Flaw) -> (TestApp, RogueProvider, reqwest::Client) {
    let rogue = RogueProvider::start(flaw);
    let app = spawn_app_trusting(&rogue.issuer).await;
    let (client, _) = browser();
    let r = sign_in_through(&app, &rogue, &client).await;
    let status = r.status();
    assert_eq!(status, 303, "{flaw:?}: {}", r.text().await.unwrap());
    assert_eq!(r.headers()["location"], "/");
    assert_eq!(me_status(&app, &client).await, 200);
    (app, rogue, client)
}

#[tokio::test]
async fn a_correct_token_signs_the_person_in() {
    let (app, rogue, client) = assert_accepted(Flaw::Nothing).await;
    let me = app.get_json(&client, "/api/me").await;
    assert_eq!(me["confirmed"], true, "{me}");
    assert_eq!(me["name"], "Петров Пётр Петрович");
    assert_eq!(
        me["key"],
        VerifiedPerson::subject_id(&rogue.issuer, "rogue-sub")
    );
}

#[tokio::test]
async fn a_token_expired_within_the_leeway_is_accepted() {
    assert_accepted(Flaw::ExpiredWithinLeeway).await;
}

#[tokio::test]
async fn a_token_with_another_nonce_is_refused() {
    assert_refused(Flaw::WrongNonce, "invalid_nonce").await;
}

#[tokio::test]
async fn a_token_from_another_issuer_is_refused() {
    assert_refused(Flaw::WrongIssuer, "invalid_issuer").await;
}

#[tokio::test]
async fn a_token_for_another_client_is_refused() {
    assert_refused(Flaw::WrongAudience, "invalid_audience").await;
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    assert_refused(Flaw::Expired, "id_token_expired").await;
}

#[tokio::test]
async fn a_token_signed_with_an_unpublished_key_is_refused() {
    assert_refused(Flaw::SignedWithAnotherKey, "invalid_signature").await;
}

#[tokio::test]
async fn a_token_signed_with_the_client_secret_is_refused() {
    // HS256 keyed with the client secret: the library would accept it; we allow asymmetric
    // signatures only.
    assert_refused(Flaw::SymmetricWithTheClientSecret, "invalid_signature").await;
}

#[tokio::test]
async fn a_token_issued_in_the_future_is_refused() {
    // Beyond the leeway: `iat > now + oidc_leeway_secs`.
    assert_refused(Flaw::IssuedInTheFuture, "invalid_id_token").await;
}

#[tokio::test]
async fn a_code_the_provider_refuses_is_code_rejected() {
    assert_refused(Flaw::RefusesTheCode, "code_rejected").await;
}

#[tokio::test]
async fn an_unreachable_provider_is_a_503_not_a_crash() {
    let closed = free_port();
    let app = spawn_app_trusting(&format!("http://127.0.0.1:{closed}")).await;
    let (client, _) = browser();
    let start = app.url("/api/auth/oidc/start");
    let r = client
        .get(&start)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "provider_unavailable", "{body}");
    let r = client.get(&start).send().await.unwrap();
    assert_eq!(r.status(), 503);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("data-error=\"provider_unavailable\""),
        "{page}"
    );
    let r = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200, "the server is still up");
    assert_eq!(me_status(&app, &client).await, 401);
}
