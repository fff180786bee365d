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
    let (app, pg_proxy, redis_proxy) = app_behind_proxies(|s| s.request_deadline_ms = 10_000).await;
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

/// The app on PostgreSQL and Redis, each behind its own proxy, with settings `tweak`ed.
async fn app_behind_proxies(
    tweak: impl FnOnce(&mut statuspass_server::configuration::Settings),
) -> (crate::helpers::TestApp, Proxy, Proxy) {
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
        tweak(s);
    })
    .await;
    (app, pg_proxy, redis_proxy)
}

/// One answer to an organization scan: HTTP status (0: the client gave up), whether it says
/// `recorded: true`, seconds taken, whether it carries `Retry-After`.
#[derive(Debug, Clone, Copy)]
struct Answer {
    status: u16,
    recorded: bool,
    secs: f64,
    retry_after: bool,
}

/// Organization scans of `link` at once, one per event id, from `desk`.
async fn org_scans(
    app: &crate::helpers::TestApp,
    desk: &reqwest::Client,
    link: &str,
    events: &[uuid::Uuid],
) -> Vec<Answer> {
    let one = |event_id: uuid::Uuid| async move {
        let started = std::time::Instant::now();
        let body = serde_json::json!({
            "code": link,
            "on_behalf_of": crate::helpers::ORG_A,
            "event_id": event_id,
        });
        let answer = desk.post(app.url("/api/scan")).json(&body).send().await;
        let Ok(r) = answer else {
            return Answer {
                status: 0,
                recorded: false,
                secs: started.elapsed().as_secs_f64(),
                retry_after: false,
            };
        };
        let status = r.status().as_u16();
        let retry_after = r.headers().contains_key("retry-after");
        let v: Value = r.json().await.unwrap_or(Value::Null);
        Answer {
            status,
            recorded: v["recorded"] == true,
            secs: started.elapsed().as_secs_f64(),
            retry_after,
        }
    };
    futures_util::future::join_all(events.iter().map(|e| one(*e))).await
}

fn fresh_events(n: usize) -> Vec<uuid::Uuid> {
    (0..n).map(|_| uuid::Uuid::new_v4()).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// Connections dropped, new ones refused.
    Cut,
    /// Connections held open, nothing answered.
    Stall,
}

