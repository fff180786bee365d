use serde_json::{json, Value};

use crate::contract_test;
use crate::helpers::{spawn_app, Backend};

async fn error_of(r: reqwest::Response, status: u16) -> String {
    assert_eq!(r.status(), status);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("application/json"));
    let body: Value = r.json().await.unwrap();
    assert!(body["message"].is_string());
    body["error"].as_str().unwrap().to_owned()
}

contract_test!(
    bad_requests_get_json_errors_and_change_nothing,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, id) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        let scan = || app.client.post(app.url("/api/scan"));

        let huge = "x".repeat(64 * 1024);
        let r = scan().json(&json!({ "code": huge })).send().await.unwrap();
        assert_eq!(error_of(r, 413).await, "payload_too_large");

        let r = scan()
            .header("content-type", "application/json")
            .body("{not json")
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r, 400).await, "invalid_json");

        let r = scan()
            .json(&json!({ "code": link, "extra": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r, 400).await, "invalid_json");

        let r = scan().json(&json!({ "code": 42 })).send().await.unwrap();
        assert_eq!(error_of(r, 400).await, "invalid_json");

        let r = scan()
            .json(&json!({ "code": link, "on_behalf_of": "1027700012341" }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            error_of(r, 400).await,
            "invalid_json",
            "OGRN with a wrong check digit"
        );

        let r = scan()
            .header("content-type", "text/plain")
            .body(link.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r, 400).await, "unsupported_content_type");

        let r = app
            .client
            .get(app.url("/api/no-such-thing"))
            .send()
            .await
            .unwrap();
        assert_eq!(error_of(r, 404).await, "not_found");

        let r = app
            .sign_in_as(&app.client, "'; DROP TABLE passes; --")
            .await;
        assert_eq!(error_of(r, 404).await, "unknown_demo_person");

        // nothing above changed the stored state
        app.sign_in("staff-none").await;
        assert_eq!(app.scan_code(&link).await["result"], "valid");
        assert!(app.holds_registry_data(id).await);
    }
);
