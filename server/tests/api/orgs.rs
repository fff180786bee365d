//! Organizations, delegations, scanning on behalf, the ledger, and the authorization matrix.

use chrono::{Duration, Utc};
use serde_json::{json, Value};
use statuspass_server::clock::Clock;

use crate::contract_test;
use crate::helpers::{spawn_app, Backend, TestApp, ORG_A, ORG_B};
use statuspass_shared::StatusKind;

async fn scan_for(
    app: &TestApp,
    client: &reqwest::Client,
    code: &str,
    ogrn: Option<&str>,
) -> reqwest::Response {
    app.post_scan_with(client, json!({ "code": code, "on_behalf_of": ogrn }))
        .await
}

contract_test!(
    a_valid_scan_on_behalf_writes_exactly_one_ledger_row,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let staff = app.client_for("staff-active").await;
        let r = scan_for(&app, &staff, &link, Some(ORG_A)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["result"], "valid");
        assert_eq!(body["recorded"], true);
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
        assert_eq!(app.ledger_rows(ORG_B).await, 0);
    }
);

contract_test!(
    private_scans_and_invalid_codes_are_never_recorded,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let staff = app.client_for("staff-active").await;
        let body: Value = scan_for(&app, &staff, &link, None)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (body["result"].as_str(), body["recorded"].as_bool()),
            (Some("valid"), Some(false))
        );
        let random = format!(
            "{}/somc2/{}",
            app.public_url,
            statuspass_shared::PassId::new_random()
        );
        for code in [random.as_str(), "hello"] {
            let body: Value = scan_for(&app, &staff, code, Some(ORG_A))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(body["recorded"], false, "{code}");
        }
        app.clock.advance(Duration::seconds(301));
        let body: Value = scan_for(&app, &staff, &link, Some(ORG_A))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (body["result"].as_str(), body["recorded"].as_bool()),
            (Some("expired"), Some(false))
        );
        assert_eq!(app.ledger_total().await, 0);
    }
);

contract_test!(
    authorization_matrix_for_scanning_on_behalf,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let admin_a = app.client_for("admin-a").await;
        // a not-yet-valid and an other-power-code delegation for staff-none, issued by the admin
        let tomorrow = Utc::now() + Duration::days(1);
        for (from, power) in [
            (tomorrow, "GOSCAN_DELEGATE_SCAN"),
            (Utc::now() - Duration::days(1), "SOME_OTHER_POWER"),
        ] {
            let r = admin_a
            .post(app.url(&format!("/api/orgs/{ORG_A}/delegations")))
            .json(&json!({"subject": "demo:staff-none", "valid_from": from.to_rfc3339(),
                          "valid_until": (from + Duration::days(30)).to_rfc3339(), "power_code": power}))
            .send().await.unwrap();
            assert_eq!(r.status(), 201);
        }
        let cases = [
            ("staff-b", ORG_A, "staff of B for A"),
            ("staff-active", ORG_B, "staff of A for B"),
            (
                "staff-none",
                ORG_A,
                "no delegation / not yet valid / other power code",
            ),
            ("staff-expired", ORG_A, "expired delegation"),
            ("staff-revoked", ORG_A, "revoked delegation"),
            ("ivanov", ORG_A, "participant"),
        ];
        for (key, ogrn, why) in cases {
            let client = app.client_for(key).await;
            let r = scan_for(&app, &client, &link, Some(ogrn)).await;
            assert_eq!(r.status(), 403, "{why}");
            let body: Value = r.json().await.unwrap();
            assert!(
                ["no_active_delegation", "forbidden"].contains(&body["error"].as_str().unwrap()),
                "{why}: {body}"
            );
        }
        assert_eq!(
            app.ledger_total().await,
            0,
            "every denial leaves the ledger unchanged"
        );
        // and the allowed ones
        for (key, ogrn) in [("staff-active", ORG_A), ("staff-b", ORG_B)] {
            let client = app.client_for(key).await;
            let body: Value = scan_for(&app, &client, &link, Some(ogrn))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(body["recorded"], true);
        }
        assert_eq!(
            (app.ledger_rows(ORG_A).await, app.ledger_rows(ORG_B).await),
            (1, 1)
        );
    }
);

contract_test!(
    a_delegation_revoked_mid_shift_stops_the_next_scan,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let staff = app.client_for("staff-active").await;
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_A)).await.status(),
            200
        );
        let admin = app.client_for("admin-a").await;
        let r = admin
            .post(app.url(&format!(
                "/api/orgs/{ORG_A}/delegations/demo-a-active/revoke"
            )))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let r = scan_for(&app, &staff, &link, Some(ORG_A)).await;
        assert_eq!(r.status(), 403);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "no_active_delegation");
        assert!(body["message"].as_str().unwrap().contains("доверенност"));
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
        // private scanning still works
        assert_eq!(scan_for(&app, &staff, &link, None).await.status(), 200);
    }
);

