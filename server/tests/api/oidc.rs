//! Real sign-in through a real OpenID provider (npm `oidc-provider`), on both storage setups.

use serde_json::{json, Value};
use statuspass_server::operator::{self, Flags};

use crate::contract_test;
use crate::helpers::{spawn_app, Backend, TestApp};
use crate::oidc_helpers::{browser, spawn_oidc_app, Consent};

const MUSEUM: &str = "1027700012340";

/// The operator's bootstrap: the organization and its first admin (erin), by СНИЛС.
async fn bootstrap_museum(app: &TestApp) {
    let add = [
        "--ogrn",
        MUSEUM,
        "--short-name",
        "Музей",
        "--name",
        "Городской музей",
        "--email",
        "reports@museum.example.ru",
    ];
    operator::add_org(
        &app.state,
        &Flags::parse(&add, &["ogrn", "short-name", "name", "email"]).unwrap(),
    )
    .await
    .unwrap();
    let admin = ["--ogrn", MUSEUM, "--snils", "271-828-182 91"];
    for _ in 0..2 {
        // Idempotent: twice is the same as once.
        operator::add_admin(
            &app.state,
            &Flags::parse(&admin, &["ogrn", "snils", "name"]).unwrap(),
        )
        .await
        .unwrap();
    }
}

contract_test!(
    a_confirmed_person_signs_in_and_gets_a_pass,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        let (client, _) = browser();
        let callback = app
            .authorize_at_provider(&client, "alice", "/scan", Consent::Allow)
            .await;
        let r = client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/scan", "lands where it started");
        let me = app.get_json(&client, "/api/me").await;
        assert_eq!(me["name"], "Иванов Иван Иванович");
        assert_eq!(me["confirmed"], true);
        assert_eq!(
            me["roles"],
            json!(["participant"]),
            "no role from the provider"
        );
        assert!(me["key"].as_str().unwrap().starts_with("oidc:"));
        // The printed СНИЛС «112-233-445 95» reached the registry as 11 digits.
        let pass: Value = app.post_pass_with(&client).await.json().await.unwrap();
        assert_eq!(pass["outcome"], "issued", "{pass}");
        assert_eq!(app.registry_calls(), 1);
    }
);

contract_test!(
    an_unconfirmed_account_signs_in_but_gets_no_pass,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        let client = app.oidc_client_for("bob").await;
        assert_eq!(app.get_json(&client, "/api/me").await["confirmed"], false);
        let r = app.post_pass_with(&client).await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "account_not_confirmed"
        );
        assert_eq!(app.registry_calls(), 0);
    }
);

contract_test!(
    a_malformed_snils_means_cannot_look_up_not_a_crash,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        let client = app.oidc_client_for("carol").await;
        let r = app.post_pass_with(&client).await;
        assert!(r.status().is_client_error(), "{}", r.status());
        let body: Value = r.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().len() > 3, "{body}");
        assert_eq!(app.registry_calls(), 0);
    }
);

contract_test!(
    a_tampered_state_is_refused_and_signs_nobody_in,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        let (client, _) = browser();
        let callback = app
            .authorize_at_provider(&client, "alice", "/", Consent::Allow)
            .await;
        let tampered = callback.replace("state=", "state=x");
        let r = client
            .get(&tampered)
            .header("accept", "application/json")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_state");
        // The pending sign-in is gone too: the genuine callback no longer works.
        let r = client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("data-error=\"no_sign_in_in_progress\""),
            "{page}"
        );
        assert_eq!(
            app.get_json(&client, "/api/me").await["error"],
            "unauthorized"
        );
    }
);

contract_test!(a_replayed_code_is_refused, |backend: Backend| async move {
    let (app, _op) = spawn_oidc_app(backend).await;
    let (client, _) = browser();
    let callback = app
        .authorize_at_provider(&client, "alice", "/", Consent::Allow)
        .await;
    assert_eq!(client.get(&callback).send().await.unwrap().status(), 303);
    // An attacker (or a reload) brings the same code back within a new sign-in.
    let start = client
        .get(app.url("/api/auth/oidc/start"))
        .send()
        .await
        .unwrap();
    let to_provider = reqwest::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let state = to_provider
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    let mut replay = reqwest::Url::parse(&callback).unwrap();
    let pairs: Vec<(String, String)> = replay
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == "state" {
                state.clone()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    replay.query_pairs_mut().clear().extend_pairs(pairs);
    let r = client
        .get(replay)
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "code_rejected");
    assert_eq!(
        app.get_json(&client, "/api/me").await["error"],
        "unauthorized"
    );
});

