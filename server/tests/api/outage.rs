//! Storage that goes away: a TCP proxy in front of the real PostgreSQL and Redis is cut and
//! restored; the API answers 503 meanwhile and recovers without a restart.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

use crate::helpers::{fresh_postgres_database, redis_url, spawn_app_with, Backend};

/// Forwards connections to `target` while open; `cut()` drops every connection and refuses new.
struct Proxy {
    port: u16,
    open: Arc<AtomicBool>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let open = Arc::new(AtomicBool::new(true));
        let (tx, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(tx);
        let (o, g) = (open.clone(), generation.clone());
        tokio::spawn(async move {
            loop {
                let Ok((mut inbound, _)) = listener.accept().await else {
                    return;
                };
                if !o.load(Ordering::SeqCst) {
                    continue; // dropped: connection refused-ish
                }
                let target = target.clone();
                let mut cut = g.subscribe();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = cut.changed() => {}
                    }
                });
            }
        });
        Self {
            port,
            open,
            generation,
        }
    }

    fn cut(&self) {
        self.open.store(false, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }

    fn restore(&self) {
        self.open.store(true, Ordering::SeqCst);
    }
}

fn host_port(url: &str) -> String {
    let after = url.split("://").nth(1).unwrap();
    let after = after.rsplit('@').next().unwrap();
    after.split('/').next().unwrap().to_owned()
}

#[tokio::test]
async fn redis_and_postgres_going_away_answer_503_and_recover() {
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
    })
    .await;
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
