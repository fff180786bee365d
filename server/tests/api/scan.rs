use chrono::Duration;
use serde_json::{json, Value};
use statuspass_shared::PassId;

use crate::contract_test;
use crate::helpers::{spawn_app, spawn_app_with, Backend};

contract_test!(
    a_fresh_pass_scans_valid_with_initials_and_birth_year,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        let body = app.scan_code(&link).await;
        assert_eq!(body["result"], "valid");
        assert_eq!(body["status"], "участник СВО");
        assert_eq!(
            body["holder"],
            json!({"initials": "И. И. И.", "birth_year": 1985})
        );
        assert_eq!(body["recorded"], false);
    }
);

contract_test!(
    alias_origin_links_scan_valid,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, id) = app.issue_pass_for("petrov").await;
        app.sign_in("staff-none").await;
        let body = app
            .scan_code(&format!("https://www.gosuslugi.ru/somc2/{id}"))
            .await;
        assert_eq!(body["result"], "valid");
    }
);

contract_test!(
    status_only_disclosure_shows_no_holder,
    |backend: Backend| async move {
        let app = spawn_app_with(backend, |s| {
            s.disclosure = statuspass_server::configuration::Disclosure::StatusOnly
        })
        .await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        let body = app.scan_code(&link).await;
        assert_eq!(body["result"], "valid");
        assert_eq!(body["holder"], Value::Null);
        assert_eq!(body["status"], "участник СВО");
    }
);

contract_test!(a_random_id_is_unknown, |backend: Backend| async move {
    let app = spawn_app(backend).await;
    app.sign_in("staff-none").await;
    let body = app
        .scan_code(&format!(
            "{}/somc2/{}",
            app.public_url,
            PassId::new_random()
        ))
        .await;
    assert_eq!(body["result"], "unknown");
    assert_eq!(body["holder"], Value::Null);
});

contract_test!(
    broken_links_of_ours_are_unknown_and_other_text_foreign,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, id) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        for code in [
            format!("{link}/"),
            format!("{}/somc2/../{id}", app.public_url),
            format!("{link}?a=b"),
            format!("{}/somc2/{}", app.public_url, id.uuid().simple()),
        ] {
            assert_eq!(app.scan_code(&code).await["result"], "unknown", "{code}");
        }
        for code in [
            "hello".to_owned(),
            format!("https://evil.example/somc2/{id}"),
            format!("https://pass.example.test@evil.example/somc2/{id}"),
            "' OR 1=1; --".to_owned(),
            String::new(),
        ] {
            assert_eq!(app.scan_code(&code).await["result"], "foreign", "{code}");
        }
    }
);

contract_test!(
    after_the_lifetime_the_scan_says_expired_and_the_data_is_gone,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, id) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        assert!(app.holds_registry_data(id).await);
        app.clock.advance(Duration::seconds(300));
        let body = app.scan_code(&link).await;
        assert_eq!(body["result"], "expired");
        assert_eq!(body["holder"], Value::Null);
        assert!(!app.holds_registry_data(id).await);
    }
);

contract_test!(
    the_sweeper_deletes_registry_data_at_expiry_without_any_scan,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, id) = app.issue_pass_for("kuznetsov").await;
        let (_, other) = app.issue_pass_for("petrov").await;
        app.clock.advance(Duration::seconds(299));
        app.state.passes.sweep().await.unwrap();
        assert!(app.holds_registry_data(id).await, "not yet due");
        app.clock.advance(Duration::seconds(1));
        let cleared = app.state.passes.sweep().await.unwrap();
        assert_eq!(cleared, 2);
        assert!(!app.holds_registry_data(id).await);
        assert!(!app.holds_registry_data(other).await);
        app.sign_in("staff-none").await;
        assert_eq!(app.scan_code(&link).await["result"], "expired");
    }
);

contract_test!(
    an_expired_pass_is_forgotten_after_the_tombstone_period,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        app.clock.advance(Duration::hours(24));
        assert_eq!(
            app.scan_code(&link).await["result"],
            "expired",
            "still expired after a day"
        );
        app.clock.advance(Duration::seconds(
            app.state.settings.tombstone_ttl_secs as i64,
        ));
        app.state.passes.sweep().await.unwrap();
        assert_eq!(app.scan_code(&link).await["result"], "unknown");
    }
);

contract_test!(scanning_needs_staff, |backend: Backend| async move {
    let app = spawn_app(backend).await;
    let (link, _) = app.issue_pass_for("ivanov").await;
    assert_eq!(app.post_scan(json!({"code": link})).await.status(), 401);
    app.sign_in("petrov").await;
    let r = app.post_scan(json!({"code": link})).await;
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["error"], "forbidden");
});

contract_test!(
    scanning_on_behalf_without_a_delegation_is_refused,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        app.sign_in("staff-none").await;
        let r = app
            .post_scan(json!({"code": link, "on_behalf_of": "1027700012340"}))
            .await;
        assert_eq!(r.status(), 403);
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "no_active_delegation"
        );
    }
);
