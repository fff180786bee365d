//! Session lifetimes (idle and absolute, on a session clock the test moves) and revocation:
//! logout ends the stored session, here and on every instance sharing the storage.

use std::sync::Arc;

use chrono::Duration;
use redis::AsyncCommands;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use statuspass_server::clock::ManualClock;
use statuspass_server::configuration::{Secret, Settings};
use statuspass_server::startup::{Application, Overrides};

use crate::contract_test;
use crate::helpers::{redis_url, test_settings, Backend};
use crate::oidc_helpers::browser;

const IDLE_SECS: u64 = 600;
const ABSOLUTE_SECS: u64 = 3600;

/// A server whose session lifetimes follow `session_clock`.
struct Instance {
    address: String,
    _data_dir: tempfile::TempDir,
}

impl Instance {
    async fn start(mut settings: Settings, session_clock: &ManualClock) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        settings.data_dir = data_dir.path().to_path_buf();
        settings.web_dir = data_dir.path().join("no-web");
        let app = Application::build_with(
            settings,
            Overrides {
                clock: Some(Arc::new(ManualClock::starting_now())),
                session_clock: Some(Arc::new(session_clock.clone())),
                ..Overrides::default()
            },
        )
        .await
        .expect("building the app");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        Self {
            address,
            _data_dir: data_dir,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Signs the demo person Ivanov in on `client`.
    async fn sign_in_ivanov(&self, client: &reqwest::Client) {
        let r = client
            .post(self.url("/api/auth/demo"))
            .json(&serde_json::json!({ "key": "ivanov" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "demo sign-in");
    }

    async fn me_status(&self, client: &reqwest::Client) -> u16 {
        let r = client.get(self.url("/api/me")).send().await.unwrap();
        r.status().as_u16()
    }

    /// `GET /api/me` from a fresh client that brings `cookie` and nothing else.
    async fn me_status_with_cookie(&self, cookie: &HeaderValue) -> u16 {
        let r = reqwest::Client::new()
            .get(self.url("/api/me"))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        r.status().as_u16()
    }

    async fn logout(&self, client: &reqwest::Client) {
        let r = client
            .post(self.url("/api/auth/logout"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "logout: {}", r.status());
    }

    /// The cookies `jar` would send here.
    fn cookies_in(&self, jar: &Jar) -> HeaderValue {
        jar.cookies(&self.address.parse().unwrap())
            .expect("a session cookie")
    }
}

/// Settings on `backend` with a 10-minute idle and a 1-hour absolute session lifetime (the
/// data dir is each instance's own, set by [`Instance::start`]).
async fn short_session_settings(backend: Backend) -> Settings {
    let mut s = test_settings(backend, &std::env::temp_dir()).await;
    s.session_idle_secs = IDLE_SECS;
    s.session_absolute_secs = ABSOLUTE_SECS;
    s
}

async fn spawn(backend: Backend) -> (Instance, ManualClock) {
    let settings = short_session_settings(backend).await;
    let clock = ManualClock::starting_now();
    (Instance::start(settings, &clock).await, clock)
}

contract_test!(
    a_session_used_every_five_minutes_lasts_fifty_minutes,
    |backend: Backend| async move {
        let (app, clock) = spawn(backend).await;
        let (client, _) = browser();
        app.sign_in_ivanov(&client).await;
        for step in 1..=10 {
            clock.advance(Duration::minutes(5));
            assert_eq!(
                app.me_status(&client).await,
                200,
                "after {} minutes",
                step * 5
            );
        }
    }
);

// SQLite only: there the idle deadline is a column compared with the session clock. Redis
// expires the key on its own clock (`SET … PX`, `PEXPIRE`), which the test cannot move; the
// next test checks that deadline instead.
#[tokio::test]
async fn a_session_idle_for_eleven_minutes_is_signed_out() {
    let (app, clock) = spawn(Backend::Sqlite).await;
    let (client, _) = browser();
    app.sign_in_ivanov(&client).await;
    clock.advance(Duration::minutes(9));
    assert_eq!(app.me_status(&client).await, 200, "9 minutes idle");
    clock.advance(Duration::minutes(11));
    assert_eq!(app.me_status(&client).await, 401, "11 minutes idle");
}

// SQLite only, as above. The deadline moves at most once a minute (a tenth of the idle
// lifetime when shorter): requests in between write nothing, so a session can end up to that
// step early, never late.
#[tokio::test]
async fn the_idle_deadline_moves_at_most_once_a_step() {
    let (app, clock) = spawn(Backend::Sqlite).await;
    let (client, _) = browser();
    app.sign_in_ivanov(&client).await;
    clock.advance(Duration::seconds(30));
    assert_eq!(app.me_status(&client).await, 200, "30 s after sign-in");
    clock.advance(Duration::seconds(570 + 1));
    assert_eq!(
        app.me_status(&client).await,
        401,
        "the request 30 s after sign-in did not move the deadline"
    );

    let (client, _) = browser();
    app.sign_in_ivanov(&client).await;
    clock.advance(Duration::seconds(61));
    assert_eq!(app.me_status(&client).await, 200);
    clock.advance(Duration::seconds(570));
    assert_eq!(
        app.me_status(&client).await,
        200,
        "the request 61 s after sign-in moved it"
    );
}

#[tokio::test]
async fn in_redis_a_session_expires_after_the_idle_lifetime() {
    let settings = short_session_settings(Backend::PostgresRedis).await;
    let prefix = settings.redis_prefix.clone();
    let clock = ManualClock::starting_now();
    let app = Instance::start(settings, &clock).await;
    let (client, _) = browser();
    app.sign_in_ivanov(&client).await;
    assert_eq!(app.me_status(&client).await, 200);
    let mut redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let keys: Vec<String> = redis.keys(format!("{prefix}session:*")).await.unwrap();
    assert_eq!(keys.len(), 1, "one stored session: {keys:?}");
    let ttl_ms: i64 = redis.pttl(&keys[0]).await.unwrap();
    let idle_ms = i64::try_from(IDLE_SECS * 1000).unwrap();
    assert!(
        (idle_ms - 10_000..=idle_ms).contains(&ttl_ms),
        "expires {ttl_ms} ms from now, not after the idle {idle_ms} ms"
    );
}

contract_test!(
    a_session_ends_at_its_absolute_lifetime_however_busy,
    |backend: Backend| async move {
        let (app, clock) = spawn(backend).await;
        let (client, _) = browser();
        app.sign_in_ivanov(&client).await;
        for step in 1..=12 {
            clock.advance(Duration::minutes(5));
            assert_eq!(
                app.me_status(&client).await,
                200,
                "after {} minutes",
                step * 5
            );
        }
        clock.advance(Duration::minutes(1));
        assert_eq!(app.me_status(&client).await, 401, "after 61 minutes");
        // Ended, not only refused once.
        assert_eq!(app.me_status(&client).await, 401);
    }
);

contract_test!(
    a_cookie_replayed_after_logout_is_refused,
    |backend: Backend| async move {
        let (app, _clock) = spawn(backend).await;
        let (client, jar) = browser();
        app.sign_in_ivanov(&client).await;
        let copied = app.cookies_in(&jar);
        assert_eq!(
            app.me_status_with_cookie(&copied).await,
            200,
            "the copy works before logout"
        );
        app.logout(&client).await;
        assert_eq!(app.me_status_with_cookie(&copied).await, 401);
        assert_eq!(app.me_status(&client).await, 401);
    }
);

/// 64 bytes, the same on both instances.
fn shared_session_key() -> Secret<String> {
    Secret::new("5e".repeat(64))
}

#[tokio::test]
async fn a_session_is_valid_on_every_instance_and_logout_on_one_ends_it_on_all() {
    let mut settings = short_session_settings(Backend::PostgresRedis).await;
    settings.session_key = Some(shared_session_key());
    let clock = ManualClock::starting_now();
    // Same database URL, Redis URL and prefix, session key; its own data dir and port.
    let a = Instance::start(settings.clone(), &clock).await;
    let b = Instance::start(settings, &clock).await;
    assert_ne!(a.address, b.address);
    let (client, jar) = browser();
    a.sign_in_ivanov(&client).await;
    let cookie = a.cookies_in(&jar);
    assert_eq!(b.me_status_with_cookie(&cookie).await, 200, "valid on B");
    a.logout(&client).await;
    assert_eq!(b.me_status_with_cookie(&cookie).await, 401, "ended on B");
    assert_eq!(a.me_status_with_cookie(&cookie).await, 401, "ended on A");
}