/// Under organization scans, PostgreSQL or Redis fails (`fault`) and comes back:
/// - during the fault every answer is 503 with `Retry-After`, within the request deadline;
/// - within a second of the restore the service answers again, without a restart;
/// - desks that gave up during the fault retry with the same event ids;
/// - the ledger holds exactly one row per event answered `recorded: true`.
async fn store_fault_under_load(postgres: bool, fault: Fault) {
    let (app, pg_proxy, redis_proxy) = app_behind_proxies(|s| s.request_deadline_ms = 1_500).await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    let desk = app.client_for("staff-active").await;
    let impatient = {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .timeout(std::time::Duration::from_millis(300))
            .build()
            .unwrap();
        assert_eq!(app.sign_in_as(&client, "staff-active").await.status(), 200);
        client
    };
    let mut recorded = std::collections::HashSet::new();
    let mut tally = |events: &[uuid::Uuid], answers: &[Answer]| {
        for (e, a) in events.iter().zip(answers) {
            if a.status == 200 && a.recorded {
                recorded.insert(*e);
            }
        }
    };

    let before = fresh_events(8);
    let answers = org_scans(&app, &desk, &link, &before).await;
    assert!(
        answers.iter().all(|a| a.status == 200 && a.recorded),
        "{answers:?}"
    );
    tally(&before, &answers);

    let proxy = if postgres { &pg_proxy } else { &redis_proxy };
    match fault {
        Fault::Cut => proxy.cut(),
        Fault::Stall => proxy.stall(),
    }
    let during = fresh_events(8);
    let gave_up = fresh_events(4);
    let (answers, impatient_answers) = tokio::join!(
        org_scans(&app, &desk, &link, &during),
        org_scans(&app, &impatient, &link, &gave_up),
    );
    for a in &answers {
        assert_eq!(
            a.status, 503,
            "{fault:?}: a failed store answers 503: {answers:?}"
        );
        assert!(a.retry_after, "with Retry-After");
        assert!(
            a.secs < 4.0,
            "within the deadline, not the fault: {:.1} s",
            a.secs
        );
    }
    tally(&during, &answers);
    tally(&gave_up, &impatient_answers);

    proxy.restore();
    let restored = std::time::Instant::now();
    let mut back = None;
    while restored.elapsed() < std::time::Duration::from_secs(3) {
        let probe = fresh_events(1);
        let answer = org_scans(&app, &desk, &link, &probe).await;
        tally(&probe, &answer);
        if answer[0].status == 200 {
            back = Some(restored.elapsed());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let back = back.expect("answers again after the restore");
    assert!(
        back < std::time::Duration::from_secs(1),
        "{fault:?}: answers within a second of the restore, took {back:?}"
    );

    let after = fresh_events(8);
    let answers = org_scans(&app, &desk, &link, &after).await;
    assert!(answers.iter().all(|a| a.status == 200), "{answers:?}");
    tally(&after, &answers);
    // The desks that gave up retry with the same event ids: each is settled once.
    let retried = org_scans(&app, &desk, &link, &gave_up).await;
    assert!(
        retried.iter().all(|a| a.status == 200 && a.recorded),
        "{retried:?}"
    );
    tally(&gave_up, &retried);

    assert_eq!(
        app.ledger_rows(crate::helpers::ORG_A).await as usize,
        recorded.len(),
        "exactly one ledger row per event answered `recorded: true`"
    );
}

#[tokio::test]
async fn a_stalled_postgres_answers_503_within_the_deadline_and_writes_only_what_it_answered() {
    store_fault_under_load(true, Fault::Stall).await;
}

#[tokio::test]
async fn a_stalled_redis_answers_503_within_the_deadline_and_recovers() {
    store_fault_under_load(false, Fault::Stall).await;
}

#[tokio::test]
async fn a_cut_postgres_under_load_answers_503_and_recovers_within_a_second() {
    store_fault_under_load(true, Fault::Cut).await;
}

#[tokio::test]
async fn a_cut_redis_under_load_answers_503_and_recovers_within_a_second() {
    store_fault_under_load(false, Fault::Cut).await;
}

/// The table the organization scans write held locked by another connection (a migration, a
/// long manual query): the scan fails at the statement timeout (PostgreSQL `statement_timeout`,
/// SQLite `busy_timeout`), long before the request deadline, answered 503; nothing is written,
/// and the service goes on once the lock is released.
async fn a_locked_ledger_fails_at_the_statement_timeout(backend: crate::helpers::Backend) {
    use sqlx::{Connection, Executor};
    let app = spawn_app_with(backend, |s| {
        s.db_statement_timeout_ms = 300;
        s.request_deadline_ms = 20_000;
    })
    .await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    let desk = app.client_for("staff-active").await;
    let url = app.state.settings.database_url();
    let mut holder = sqlx::AnyConnection::connect(&url).await.unwrap();
    let lock = match backend {
        crate::helpers::Backend::Sqlite => "BEGIN EXCLUSIVE",
        crate::helpers::Backend::PostgresRedis => {
            "BEGIN; LOCK TABLE ledger, scan_events IN ACCESS EXCLUSIVE MODE"
        }
    };
    holder.execute(lock).await.unwrap();

    let answers = org_scans(&app, &desk, &link, &fresh_events(3)).await;
    for a in &answers {
        assert_eq!(a.status, 503, "{answers:?}");
        assert!(a.retry_after);
        assert!(
            a.secs < 5.0,
            "at the statement timeout, not the deadline: {:.1} s",
            a.secs
        );
    }
    holder.execute("ROLLBACK").await.unwrap();
    assert_eq!(app.ledger_rows(crate::helpers::ORG_A).await, 0);

    let answers = org_scans(&app, &desk, &link, &fresh_events(2)).await;
    assert!(
        answers.iter().all(|a| a.status == 200 && a.recorded),
        "{answers:?}"
    );
    assert_eq!(app.ledger_rows(crate::helpers::ORG_A).await, 2);
}

crate::contract_test!(
    a_locked_ledger_fails_at_the_statement_timeout_not_the_deadline,
    a_locked_ledger_fails_at_the_statement_timeout
);

/// A stalled Redis with a long request deadline: every Redis command gives up at the command
/// timeout, so the answer is 503 within about that, not at the deadline.
#[tokio::test]
async fn a_stalled_redis_fails_at_the_command_timeout_not_the_deadline() {
    let (app, _pg_proxy, redis_proxy) = app_behind_proxies(|s| {
        s.redis_command_timeout_ms = 400;
        s.request_deadline_ms = 20_000;
    })
    .await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    let desk = app.client_for("staff-active").await;
    redis_proxy.stall();
    let answers = org_scans(&app, &desk, &link, &fresh_events(3)).await;
    for a in &answers {
        assert_eq!(a.status, 503, "{answers:?}");
        assert!(a.retry_after);
        assert!(
            a.secs < 3.0,
            "at the command timeout, not the deadline: {:.1} s",
            a.secs
        );
    }
    redis_proxy.restore();
    let answers = org_scans(&app, &desk, &link, &fresh_events(1)).await;
    assert!(
        answers[0].status == 200 && answers[0].recorded,
        "{answers:?}"
    );
}
