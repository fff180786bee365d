//! SIGTERM under load: the real binary stops taking new connections, finishes the requests it
//! is serving (here: participants whose «Получить» waits on a slow registry) and exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

/// How long the registry takes to answer: the requests are in flight when the signal comes.
const REGISTRY_DELAY: Duration = Duration::from_millis(1500);

/// A Ministry registry over HTTP that answers the demo records, slowly; counts the lookups
/// that reached it.
async fn slow_registry() -> (String, Arc<AtomicUsize>) {
    let records: Value =
        serde_json::from_str(include_str!("../demo/registry.json")).expect("demo registry");
    let persons = web::Data::new(records["persons"].clone());
    let arrived = Arc::new(AtomicUsize::new(0));
    let counter = web::Data::from(arrived.clone());
    let server = HttpServer::new(move || {
        App::new()
            .app_data(persons.clone())
            .app_data(counter.clone())
            .route(
                "/v1/lookup",
                web::post().to(
                    |persons: web::Data<Value>,
                     arrived: web::Data<AtomicUsize>,
                     body: web::Json<Value>| async move {
                        arrived.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(REGISTRY_DELAY).await;
                        let snils = body["snils"].as_str().unwrap_or_default();
                        match persons.get(snils) {
                            Some(record) => HttpResponse::Ok().json(record),
                            None => HttpResponse::NotFound().finish(),
                        }
                    },
                ),
            )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    (format!("http://{addr}"), arrived)
}

/// Kills the server if the test ends early.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits() {
    let (registry, arrived) = slow_registry().await;
    let dir = tempfile::tempdir().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_statuspass"))
        .env_clear()
        .env("STATUSPASS_BIND", "127.0.0.1:0")
        .env("STATUSPASS_DATA_DIR", dir.path())
        .env("STATUSPASS_LOG_FORMAT", "json")
        .env("STATUSPASS_REGISTRY", "http")
        .env("STATUSPASS_REGISTRY_URL", &registry)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = KillOnDrop(child);
    let (tx, rx) = mpsc::channel::<String>();
    for stream in [
        Box::new(child.0.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.0.stderr.take().unwrap()),
    ] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let port = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server starts");
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            if v["message"] == "listening" {
                break v["port"].as_u64().unwrap();
            }
        }
    };
    let base = format!("http://127.0.0.1:{port}");

    let people = ["ivanov", "petrov", "sidorova", "kuznetsov", "smirnov"];
    let mut clients = Vec::new();
    for key in people {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let r = client
            .post(format!("{base}/api/auth/demo"))
            .json(&json!({ "key": key }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "sign in {key}");
        clients.push(client);
    }

    let presses: Vec<_> = clients
        .iter()
        .cloned()
        .map(|client| {
            let url = format!("{base}/api/pass");
            tokio::spawn(async move {
                let r = client
                    .post(url)
                    .header("content-type", "application/json")
                    .send()
                    .await?;
                let status = r.status().as_u16();
                let body: Value = r.json().await?;
                Ok::<_, reqwest::Error>((status, body))
            })
        })
        .collect();
    // SIGTERM once every press is waiting on the registry.
    let waiting = Instant::now();
    while arrived.load(Ordering::SeqCst) < people.len() {
        assert!(
            waiting.elapsed() < Duration::from_secs(20),
            "every press reaches the registry"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let signalled = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());

    // New connections are refused once the server stops listening.
    let mut refused = false;
    while signalled.elapsed() < REGISTRY_DELAY {
        let probe = reqwest::Client::new()
            .get(format!("{base}/healthz"))
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        if probe.as_ref().is_err_and(|e| e.is_connect()) {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(refused, "after SIGTERM no new connection is taken");

    for press in presses {
        let (status, body) = press
            .await
            .unwrap()
            .expect("an in-flight press is answered");
        assert_eq!(status, 200, "{body}");
        assert!(
            body["link"].as_str().is_some_and(|l| l.contains("/somc2/")),
            "a pass: {body}"
        );
    }

    let exited = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            signalled.elapsed() < Duration::from_secs(15),
            "exits within the shutdown timeout"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(exited.success(), "exits cleanly: {exited:?}");
}
