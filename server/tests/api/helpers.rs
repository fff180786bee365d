//! `spawn_app()`: a real server on port 0 with a fresh database (and Redis namespace), a clock
//! the test can move and a registry that counts its calls.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use serde_json::Value;
use sqlx::Connection;
use statuspass_server::clock::ManualClock;
use statuspass_server::configuration::{Secret, Settings};
use statuspass_server::registry::demo::DemoRegistry;
use statuspass_server::registry::{Confirmed, Lookup, Registry, RegistryError, RegistryRecord};
use statuspass_server::startup::{AppState, Application, Overrides};
use statuspass_shared::{PassId, Snils, StatusKind};

/// The two storage setups every contract test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded default: SQLite file, passes in the same database.
    Sqlite,
    /// Production: PostgreSQL, passes in Redis.
    PostgresRedis,
}

/// Where the test PostgreSQL server is (a fresh database is created per test).
pub fn postgres_admin_url() -> String {
    std::env::var("STATUSPASS_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Where the test Redis is (a fresh key prefix is used per test).
pub fn redis_url() -> String {
    std::env::var("STATUSPASS_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Creates an empty PostgreSQL database and returns its URL. Fails (never skips) when the
/// server is unreachable: the contract suite must run on both setups.
pub async fn fresh_postgres_database() -> String {
    let admin = postgres_admin_url();
    let name = format!("sp_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .unwrap_or_else(|e| {
            panic!("PostgreSQL at {admin} is required for the contract tests: {e}")
        });
    sqlx::query(&format!(r#"CREATE DATABASE "{name}""#))
        .execute(&mut conn)
        .await
        .expect("creating a test database");
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

/// A registry that counts lookups, in front of the demo data.
pub struct CountingRegistry<R = RegistryRecord> {
    inner: DemoRegistry<R>,
    pub calls: AtomicUsize,
}

impl<R> CountingRegistry<R> {
    fn new(inner: DemoRegistry<R>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            calls: AtomicUsize::new(0),
        })
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl<R: Clone + Send + Sync + 'static> Registry<R> for CountingRegistry<R> {
    async fn lookup(&self, snils: &Snils) -> Result<Lookup<R>, RegistryError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.lookup(snils).await
    }
}

pub struct TestApp {
    pub address: String,
    pub clock: ManualClock,
    /// The Ministry of Defence registry (СВО statuses).
    pub registry: Arc<CountingRegistry>,
    /// The education registry (`student`).
    pub education: Arc<CountingRegistry<Confirmed>>,
    /// The social-support registry (`large_family`).
    pub social: Arc<CountingRegistry<Confirmed>>,
    pub state: actix_web::web::Data<AppState>,
    pub public_url: String,
    /// `http://127.0.0.1:{port}/metrics` when the metrics address is set.
    pub metrics_url: Option<String>,
    /// Cookie-keeping client: one signed-in person per client.
    pub client: reqwest::Client,
    _data_dir: tempfile::TempDir,
}

/// Settings for a test app on `backend`; `tweak` adjusts them before start.
pub async fn test_settings(backend: Backend, data_dir: &std::path::Path) -> Settings {
    let mut s = Settings::defaults().expect("default settings");
    s.bind = "127.0.0.1:0".into();
    s.data_dir = data_dir.to_path_buf();
    s.web_dir = data_dir.join("no-web");
    s.public_url = Some("https://pass.example.test".into());
    s.alias_origins = vec!["https://www.gosuslugi.ru".into()];
    if backend == Backend::PostgresRedis {
        s.database_url = Some(Secret::new(fresh_postgres_database().await));
        s.redis_url = Some(Secret::new(redis_url()));
        s.redis_prefix = format!("sptest:{}:", uuid::Uuid::new_v4().simple());
    }
    s
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, tweak: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(backend, data_dir.path()).await;
    tweak(&mut settings);
    let public_url = settings.public_url();
    let clock = ManualClock::starting_now();
    let registry = CountingRegistry::new(DemoRegistry::load().expect("demo registry"));
    let education = CountingRegistry::new(DemoRegistry::education().expect("demo registry"));
    let social = CountingRegistry::new(DemoRegistry::social().expect("demo registry"));
    let app = Application::build_with(
        settings,
        Overrides {
            clock: Some(Arc::new(clock.clone())),
            registry: Some(registry.clone()),
            session_clock: None,
            education_registry: Some(education.clone()),
            social_registry: Some(social.clone()),
        },
    )
    .await
    .expect("building the app");
    let address = format!("http://127.0.0.1:{}", app.port());
    let metrics_url = app
        .metrics_port()
        .map(|port| format!("http://127.0.0.1:{port}/metrics"));
    let state = app.state();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        clock,
        registry,
        education,
        social,
        state,
        public_url,
        metrics_url,
        client: new_client(),
        _data_dir: data_dir,
    }
}

pub fn new_client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("http client")
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub fn registry_calls(&self) -> usize {
        self.registry.calls()
    }

    /// Lookups in the registry that confirms `kind` (0 for `adult`: it asks none).
    pub fn source_calls(&self, kind: StatusKind) -> usize {
        match kind {
            StatusKind::SvoParticipant | StatusKind::SvoFamily => self.registry.calls(),
            StatusKind::Student => self.education.calls(),
            StatusKind::LargeFamily => self.social.calls(),
            StatusKind::Adult => 0,
        }
    }

    /// A new client (a second person) against the same server.
    pub fn another_client(&self) -> reqwest::Client {
        new_client()
    }

    pub async fn sign_in_as(&self, client: &reqwest::Client, key: &str) -> reqwest::Response {
        client
            .post(self.url("/api/auth/demo"))
            .json(&serde_json::json!({ "key": key }))
            .send()
            .await
            .expect("request")
    }

    /// Signs the default client in; panics unless it worked.
    pub async fn sign_in(&self, key: &str) {
        let r = self.sign_in_as(&self.client, key).await;
        assert_eq!(r.status(), 200, "demo sign-in as {key}");
    }

    pub async fn post_pass_with(&self, client: &reqwest::Client) -> reqwest::Response {
        client
            .post(self.url("/api/pass"))
            .send()
            .await
            .expect("request")
    }

    pub async fn post_pass(&self) -> reqwest::Response {
        self.post_pass_with(&self.client).await
    }

    /// `POST /api/pass {"status": kind}` as `client`.
    pub async fn post_pass_of(
        &self,
        client: &reqwest::Client,
        kind: StatusKind,
    ) -> reqwest::Response {
        client
            .post(self.url("/api/pass"))
            .json(&serde_json::json!({ "status": kind }))
            .send()
            .await
            .expect("request")
    }

    /// Signs `key` in on a fresh client and asks for a pass of `kind`: (status, JSON answer).
    pub async fn pass_of(&self, key: &str, kind: StatusKind) -> (u16, Value) {
        let client = self.client_for(key).await;
        let r = self.post_pass_of(&client, kind).await;
        (r.status().as_u16(), r.json().await.expect("json"))
    }

    pub async fn post_scan_with(&self, client: &reqwest::Client, body: Value) -> reqwest::Response {
        client
            .post(self.url("/api/scan"))
            .json(&body)
            .send()
            .await
            .expect("request")
    }

    pub async fn post_scan(&self, body: Value) -> reqwest::Response {
        self.post_scan_with(&self.client, body).await
    }

    /// Scans `code` as a private person and returns the JSON answer (asserting 200).
    pub async fn scan_code(&self, code: &str) -> Value {
        let r = self.post_scan(serde_json::json!({ "code": code })).await;
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }

    /// Signs a participant in on a fresh client and returns their pass link and id.
    pub async fn issue_pass_for(&self, key: &str) -> (String, PassId) {
        let client = self.another_client();
        assert_eq!(self.sign_in_as(&client, key).await.status(), 200);
        let r = self.post_pass_with(&client).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["outcome"], "issued", "{body}");
        let id = PassId::parse(body["id"].as_str().expect("id")).expect("v4 id");
        (body["link"].as_str().expect("link").to_owned(), id)
    }

    pub async fn holds_registry_data(&self, id: PassId) -> bool {
        self.state
            .passes
            .store()
            .holds_registry_data(id)
            .await
            .expect("store reachable")
    }
}

/// Runs one async test body once per backend, as two `#[tokio::test]`s.
#[macro_export]
macro_rules! contract_test {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test]
            async fn on_sqlite() {
                ($body)($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test]
            async fn on_postgres_and_redis() {
                ($body)($crate::helpers::Backend::PostgresRedis).await
            }
        }
    };
}