contract_test!(
    a_delegation_expiring_while_open_stops_counting,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let admin = app.client_for("admin-a").await;
        let now = app.clock.now();
        let r = admin
        .post(app.url(&format!("/api/orgs/{ORG_A}/delegations")))
        .json(&json!({"subject": "demo:staff-none", "valid_from": (now - Duration::hours(1)).to_rfc3339(),
                      "valid_until": (now + Duration::minutes(10)).to_rfc3339()}))
        .send().await.unwrap();
        assert_eq!(r.status(), 201);
        let d: Value = r.json().await.unwrap();
        assert_eq!(d["state"], "active");
        assert_eq!(d["power_code"], "GOSCAN_DELEGATE_SCAN");
        let staff = app.client_for("staff-none").await;
        let mine: Value = app.get_json(&staff, "/api/me/delegations").await;
        assert_eq!(mine[0]["ogrn"], ORG_A);
        assert_eq!(mine[0]["short_name"], "Музей истории");
        let (link, _) = app.issue_pass_for("petrov").await;
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_A)).await.status(),
            200
        );
        app.clock.advance(Duration::minutes(10));
        let (link, _) = app.issue_pass_for("sidorova").await;
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_A)).await.status(),
            403
        );
        let mine: Value = app.get_json(&staff, "/api/me/delegations").await;
        assert_eq!(mine, json!([]));
    }
);

contract_test!(
    admins_manage_only_their_own_organization,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let admin_a = app.client_for("admin-a").await;
        let orgs: Value = app.get_json(&admin_a, "/api/orgs").await;
        assert_eq!(orgs.as_array().unwrap().len(), 1);
        assert_eq!(orgs[0]["ogrn"], ORG_A);
        let b = |path: &str| app.url(&format!("/api/orgs/{ORG_B}{path}"));
        let denied = [
            admin_a.get(b("")).send().await.unwrap(),
            admin_a.get(b("/stats")).send().await.unwrap(),
            admin_a.get(b("/staff")).send().await.unwrap(),
            admin_a.get(b("/delegations")).send().await.unwrap(),
            admin_a
                .put(b("/contact-email"))
                .json(&json!({"email": "x@y.ru"}))
                .send()
                .await
                .unwrap(),
            admin_a
                .post(b("/staff"))
                .json(&json!({"subject": "demo:staff-none", "name": "x"}))
                .send()
                .await
                .unwrap(),
            admin_a
                .delete(b("/staff/demo:staff-b"))
                .send()
                .await
                .unwrap(),
            admin_a
                .post(b("/delegations/demo-b-active/revoke"))
                .send()
                .await
                .unwrap(),
        ];
        for r in denied {
            assert_eq!(r.status(), 403);
        }
        // B's delegation still works after A's admin tried to revoke it
        let (link, _) = app.issue_pass_for("ivanov").await;
        let staff_b = app.client_for("staff-b").await;
        assert_eq!(
            scan_for(&app, &staff_b, &link, Some(ORG_B)).await.status(),
            200
        );
        // participants and staff reach no admin endpoint
        for key in ["ivanov", "staff-active"] {
            let c = app.client_for(key).await;
            assert_eq!(
                c.get(app.url(&format!("/api/orgs/{ORG_A}/stats")))
                    .send()
                    .await
                    .unwrap()
                    .status(),
                403
            );
            assert_eq!(
                c.get(app.url("/api/orgs")).send().await.unwrap().status(),
                403
            );
        }
        let participant = app.client_for("ivanov").await;
        assert_eq!(
            participant
                .get(app.url("/api/me/delegations"))
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
        assert_eq!(
            app.another_client()
                .get(app.url(&format!("/api/orgs/{ORG_A}")))
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
        // a malformed OGRN is a 400, not a 500
        let r = admin_a
            .get(app.url("/api/orgs/1027700012341/stats"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "invalid_ogrn");
    }
);

contract_test!(
    admin_sets_email_adds_removes_staff_and_issues_delegations,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let admin = app.client_for("admin-b").await;
        let url = |path: &str| app.url(&format!("/api/orgs/{ORG_B}{path}"));
        for bad in ["not an email", "a@", "@b.ru", "a b@c.ru"] {
            let r = admin
                .put(url("/contact-email"))
                .json(&json!({"email": bad}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 400, "{bad}");
        }
        let r = admin
            .put(url("/contact-email"))
            .json(&json!({"email": "kassa@stadium.example.ru"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let org = app.get_json(&admin, &format!("/api/orgs/{ORG_B}")).await;
        assert_eq!(org["contact_email"], "kassa@stadium.example.ru");

        // a delegation only for a member
        let now = app.clock.now();
        let period = |d: i64| {
            json!({"subject": "demo:staff-none", "valid_from": now.to_rfc3339(),
                                  "valid_until": (now + Duration::days(d)).to_rfc3339()})
        };
        let r = admin
            .post(url("/delegations"))
            .json(&period(30))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "not_a_member");
        let r = admin
            .post(url("/staff"))
            .json(&json!({"subject": "demo:staff-none", "name": "Павел"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let r = admin
            .post(url("/delegations"))
            .json(&period(-1))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "end before start");
        let r = admin
            .post(url("/delegations"))
            .json(&period(30))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let staff = app.client_for("staff-none").await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_B)).await.status(),
            200
        );

        // removing the member revokes their delegations
        let r = admin
            .delete(url("/staff/demo:staff-none"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_B)).await.status(),
            403
        );
        let ds = app
            .get_json(&admin, &format!("/api/orgs/{ORG_B}/delegations"))
            .await;
        let theirs: Vec<&Value> = ds
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["subject"] == "demo:staff-none")
            .collect();
        assert!(theirs.iter().all(|d| d["state"] == "revoked"), "{theirs:?}");
        assert_eq!(app.ledger_rows(ORG_B).await, 1);
    }
);

contract_test!(
    stats_count_today_month_and_last_30_days,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let staff = app.client_for("staff-active").await;
        for key in ["ivanov", "petrov", "sidorova"] {
            let (link, _) = app.issue_pass_for(key).await;
            assert_eq!(
                scan_for(&app, &staff, &link, Some(ORG_A)).await.status(),
                200
            );
        }
        let admin = app.client_for("admin-a").await;
        let url = app.url(&format!("/api/orgs/{ORG_A}/stats"));
        let stats = |c: reqwest::Client| {
            let url = url.clone();
            async move {
                c.get(url)
                    .send()
                    .await
                    .unwrap()
                    .json::<Value>()
                    .await
                    .unwrap()
            }
        };
        let s = stats(admin.clone()).await;
        assert_eq!(
            (s["today"].as_u64(), s["last_30_days"].as_u64()),
            (Some(3), Some(3))
        );
        assert!(s["this_month"].as_u64().unwrap() == 3);
        app.clock.advance(Duration::days(2));
        let s = stats(admin.clone()).await;
        assert_eq!(
            (s["today"].as_u64(), s["last_30_days"].as_u64()),
            (Some(0), Some(3))
        );
        app.clock.advance(Duration::days(29));
        let s = stats(admin).await;
        assert_eq!(s["last_30_days"].as_u64(), Some(0));
    }
);

