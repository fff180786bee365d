//! Shared guards and headers: cross-site writes refused, API answers never cached, HSTS behind
//! HTTPS, a locked-down explanation page.

use serde_json::Value;

use crate::contract_test;
use crate::helpers::{spawn_app, Backend};

contract_test!(
    state_changing_calls_from_another_site_are_refused,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("ivanov").await;
        let attempts = [
            ("origin", "https://evil.example"),
            ("origin", "null"),
            ("sec-fetch-site", "cross-site"),
        ];
        for (name, value) in attempts {
            // A form or `text/plain` post another site's page could make.
            let r = app
                .client
                .post(app.url("/api/pass"))
                .header(name, value)
                .header("content-type", "text/plain")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{name}: {value}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"], "cross_site_request");
            let r = app
                .client
                .post(app.url("/api/auth/logout"))
                .header(name, value)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "logout, {name}: {value}");
        }
        assert_eq!(app.registry_calls(), 0, "no pass was asked for");
        assert_eq!(
            app.get_json(&app.client, "/api/me").await["key"],
            "demo:ivanov"
        );
        // The page's own calls pass: same origin, or the configured public URL's.
        for origin in [app.address.clone(), app.public_url.clone()] {
            let r = app
                .client
                .post(app.url("/api/pass"))
                .header("origin", &origin)
                .header("sec-fetch-site", "same-origin")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{origin}");
        }
    }
);

contract_test!(
    api_answers_are_never_cached_and_https_is_pinned,
    |backend: Backend| async move {
        // The test settings' public URL is https.
        let app = spawn_app(backend).await;
        app.sign_in("ivanov").await;
        for path in [
            "/api/me",
            "/api/statuses",
            "/api/config",
            "/api/nothing-here",
        ] {
            let r = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
            assert!(
                r.headers()["strict-transport-security"]
                    .to_str()
                    .unwrap()
                    .starts_with("max-age="),
                "{path}"
            );
        }
        let pass = app.post_pass().await;
        assert_eq!(pass.headers()["cache-control"], "no-store");
    }
);

#[tokio::test]
async fn no_hsts_without_https_and_the_explanation_page_is_locked_down() {
    let app = crate::helpers::spawn_app_with(Backend::Sqlite, |s| {
        s.public_url = Some("http://127.0.0.1:9".into());
    })
    .await;
    let r = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert!(r.headers().get("strict-transport-security").is_none());
    let r = app
        .client
        .get(app.url("/somc2/3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b"))
        .send()
        .await
        .unwrap();
    let csp = r.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
}

contract_test!(
    a_known_path_with_the_wrong_method_is_a_json_405,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("admin-a").await;
        for (method, path) in [
            ("DELETE", "/api/pass"),
            ("GET", "/api/pass"),
            ("PUT", "/api/orgs/1027700012340/staff"),
            ("PATCH", "/api/auth/demo"),
            ("POST", "/api/statuses"),
        ] {
            let r = app
                .client
                .request(method.parse().unwrap(), app.url(path))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 405, "{method} {path}");
            assert!(r.headers().contains_key("allow"), "{method} {path}: Allow");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["error"], "method_not_allowed", "{method} {path}");
        }
        let r = app
            .client
            .get(app.url("/api/nothing"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    }
);

contract_test!(
    control_characters_in_typed_fields_are_a_clear_400_on_every_engine,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("admin-a").await;
        let org = "/api/orgs/1027700012340";
        let cases = [
            (
                "POST",
                format!("{org}/staff"),
                serde_json::json!({"snils": "90123456764", "name": "Кас\u{0}сир"}),
            ),
            (
                "POST",
                format!("{org}/staff"),
                serde_json::json!({"subject": "demo:x\u{7}", "name": "Кассир"}),
            ),
            (
                "PUT",
                format!("{org}/contact-email"),
                serde_json::json!({"email": "a\u{0}@museum.example.ru"}),
            ),
            (
                "POST",
                format!("{org}/delegations"),
                serde_json::json!({
                    "subject": "demo:staff-none\u{0}",
                    "valid_from": "2026-01-01T00:00:00+03:00",
                    "valid_until": "2026-02-01T00:00:00+03:00"
                }),
            ),
        ];
        for (method, path, body) in cases {
            let r = app
                .client
                .request(method.parse().unwrap(), app.url(&path))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{method} {path} {body}");
            let answer: Value = r.json().await.unwrap();
            assert!(answer["message"].as_str().unwrap().len() > 5, "{answer}");
        }
        let r = app
            .client
            .delete(app.url(&format!("{org}/staff/demo%3Astaff%00")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let staff = app.get_json(&app.client, &format!("{org}/staff")).await;
        assert!(
            !staff.to_string().contains("\\u0000"),
            "nothing stored: {staff}"
        );
    }
);

/// For every path of the OpenAPI description: a method it does not document is a 405 whose
/// `Allow` lists exactly the documented methods (the route table and the description agree).
#[tokio::test]
async fn allow_lists_exactly_the_methods_the_openapi_description_documents() {
    let app = spawn_app(Backend::Sqlite).await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut checked = 0;
    for (path, ops) in paths {
        if !path.starts_with("/api/") {
            continue;
        }
        let mut documented: Vec<String> = ops
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_ascii_uppercase())
            .collect();
        documented.sort();
        let concrete = path
            .replace("{ogrn}", "1027700012340")
            .replace("{subject}", "demo:x")
            .replace("{id}", "x");
        let wrong = ["PATCH", "DELETE", "PUT", "GET"]
            .into_iter()
            .find(|m| !documented.iter().any(|d| d == m))
            .unwrap();
        let r = app
            .client
            .request(wrong.parse().unwrap(), app.url(&concrete))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 405, "{wrong} {path}");
        let mut allow: Vec<String> = r.headers()["allow"]
            .to_str()
            .unwrap()
            .split(',')
            .map(|m| m.trim().to_owned())
            .collect();
        allow.sort();
        assert_eq!(allow, documented, "{path}");
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} paths");
}
