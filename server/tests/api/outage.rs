//! Storage that goes away: a TCP proxy in front of the real PostgreSQL and Redis is cut and
//! restored; the API answers 503 meanwhile and recovers without a restart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{fresh_postgres_database, redis_url, spawn_app_with, Backend};

/// Forwards connections to `target` while open; `cut()` drops every connection and refuses new;
/// `stall()` keeps every connection open but forwards nothing (a database that does not answer)
/// until `restore()`, which then drops the stalled connections.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let stalled = Arc::new(AtomicBool::new(false));
        let (tx, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(tx);
        let (o, st, g) = (open.clone(), stalled.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !o.load(Ordering::SeqCst) {
                    continue; // dropped: connection refused-ish
                }
                let target = target.clone();
                let mut change = g.subscribe();
                let stalled = st.clone();
                tokio::spawn(async move {
                    if stalled.load(Ordering::SeqCst) {
                        // Accepted, never answered; dropped at the restore.
                        let _ = change.changed().await;
                        return;
                    }
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = change.changed() => {
                            if stalled.load(Ordering::SeqCst) {
                                // Hold both ends silent until the next change (the restore).
                                let _ = change.changed().await;
                            }
                        }
                    }
                });
            }
        });
        Self {
            port,
            open,
            stalled,
            generation,
        }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
        self.stalled.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }
}

fn host_port(url: &str) -> String {
    let after = url.split("://").nth(1).unwrap();
    let after = after.rsplit('@').next().unwrap();
    after.split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn redis_and_postgres_going_away_answer_503_and_recover() {
    let (app, pg_proxy, redis_proxy) = app_behind_proxies(10_000).await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    app.sign_in("staff-none").await;

    redis_proxy.cut();
    let r = app.post_scan(serde_json::json!({"code": link})).await;
    assert_eq!(r.status(), 503);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "storage_unavailable"
    );
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 503);

    redis_proxy.restore();
    assert_eq!(
        app.scan_code(&link).await["result"],
        "valid",
        "recovers, pass intact"
    );

    pg_proxy.cut();
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    pg_proxy.restore();
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

/// The app on PostgreSQL and Redis, each behind its own proxy, with a short request deadline.
async fn app_behind_proxies(deadline_ms: u64) -> (crate::helpers::TestApp, Proxy, Proxy) {
    let db = fresh_postgres_database().await;
    let redis = redis_url();
    let pg_proxy = Proxy::start(host_port(&db)).await;
    let redis_proxy = Proxy::start(host_port(&redis)).await;
    let db_via_proxy = db.replacen(&host_port(&db), &format!("127.0.0.1:{}", pg_proxy.port), 1);
    let redis_via_proxy = format!("redis://127.0.0.1:{}", redis_proxy.port);
    let app = spawn_app_with(Backend::PostgresRedis, |s| {
        s.database_url = Some(statuspass_server::configuration::Secret::new(db_via_proxy));
        s.redis_url = Some(statuspass_server::configuration::Secret::new(
            redis_via_proxy,
        ));
        s.request_deadline_ms = deadline_ms;
    })
    .await;
    (app, pg_proxy, redis_proxy)
}

/// `n` organization scans of `link` at once, each with its own event id: (status, recorded,
/// seconds taken, Retry-After present) per answer.
async fn org_scans(
    app: &crate::helpers::TestApp,
    desk: &reqwest::Client,
    link: &str,
    n: usize,
) -> Vec<(u16, bool, f64, bool)> {
    let one = || async {
        let started = std::time::Instant::now();
        let body = serde_json::json!({
            "code": link,
            "on_behalf_of": crate::helpers::ORG_A,
            "event_id": uuid::Uuid::new_v4(),
        });
        let r = app.post_scan_with(desk, body).await;
        let status = r.status().as_u16();
        let retry_after = r.headers().contains_key("retry-after");
        let v: Value = r.json().await.unwrap_or(Value::Null);
        (
            status,
            v["recorded"] == true,
            started.elapsed().as_secs_f64(),
            retry_after,
        )
    };
    futures_util::future::join_all((0..n).map(|_| one())).await
}

async fn stalled_store_answers_in_bounded_time(stall_postgres: bool) {
    let (app, pg_proxy, redis_proxy) = app_behind_proxies(1_500).await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    let desk = app.client_for("staff-active").await;
    let mut recorded = org_scans(&app, &desk, &link, 8)
        .await
        .iter()
        .filter(|a| a.0 == 200 && a.1)
        .count();
    assert_eq!(recorded, 8, "before the stall every scan is recorded");

    let proxy = if stall_postgres {
        &pg_proxy
    } else {
        &redis_proxy
    };
    proxy.stall();
    let during = org_scans(&app, &desk, &link, 8).await;
    for (status, rec, secs, retry_after) in &during {
        assert_eq!(*status, 503, "a stalled store answers 503: {during:?}");
        assert!(retry_after, "with Retry-After");
        assert!(
            *secs < 4.0,
            "within the deadline, not the stall: {secs:.1} s"
        );
        assert!(!rec);
    }

    proxy.restore();
    let restored = std::time::Instant::now();
    // Recovers without a restart: the first answers may still wait for fresh connections.
    let mut ok = false;
    while restored.elapsed() < std::time::Duration::from_secs(10) {
        let after = org_scans(&app, &desk, &link, 1).await;
        if after[0].0 == 200 {
            recorded += usize::from(after[0].1);
            ok = true;
            break;
        }
    }
    assert!(ok, "answers again after the restore");
    let after = org_scans(&app, &desk, &link, 8).await;
    recorded += after.iter().filter(|a| a.0 == 200 && a.1).count();
    assert!(after.iter().all(|a| a.0 == 200), "{after:?}");
    assert_eq!(
        app.ledger_rows(crate::helpers::ORG_A).await as usize,
        recorded,
        "exactly one ledger row per `recorded: true` answer"
    );
}

#[tokio::test]
async fn a_stalled_postgres_answers_503_within_the_deadline_and_writes_only_what_it_answered() {
    stalled_store_answers_in_bounded_time(true).await;
}

#[tokio::test]
async fn a_stalled_redis_answers_503_within_the_deadline_and_recovers() {
    stalled_store_answers_in_bounded_time(false).await;
}
