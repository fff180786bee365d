use crate::contract_test;
use crate::helpers::{spawn_app, Backend};
use serde_json::Value;

contract_test!(health_check_answers_ok, |backend: Backend| async move {
    let app = spawn_app(backend).await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("x-request-id"));
});

contract_test!(
    openapi_describes_the_fixed_points,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let doc: Value = app.get_json(&app.client, "/api/openapi.json").await;
        for path in [
            "/api/pass",
            "/api/scan",
            "/api/auth/demo",
            "/healthz",
            "/somc2/{id}",
        ] {
            assert!(
                doc["paths"][path].is_object(),
                "{path} missing from OpenAPI"
            );
        }
        assert!(doc["components"]["schemas"]["ScanResponse"].is_object());
    }
);

contract_test!(
    demo_people_cover_every_case,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let people: Value = app.get_json(&app.client, "/api/auth/demo").await;
        let people = people.as_array().unwrap();
        let with_role = |role: &str| {
            people
                .iter()
                .filter(|p| p["roles"].as_array().unwrap().iter().any(|r| r == role))
                .count()
        };
        assert!(with_role("participant") >= 8);
        assert!(with_role("staff") >= 4);
        assert!(with_role("admin") >= 2);
        assert!(people.iter().any(|p| p["confirmed"] == false));
        for p in people {
            assert!(p["delegations"].is_array());
            assert!(p.get("snils").is_none(), "demo list must not expose SNILS");
        }
    }
);

#[tokio::test]
async fn demo_sign_in_is_absent_when_disabled() {
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |s| s.demo_auth = false).await;
    let r = app
        .client
        .get(app.url("/api/auth/demo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = app.sign_in_as(&app.client, "ivanov").await;
    assert_eq!(r.status(), 404);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "not_found");
}

#[tokio::test]
async fn session_cookie_is_http_only_and_same_site() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    let r = app.sign_in_as(&app.client, "ivanov").await;
    let cookie = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    // public_url is https in tests, so the cookie is Secure
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn pass_page_explains_without_disclosing() {
    let app = crate::helpers::spawn_app(Backend::Sqlite).await;
    let (_, id) = app.issue_pass_for("ivanov").await;
    let r = app
        .client
        .get(app.url(&format!("/somc2/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("сканер"));
    assert!(!html.contains("Иван") && !html.contains("1985"));
}