contract_test!(
    denied_consent_ends_on_a_clear_page,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        let (client, _) = browser();
        let callback = app
            .authorize_at_provider(&client, "alice", "/", Consent::Deny)
            .await;
        assert!(callback.contains("error=access_denied"), "{callback}");
        let r = client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 400);
        let page = r.text().await.unwrap();
        assert!(page.contains("data-error=\"sign_in_denied\""), "{page}");
        assert!(page.contains("Вход отменён"));
        assert_eq!(
            app.get_json(&client, "/api/me").await["error"],
            "unauthorized"
        );
    }
);

contract_test!(
    logout_ends_the_session_so_a_copied_cookie_is_refused,
    |backend: Backend| async move {
        let (app, op) = spawn_oidc_app(backend).await;
        let (client, jar) = browser();
        assert_eq!(app.oidc_sign_in(&client, "alice").await.status(), 303);
        let ours = reqwest::Url::parse(&app.address).unwrap();
        use reqwest::cookie::CookieStore;
        let stolen = jar.cookies(&ours).expect("a session cookie");
        let r = client
            .post(app.url("/api/auth/logout"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let end: Value = r.json().await.unwrap();
        let end_session = end["end_session_url"].as_str().unwrap();
        assert!(end_session.starts_with(&op.issuer), "{end_session}");
        assert!(end_session.contains("id_token_hint="));
        assert!(end_session.contains("post_logout_redirect_uri="));
        // The old cookie, replayed from another client, is refused.
        let r = reqwest::Client::new()
            .get(app.url("/api/me"))
            .header("cookie", stolen)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        assert_eq!(
            app.get_json(&client, "/api/me").await["error"],
            "unauthorized"
        );
    }
);

contract_test!(
    an_employee_invited_by_snils_scans_for_the_organization_after_first_sign_in,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        bootstrap_museum(&app).await;
        let admin = app.oidc_client_for("erin").await;
        let me = app.get_json(&admin, "/api/me").await;
        assert_eq!(
            me["roles"],
            json!(["participant", "staff", "admin"]),
            "{me}"
        );
        let orgs = app.get_json(&admin, "/api/orgs").await;
        assert_eq!(orgs[0]["ogrn"], MUSEUM);
        // The admin's membership took her name from the provider at binding.
        let staff = app
            .get_json(&admin, &format!("/api/orgs/{MUSEUM}/staff"))
            .await;
        assert!(
            staff
                .as_array()
                .unwrap()
                .iter()
                .all(|m| m["name"] == "Админова Ирина Павловна"),
            "{staff}"
        );
        // Dave is invited before he ever signed in.
        let r = admin
            .post(app.url(&format!("/api/orgs/{MUSEUM}/staff")))
            .json(&json!({"snils": "901-234-567 64", "name": "Кассиров Давид", "role": "staff"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let invited: Value = r.json().await.unwrap();
        assert_eq!(invited["pending"], true);
        assert_eq!(invited["snils_masked"], "***-***-567 64");
        let now = chrono::Utc::now();
        let r = admin
            .post(app.url(&format!("/api/orgs/{MUSEUM}/delegations")))
            .json(&json!({
                "snils": "90123456764",
                "valid_from": (now - chrono::Duration::days(1)).to_rfc3339(),
                "valid_until": (now + chrono::Duration::days(30)).to_rfc3339(),
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        assert_eq!(
            r.json::<Value>().await.unwrap()["holder_name"],
            "Кассиров Давид"
        );

        let (link, _) = {
            let alice = app.oidc_client_for("alice").await;
            let pass: Value = app.post_pass_with(&alice).await.json().await.unwrap();
            (pass["link"].as_str().unwrap().to_owned(), ())
        };
        let dave = app.oidc_client_for("dave").await;
        let mine = app.get_json(&dave, "/api/me/delegations").await;
        assert_eq!(mine[0]["ogrn"], MUSEUM, "{mine}");
        let r = app
            .post_scan_with(&dave, json!({"code": link, "on_behalf_of": MUSEUM}))
            .await;
        assert_eq!(r.status(), 200);
        let verdict: Value = r.json().await.unwrap();
        assert_eq!(verdict["result"], "valid");
        assert_eq!(verdict["recorded"], true);
        assert_eq!(app.ledger_rows(MUSEUM).await, 1);
        let staff = app
            .get_json(&admin, &format!("/api/orgs/{MUSEUM}/staff"))
            .await;
        let dave_row = staff
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["name"] == "Кассиров Давид")
            .unwrap();
        assert_eq!(dave_row["pending"], false, "bound at his first sign-in");
    }
);

contract_test!(
    a_person_in_no_organization_is_refused_organization_mode_and_org_calls,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        bootstrap_museum(&app).await;
        let alice = app.oidc_client_for("alice").await;
        let pass: Value = app.post_pass_with(&alice).await.json().await.unwrap();
        let frank = app.oidc_client_for("frank").await;
        let r = app
            .post_scan_with(
                &frank,
                json!({"code": pass["link"], "on_behalf_of": MUSEUM}),
            )
            .await;
        assert_eq!(r.status(), 403);
        for path in [
            "/api/orgs".to_owned(),
            format!("/api/orgs/{MUSEUM}"),
            format!("/api/orgs/{MUSEUM}/staff"),
            format!("/api/orgs/{MUSEUM}/delegations"),
            format!("/api/orgs/{MUSEUM}/stats"),
            format!("/api/orgs/{MUSEUM}/reports"),
            "/api/me/delegations".to_owned(),
        ] {
            let r = frank.get(app.url(&path)).send().await.unwrap();
            assert_eq!(r.status(), 403, "{path}");
        }
        let r = frank
            .post(app.url(&format!("/api/orgs/{MUSEUM}/staff")))
            .json(&json!({"snils": "31415926552", "name": "Я сам"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        assert_eq!(app.ledger_rows(MUSEUM).await, 0);
    }
);

contract_test!(
    demo_sign_in_is_gone_when_oidc_is_configured,
    |backend: Backend| async move {
        let (app, _op) = spawn_oidc_app(backend).await;
        assert_eq!(app.sign_in_as(&app.client, "ivanov").await.status(), 404);
        let r = app
            .client
            .get(app.url("/api/auth/demo"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let config = app.get_json(&app.client, "/api/config").await;
        assert_eq!(config["demo_auth"], false);
        assert_eq!(config["sign_in_provider"], "Госуслуги");
    }
);

contract_test!(
    oidc_start_is_not_found_on_the_demo_default,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let r = app
            .client
            .get(app.url("/api/auth/oidc/start"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        assert_eq!(
            app.get_json(&app.client, "/api/config").await["sign_in_provider"],
            Value::Null
        );
    }
);

#[tokio::test]
async fn return_to_another_origin_lands_on_the_home_page() {
    let (app, _op) = spawn_oidc_app(Backend::Sqlite).await;
    let (client, _) = browser();
    let callback = app
        .authorize_at_provider(&client, "alice", "//evil.example/x", Consent::Allow)
        .await;
    let r = client.get(&callback).send().await.unwrap();
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn operator_commands_refuse_a_bad_ogrn_or_snils() {
    let app = spawn_app(Backend::Sqlite).await;
    let bad_ogrn = [
        "--ogrn",
        "1027700012341",
        "--short-name",
        "x",
        "--name",
        "y",
    ];
    let err = operator::add_org(
        &app.state,
        &Flags::parse(&bad_ogrn, &["ogrn", "short-name", "name"]).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("--ogrn"), "{err}");
    let bad_snils = ["--ogrn", MUSEUM, "--snils", "123-456-789 00"];
    let err = operator::add_admin(
        &app.state,
        &Flags::parse(&bad_snils, &["ogrn", "snils"]).unwrap(),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("--snils"), "{err}");
    assert!(Flags::parse(&["--bogus", "1"], &["ogrn"]).is_err());
    assert!(Flags::parse(&["--ogrn"], &["ogrn"]).is_err());
}
