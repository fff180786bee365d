//! SIGTERM under load: the real binary stops taking new connections, finishes the requests it
//! is serving (here: participants whose «Получить» waits on a slow registry) and exits 0.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::{json, Value};

#[path = "support/server_process.rs"]
mod server_process;
use server_process::ServerProcess;

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_drains_in_flight_requests_then_exits() {
    let (registry, arrived) = slow_registry().await;
    let mut server = ServerProcess::start(&[
        ("STATUSPASS_REGISTRY", "http"),
        ("STATUSPASS_REGISTRY_URL", &registry),
        ("RUST_LOG", "info"),
    ]);
    let base = server.base();

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
        .args(["-TERM", &server.pid().to_string()])
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
        if let Some(status) = server.try_wait() {
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
