//! A real OpenID provider for the tests (`tests/oidc/provider.mjs`: npm `oidc-provider`, pinned)
//! and a browser-like client that signs in through it over HTTP: authorize → login form →
//! consent → our callback.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use crate::helpers::{spawn_app_with, Backend, TestApp};

/// The provider's static client (see tests/oidc/README.md).
pub const CLIENT_ID: &str = "statuspass";
pub const CLIENT_SECRET: &str = "statuspass-test-secret";

/// A running `oidc-provider` on 127.0.0.1; killed when dropped.
pub struct OidcProvider {
    child: Child,
    pub issuer: String,
}

impl OidcProvider {
    /// Starts the provider for a client redirecting to `redirect_uri`. Fails (never skips) when
    /// Node.js or the npm packages are missing: `scripts/test.sh` installs them (`npm ci`).
    pub fn start(redirect_uri: &str) -> Self {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/oidc");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .exists(),
            "tests/oidc/node_modules is missing: run `npm ci` in tests/oidc (scripts/test.sh does)"
        );
        let mut child = Command::new("node")
            .current_dir(dir)
            .args([
                "provider.mjs",
                "--port",
                "0",
                "--redirect-uri",
                redirect_uri,
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting node tests/oidc/provider.mjs (is Node.js installed?)");
        let stdout = child.stdout.take().expect("provider stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the provider's ready line");
        let ready: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("provider did not start ({e}): {line:?}"));
        Self {
            child,
            issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
        }
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (the provider needs our callback URL before our server starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A statuspass server with OpenID Connect sign-in against a fresh provider.
pub async fn spawn_oidc_app(backend: Backend) -> (TestApp, OidcProvider) {
    let port = free_port();
    let public_url = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(&format!("{public_url}/api/auth/oidc/callback"));
    let issuer = provider.issuer.clone();
    let app = spawn_app_with(backend, |s| {
        s.bind = format!("127.0.0.1:{port}");
        s.public_url = Some(public_url);
        s.oidc_issuer = Some(issuer);
        s.oidc_client_id = Some(CLIENT_ID.into());
        s.oidc_client_secret = Some(statuspass_server::configuration::Secret::new(
            CLIENT_SECRET.into(),
        ));
    })
    .await;
    (app, provider)
}

/// A cookie-keeping client that does not follow redirects (the test follows them, so it can
/// stop at our callback).
pub fn browser() -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    (client, jar)
}

/// What to do at the provider's consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

fn location(r: &reqwest::Response) -> String {
    let loc = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("a Location header");
    r.url().join(loc).expect("a valid Location").to_string()
}

/// The `action` of the form whose action ends with `suffix`.
fn form_action(page: &str, suffix: &str) -> Option<String> {
    page.match_indices("action=\"").find_map(|(i, m)| {
        let rest = &page[i + m.len()..];
        let action = &rest[..rest.find('"')?];
        action.ends_with(suffix).then(|| action.to_owned())
    })
}

impl TestApp {
    /// `GET /api/auth/oidc/start` and through the provider as `login` (password `test`), up to
    /// the redirect to our callback; returns that callback URL, not yet requested.
    pub async fn authorize_at_provider(
        &self,
        client: &reqwest::Client,
        login: &str,
        return_to: &str,
        consent: Consent,
    ) -> String {
        let callback = self.url("/api/auth/oidc/callback");
        let mut r = client
            .get(self.url("/api/auth/oidc/start"))
            .query(&[("return_to", return_to)])
            .send()
            .await
            .expect("start");
        assert_eq!(r.status(), 303, "start redirects to the provider");
        for _ in 0..20 {
            if r.status().is_redirection() {
                let next = location(&r);
                if next.starts_with(&callback) {
                    return next;
                }
                r = client.get(&next).send().await.expect("follow");
                continue;
            }
            assert_eq!(r.status(), 200, "provider page at {}", r.url());
            let base = r.url().clone();
            let page = r.text().await.expect("page");
            let post = |action: String, form: Vec<(&'static str, String)>| {
                let url = base.join(&action).expect("form action");
                client.post(url).form(&form).send()
            };
            r = if let Some(action) = form_action(&page, "/login") {
                post(
                    action,
                    vec![("login", login.to_owned()), ("password", "test".into())],
                )
                .await
                .expect("login")
            } else if consent == Consent::Allow {
                let action = form_action(&page, "/confirm").expect("a consent form");
                post(action, vec![]).await.expect("consent")
            } else {
                let action = form_action(&page, "/abort").expect("a deny form");
                post(action, vec![]).await.expect("deny")
            };
        }
        panic!("no redirect to our callback after 20 steps");
    }

    /// Signs `login` in through the provider on `client`; returns our callback's answer.
    pub async fn oidc_sign_in(&self, client: &reqwest::Client, login: &str) -> reqwest::Response {
        let callback = self
            .authorize_at_provider(client, login, "/", Consent::Allow)
            .await;
        client.get(callback).send().await.expect("callback")
    }

    /// A fresh client signed in as `login` (asserting that it worked).
    pub async fn oidc_client_for(&self, login: &str) -> reqwest::Client {
        let (client, _) = browser();
        let r = self.oidc_sign_in(&client, login).await;
        assert_eq!(r.status(), 303, "sign-in of {login}");
        client
    }
}