/// The two demo organizations.
pub const ORG_A: &str = "1027700012340";
pub const ORG_B: &str = "1177847123453";

impl TestApp {
    /// Rows in the ledger of `ogrn`, all time.
    pub async fn ledger_rows(&self, ogrn: &str) -> u64 {
        let ogrn = statuspass_shared::Ogrn::parse(ogrn).unwrap();
        let from = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        let until = from + chrono::Duration::days(365 * 200);
        statuspass_server::store::ledger::count_between(&self.state.db, &ogrn, from, until)
            .await
            .unwrap()
    }

    /// Every ledger row, any organization.
    pub async fn ledger_total(&self) -> u64 {
        self.ledger_rows(ORG_A).await + self.ledger_rows(ORG_B).await
    }

    /// A signed-in client for a demo person.
    pub async fn client_for(&self, key: &str) -> reqwest::Client {
        let client = self.another_client();
        assert_eq!(
            self.sign_in_as(&client, key).await.status(),
            200,
            "sign in {key}"
        );
        client
    }
}

impl TestApp {
    /// `POST path` with a JSON `body` as `client`, answer parsed as JSON (any status).
    pub async fn post_json(&self, client: &reqwest::Client, path: &str, body: Value) -> Value {
        json_answer(client.post(self.url(path)).json(&body)).await
    }