contract_test!(
    ledger_rows_are_deleted_after_90_days,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let staff = app.client_for("staff-active").await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        assert_eq!(
            scan_for(&app, &staff, &link, Some(ORG_A)).await.status(),
            200
        );
        app.clock.advance(Duration::days(89));
        statuspass_server::startup::sweep_once(&app.state)
            .await
            .unwrap();
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
        app.clock.advance(Duration::days(1) + Duration::seconds(1));
        statuspass_server::startup::sweep_once(&app.state)
            .await
            .unwrap();
        assert_eq!(app.ledger_rows(ORG_A).await, 0);
    }
);

contract_test!(
    demo_people_show_their_delegation_states,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let people: Value = app.get_json(&app.client, "/api/auth/demo").await;
        let state_of = |key: &str| {
            let p = people
                .as_array()
                .unwrap()
                .iter()
                .find(|p| p["key"] == key)
                .unwrap();
            p["delegations"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["state"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(state_of("staff-active"), ["active"]);
        assert_eq!(state_of("staff-expired"), ["expired"]);
        assert_eq!(state_of("staff-revoked"), ["revoked"]);
        assert!(state_of("staff-none").is_empty());
    }
);

contract_test!(
    a_scan_whose_ledger_write_fails_is_not_reported_recorded,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let staff = app.client_for("staff-active").await;
        // break the ledger only: the delegation check still works, the insert cannot
        sqlx::query("ALTER TABLE ledger RENAME TO ledger_gone")
            .execute(app.state.db.pool())
            .await
            .unwrap();
        let r = scan_for(&app, &staff, &link, Some(ORG_A)).await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["result"], "valid", "the visitor's status stands");
        assert_eq!(body["recorded"], false);
        sqlx::query("ALTER TABLE ledger_gone RENAME TO ledger")
            .execute(app.state.db.pool())
            .await
            .unwrap();
        assert_eq!(app.ledger_rows(ORG_A).await, 0);
    }
);

