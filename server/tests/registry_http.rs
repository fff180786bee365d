//! The HTTP registry adapter against a real HTTP server on loopback that answers well, badly
//! or not at all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use statuspass_server::registry::http::HttpRegistry;
use statuspass_server::registry::{Confirmed, Lookup, Registry};
use statuspass_shared::Snils;
use statuspass_shared::StatusKind;

async fn registry_server() -> String {
    let server = HttpServer::new(|| {
        App::new()
            .route(
                "/found/v1/lookup",
                web::post().to(|body: web::Json<serde_json::Value>| async move {
                    assert_eq!(body["snils"], "11223344595");
                    HttpResponse::Ok().json(serde_json::json!({
                        "surname": "Иванов", "name": "Иван", "patronymic": "Иванович",
                        "birth_date": "1985-03-14", "status": "участник СВО"
                    }))
                }),
            )
            .route(
                "/family/v1/lookup",
                web::post().to(|| async {
                    HttpResponse::Ok().json(serde_json::json!({
                        "surname": "Ковалёва", "name": "Дарья", "patronymic": null,
                        "birth_date": "2004-09-01", "status": "член семьи участника СВО",
                        "kind": "svo_family"
                    }))
                }),
            )
            .route(
                "/student/v1/lookup",
                web::post().to(|| async {
                    HttpResponse::Ok().json(serde_json::json!({"institution": "МГУ"}))
                }),
            )
            .route(
                "/missing/v1/lookup",
                web::post().to(|| async { HttpResponse::NotFound().finish() }),
            )
            .route(
                "/broken/v1/lookup",
                web::post().to(|| async { HttpResponse::BadGateway().finish() }),
            )
            .route(
                "/garbage/v1/lookup",
                web::post().to(|| async { HttpResponse::Ok().body("<html>oops") }),
            )
            .route(
                "/hang/v1/lookup",
                web::post().to(|| async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    HttpResponse::Ok().finish()
                }),
            )
    })
    .workers(1)
    .bind("127.0.0.1:0")
    .unwrap();
    let addr = server.addrs()[0];
    tokio::spawn(server.run());
    format!("http://{addr}")
}

fn snils() -> Snils {
    Snils::parse("11223344595").unwrap()
}

fn registry(base: &str, path: &str) -> HttpRegistry {
    HttpRegistry::new(&format!("{base}/{path}"), Duration::from_millis(400)).unwrap()
}

#[tokio::test]
async fn found_and_not_found_are_told_apart() {
    let base = registry_server().await;
    match registry(&base, "found").lookup(&snils()).await.unwrap() {
        Lookup::Found(r) => assert_eq!(r.holder().birth_year, 1985),
        other => panic!("expected found, got {other:?}"),
    }
    assert_eq!(
        registry(&base, "missing").lookup(&snils()).await.unwrap(),
        Lookup::NotFound
    );
}

#[tokio::test]
async fn the_ministry_record_names_its_kind_and_other_registries_answer_a_bare_yes() {
    let base = registry_server().await;
    match registry(&base, "family").lookup(&snils()).await.unwrap() {
        Lookup::Found(r) => assert_eq!(r.kind(), StatusKind::SvoFamily),
        other => panic!("expected found, got {other:?}"),
    }
    match registry(&base, "found").lookup(&snils()).await.unwrap() {
        Lookup::Found(r) => assert_eq!(r.kind(), StatusKind::SvoParticipant, "no kind field"),
        other => panic!("expected found, got {other:?}"),
    }
    let education = |path: &str| {
        HttpRegistry::<Confirmed>::at(&format!("{base}/{path}"), Duration::from_millis(400))
            .unwrap()
    };
    assert_eq!(
        education("student").lookup(&snils()).await.unwrap(),
        Lookup::Found(Confirmed {})
    );
    assert_eq!(
        education("missing").lookup(&snils()).await.unwrap(),
        Lookup::NotFound
    );
    for path in ["broken", "garbage", "hang"] {
        assert!(education(path).lookup(&snils()).await.is_err(), "{path}");
    }
}

#[tokio::test]
async fn errors_garbage_and_silence_are_unavailable_never_not_found() {
    let base = registry_server().await;
    for path in ["broken", "garbage", "hang"] {
        let started = Instant::now();
        let result = registry(&base, path).lookup(&snils()).await;
        assert!(result.is_err(), "{path}: {result:?}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{path} took {:?}",
            started.elapsed()
        );
    }
    // nobody listening at all
    let closed = HttpRegistry::new("http://127.0.0.1:9", Duration::from_millis(400)).unwrap();
    assert!(closed.lookup(&snils()).await.is_err());
}

#[tokio::test]
async fn a_hanging_registry_gives_the_participant_503_in_bounded_time() {
    let base = registry_server().await;
    let dir = tempfile::tempdir().unwrap();
    let mut s = statuspass_server::configuration::Settings::defaults().unwrap();
    s.bind = "127.0.0.1:0".into();
    s.data_dir = dir.path().to_path_buf();
    s.registry = statuspass_server::configuration::RegistryKind::Http;
    s.registry_url = Some(format!("{base}/hang"));
    s.registry_timeout_ms = 500;
    let app = statuspass_server::startup::Application::build(s)
        .await
        .unwrap();
    let address = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let r = client
        .post(format!("{address}/api/auth/demo"))
        .json(&serde_json::json!({"key": "ivanov"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let started = Instant::now();
    let r = client
        .post(format!("{address}/api/pass"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 503);
    assert!(started.elapsed() < Duration::from_secs(3));
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"], "registry_unavailable");
}