    /// `GET path` as `client`, answer parsed as JSON (any status).
    pub async fn get_json(&self, client: &reqwest::Client, path: &str) -> Value {
        json_answer(client.get(self.url(path))).await
    }
}

/// Sends `request` and parses the answer as JSON (any status).
async fn json_answer(request: reqwest::RequestBuilder) -> Value {
    request
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json")
}

/// The link of an issue answer without its fragment (the offline token): what a plain phone
/// camera opens, and the whole link before offline tokens.
pub fn bare_link(issued: &Value) -> String {
    let link = issued["link"].as_str().expect("link");
    link.split_once('#')
        .map_or(link, |(bare, _)| bare)
        .to_owned()
}

/// The code a holder's phone shows at `unix_ms` for a dynamic pass, from its issue answer.
pub fn code_at(issued: &Value, unix_ms: i64) -> String {
    let secret = issued["dynamic"]["secret"]
        .as_str()
        .and_then(statuspass_shared::DynamicSecret::from_hex)
        .unwrap_or_else(|| panic!("not a dynamic pass: {issued}"));
    let link = issued["link"].as_str().expect("link");
    statuspass_shared::dynamic::code_link(link, &secret, unix_ms)
}

impl TestApp {
    /// Now on the test clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        use statuspass_server::clock::Clock;
        self.clock.now().timestamp_millis()
    }

    /// A signed-in staff member's client (private scans).
    pub async fn staff(&self) -> reqwest::Client {
        self.client_for("staff-none").await
    }

    /// Scans `code` as `client` (staff) and returns the JSON answer (asserting 200).
    pub async fn scan_as(&self, client: &reqwest::Client, code: &str) -> Value {
        let r = self
            .post_scan_with(client, serde_json::json!({ "code": code }))
            .await;
        assert_eq!(r.status(), 200);
        r.json().await.expect("json")
    }
}