contract_test!(
    a_retried_organization_scan_is_recorded_once_and_answered_alike,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("ivanov").await;
        let desk = app.client_for("staff-active").await;
        let scan = |event: String| {
            let body = json!({"code": link, "on_behalf_of": ORG_A, "event_id": event});
            app.post_scan_with(&desk, body)
        };
        let event = uuid::Uuid::new_v4().to_string();
        for attempt in 0..3 {
            let r = scan(event.clone()).await;
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            assert_eq!(
                (v["result"].as_str(), v["recorded"].as_bool()),
                (Some("valid"), Some(true)),
                "attempt {attempt}: {v}"
            );
        }
        assert_eq!(
            app.ledger_rows(ORG_A).await,
            1,
            "one row for one scan, however often retried"
        );
        // After the pass's end a retry still gets the first verdict; a new scan does not.
        app.clock.advance(Duration::minutes(6));
        let v: Value = scan(event.clone()).await.json().await.unwrap();
        assert_eq!(v["result"], "valid");
        assert_eq!(v["status_kind"], "svo_participant");
        assert_eq!(
            v["holder"],
            Value::Null,
            "initials are not kept for retries"
        );
        let v: Value = scan(uuid::Uuid::new_v4().to_string())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(
            (v["result"].as_str(), v["recorded"].as_bool()),
            (Some("expired"), Some(false))
        );
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
        // The same event id for another organization, and an id that is not a v4 UUID.
        let other = app.client_for("staff-b").await;
        let r = app
            .post_scan_with(
                &other,
                json!({"code": link, "on_behalf_of": ORG_B, "event_id": event}),
            )
            .await;
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["error"], "event_id_reused");
        let r = scan("6ba7b810-9dad-11d1-80b4-00c04fd430c8".into()).await;
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap()["error"],
            "invalid_event_id"
        );
        assert_eq!(app.ledger_rows(ORG_B).await, 0);
    }
);

contract_test!(
    concurrent_retries_of_one_scan_write_one_row,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("petrov").await;
        let desk = app.client_for("staff-active").await;
        let event = uuid::Uuid::new_v4().to_string();
        let body = json!({"code": link, "on_behalf_of": ORG_A, "event_id": event});
        let answers =
            futures_util::future::join_all((0..6).map(|_| app.post_scan_with(&desk, body.clone())))
                .await;
        for r in answers {
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            assert_eq!(
                (v["result"].as_str(), v["recorded"].as_bool()),
                (Some("valid"), Some(true)),
                "{v}"
            );
        }
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
    }
);

contract_test!(
    a_burst_of_organization_scans_records_each_once,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (link, _) = app.issue_pass_for("petrov").await;
        let desk = app.client_for("staff-active").await;
        // 80 scans at once (SQLite commits them in groups), every fifth sent twice.
        let events: Vec<String> = (0..80).map(|_| uuid::Uuid::new_v4().to_string()).collect();
        let sends = events.iter().chain(events.iter().step_by(5)).map(|event| {
            let body = json!({"code": link, "on_behalf_of": ORG_A, "event_id": event});
            app.post_scan_with(&desk, body)
        });
        let answers = futures_util::future::join_all(sends).await;
        assert_eq!(answers.len(), 96);
        for r in answers {
            assert_eq!(r.status(), 200);
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["recorded"], true, "{v}");
        }
        assert_eq!(app.ledger_rows(ORG_A).await, 80);
    }
);

contract_test!(
    a_large_expired_ledger_is_deleted_in_batches,
    |backend: Backend| async move {
        use statuspass_server::store::ledger;
        let app = spawn_app(backend).await;
        let ogrn = statuspass_shared::Ogrn::parse(ORG_A).unwrap();
        // Expired as of a month from now, not yet as of now: the app's own sweeper (it runs at
        // start, on the app's clock) leaves them to the call under test.
        let later = app.clock.now() + Duration::days(30);
        let old = later - ledger::RETENTION - Duration::days(1);
        let n = 2 * ledger::DELETE_BATCH as usize + 7;
        let times: Vec<_> = (0..n).map(|i| old - Duration::seconds(i as i64)).collect();
        ledger::record_many(&app.state.db, &ogrn, StatusKind::Student, &times)
            .await
            .unwrap();
        let fresh = [later - Duration::days(1)];
        ledger::record_many(&app.state.db, &ogrn, StatusKind::Student, &fresh)
            .await
            .unwrap();
        let deleted = ledger::delete_expired(&app.state.db, later).await.unwrap();
        assert_eq!(
            deleted, n as u64,
            "all expired rows, over several statements"
        );
        assert_eq!(app.ledger_rows(ORG_A).await, 1, "the recent row stays");
    }
);
