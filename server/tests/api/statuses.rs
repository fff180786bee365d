//! Status kinds (issue 11): issue per kind from its source — found, not found, unavailable,
//! reuse and expiry per person and kind —, the adult rule, the body of `POST /api/pass` and
//! `GET /api/statuses`.

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use statuspass_server::clock::Clock;
use statuspass_shared::StatusKind::{self, Adult, LargeFamily, Student, SvoFamily, SvoParticipant};

use crate::contract_test;
use crate::helpers::{code_at, spawn_app, spawn_app_with, Backend};

contract_test!(
    each_kind_is_issued_to_a_person_who_holds_it,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        for (key, kind, title, dynamic) in [
            ("kovaleva", SvoFamily, "член семьи участника СВО", false),
            ("kovaleva", Student, "студент", true),
            ("kovaleva", Adult, "совершеннолетний (18+)", true),
            ("orlova", LargeFamily, "многодетная семья", true),
            ("ivanov", SvoParticipant, "участник СВО", false),
        ] {
            let (status, body) = app.pass_of(key, kind).await;
            assert_eq!(status, 200, "{key} {kind}: {body}");
            assert_eq!(body["outcome"], "issued", "{key} {kind}: {body}");
            assert_eq!(body["status"], kind.as_str());
            assert_eq!(body["title"], title);
            let id = body["id"].as_str().unwrap();
            // The whole QR text: the link and, after `#`, the offline token.
            let link = body["link"].as_str().unwrap();
            assert!(
                link.starts_with(&format!("{}/somc2/{id}#T", app.public_url)),
                "{link}"
            );
            assert_eq!(body.get("dynamic").is_some(), dynamic, "{kind}: {body}");
            if dynamic {
                assert_eq!(body["dynamic"]["step_secs"], 30);
                assert_eq!(body["dynamic"]["secret"].as_str().unwrap().len(), 64);
            }
        }
        assert_eq!(app.source_calls(Student), 1);
        assert_eq!(app.source_calls(LargeFamily), 1);
        assert_eq!(app.registry_calls(), 2, "svo_family of kovaleva, ivanov");
    }
);

contract_test!(
    a_kind_the_person_does_not_hold_names_where_to_confirm_it,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let settings = &app.state.settings;
        for (key, kind) in [
            ("ivanov", SvoFamily),
            ("kovaleva", SvoParticipant),
            ("ivanov", Student),
            ("ivanov", LargeFamily),
            ("fedorov", Adult),
            ("popov", SvoParticipant),
        ] {
            let (status, body) = app.pass_of(key, kind).await;
            assert_eq!(status, 200, "{key} {kind}: {body}");
            assert_eq!(body["outcome"], "not_found", "{key} {kind}: {body}");
            assert_eq!(body["status"], kind.as_str());
            assert_eq!(body["confirm_url"], settings.confirm_url(kind));
            let certificate = &body["certificate_form_url"];
            if kind.is_svo() {
                assert_eq!(certificate, settings.confirm_url(kind));
            } else {
                assert!(certificate.is_null(), "{body}");
            }
        }
        assert_eq!(
            app.state.settings.confirm_url(SvoParticipant),
            app.state.settings.certificate_form_url
        );
    }
);

contract_test!(
    an_unavailable_source_is_503_never_not_found,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        for (key, kind) in [
            ("zaitsev", Student),
            ("zaitsev", LargeFamily),
            ("morozov", SvoFamily),
            ("morozov", SvoParticipant),
        ] {
            let (status, body) = app.pass_of(key, kind).await;
            assert_eq!(status, 503, "{key} {kind}: {body}");
            assert_eq!(body["error"], "registry_unavailable");
            assert_eq!(
                body["message"],
                "Сервис временно недоступен, попробуйте позже"
            );
        }
        // zaitsev is of age: adult asks no registry, so it is issued all the same
        let (_, body) = app.pass_of("zaitsev", Adult).await;
        assert_eq!(body["outcome"], "issued");
    }
);

contract_test!(
    passes_are_reused_per_kind_without_asking_the_source_again,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let client = app.client_for("kovaleva").await;
        let ask = |kind: StatusKind| {
            let (client, app) = (client.clone(), &app);
            async move {
                let body = app
                    .post_json(&client, "/api/pass", json!({ "status": kind }))
                    .await;
                assert_eq!(body["outcome"], "issued", "{kind}: {body}");
                body
            }
        };
        let student = ask(Student).await;
        let family = ask(SvoFamily).await;
        let adult = ask(Adult).await;
        assert_ne!(student["id"], family["id"]);
        assert_ne!(student["id"], adult["id"]);
        assert_ne!(student["dynamic"]["secret"], adult["dynamic"]["secret"]);
        app.clock.advance(Duration::seconds(299));
        for (kind, first) in [(Student, &student), (SvoFamily, &family), (Adult, &adult)] {
            let again = ask(kind).await;
            assert_eq!(again["id"], first["id"], "{kind}");
            assert_eq!(again["expires_at"], first["expires_at"], "{kind}");
            assert_eq!(again["dynamic"], first["dynamic"], "{kind}: same secret");
        }
        assert_eq!(app.source_calls(Student), 1);
        assert_eq!(app.source_calls(SvoFamily), 1);

        app.clock.advance(Duration::seconds(1));
        let renewed = ask(Student).await;
        assert_ne!(renewed["id"], student["id"]);
        assert_ne!(renewed["dynamic"]["secret"], student["dynamic"]["secret"]);
        assert_eq!(app.source_calls(Student), 2);
    }
);

contract_test!(
    a_dynamic_pass_expires_loses_its_data_and_leaves_a_tombstone,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, student) = app.pass_of("kovaleva", Student).await;
        let id = statuspass_shared::PassId::parse(student["id"].as_str().unwrap()).unwrap();
        let staff = app.staff().await;
        assert_eq!(
            app.scan_as(&staff, &code_at(&student, app.now_ms())).await["result"],
            "valid"
        );
        assert!(app.holds_registry_data(id).await);
        app.clock.advance(Duration::seconds(300));
        app.state.passes.sweep().await.unwrap();
        assert!(!app.holds_registry_data(id).await, "secret gone at expiry");
        let now_code = code_at(&student, app.now_ms());
        assert_eq!(app.scan_as(&staff, &now_code).await["result"], "expired");
        app.clock.advance(Duration::seconds(
            app.state.settings.tombstone_ttl_secs as i64,
        ));
        app.state.passes.sweep().await.unwrap();
        assert_eq!(app.scan_as(&staff, &now_code).await["result"], "unknown");
    }
);

contract_test!(
    no_body_or_an_empty_one_is_the_svo_participant_pass,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let client = app.client_for("ivanov").await;
        let bare: Value = app.post_pass_with(&client).await.json().await.unwrap();
        assert_eq!(bare["outcome"], "issued");
        assert_eq!(bare["status"], "svo_participant");
        assert!(bare.get("dynamic").is_none());
        let empty = app.post_json(&client, "/api/pass", json!({})).await;
        let explicit: Value = app
            .post_pass_of(&client, SvoParticipant)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(empty["id"], bare["id"]);
        assert_eq!(explicit["id"], bare["id"]);
        assert_eq!(app.registry_calls(), 1);
    }
);

contract_test!(
    unknown_and_disabled_kinds_are_refused_with_400,
    |backend: Backend| async move {
        let app = spawn_app_with(backend, |s| s.status_kinds = vec![SvoParticipant, Student]).await;
        let client = app.client_for("kovaleva").await;
        let post = |body: &'static str, content_type: &'static str| {
            let client = client.clone();
            let url = app.url("/api/pass");
            async move {
                let r = client
                    .post(url)
                    .header("content-type", content_type)
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                let status = r.status().as_u16();
                let body: Value = r.json().await.unwrap();
                (
                    status,
                    body["error"].as_str().unwrap_or_default().to_owned(),
                )
            }
        };
        assert_eq!(
            post(r#"{"status":"pensioner"}"#, "application/json").await,
            (400, "invalid_json".to_owned())
        );
        assert_eq!(
            post(r#"{"kind":"student"}"#, "application/json").await,
            (400, "invalid_json".to_owned())
        );
        assert_eq!(
            post(r#"{"status":"student"}"#, "text/plain").await,
            (400, "unsupported_content_type".to_owned())
        );
        let r = app.post_pass_of(&client, Adult).await;
        assert_eq!(r.status(), 400);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "status_not_offered");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("совершеннолетний"));
        assert_eq!(
            post(r#"{"status":"student"}"#, "application/json; charset=utf-8")
                .await
                .0,
            200
        );
    }
);

contract_test!(
    adult_is_decided_on_the_eighteenth_birthday_in_the_service_time_zone,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        // fedorov was born on 2 April 2011: of age from 2 April 2029, 00:00 Moscow time,
        // which is 1 April 2029, 21:00 UTC.
        let midnight_in_moscow: DateTime<Utc> = "2029-04-01T21:00:00Z".parse().unwrap();
        let before = midnight_in_moscow - Duration::seconds(1);
        assert!(
            app.clock.now() < before,
            "demo data needs a later birth date"
        );
        app.clock.advance(before - app.clock.now());
        let client = app.client_for("fedorov").await;
        let body: Value = app.post_pass_of(&client, Adult).await.json().await.unwrap();
        assert_eq!(body["outcome"], "not_found", "the day before: {body}");
        assert_eq!(body["confirm_url"], app.state.settings.confirm_url_adult);
        app.clock.advance(Duration::seconds(1));
        assert_eq!(
            app.clock.now().date_naive().to_string(),
            "2029-04-01",
            "UTC"
        );
        let body: Value = app.post_pass_of(&client, Adult).await.json().await.unwrap();
        assert_eq!(body["outcome"], "issued", "on the birthday: {body}");
    }
);

contract_test!(
    adult_without_a_birth_date_cannot_be_confirmed,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (status, body) = app.pass_of("belova", Adult).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"], "birthdate_unknown");
        assert_eq!(
            body["message"],
            "Не удалось подтвердить совершеннолетие: в учётной записи нет подтверждённой даты рождения"
        );
        let (_, student) = app.pass_of("belova", Student).await;
        assert_eq!(student["outcome"], "not_found");
    }
);

contract_test!(
    statuses_lists_the_offered_kinds_without_sign_in,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let anonymous = app.another_client();
        let list = app.get_json(&anonymous, "/api/statuses").await;
        let kinds: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["kind"].as_str().unwrap())
            .collect();
        assert_eq!(
            kinds,
            [
                "svo_participant",
                "svo_family",
                "adult",
                "student",
                "large_family"
            ]
        );
        assert_eq!(
            list[3],
            json!({"kind": "student", "title": "студент", "dynamic": true, "digital_id": true,
                "confirm_url": app.state.settings.confirm_url_student})
        );
        assert_eq!(list[0]["dynamic"], false);
        assert_eq!(
            list[0]["confirm_url"],
            app.state.settings.certificate_form_url
        );

        let app = spawn_app_with(backend, |s| {
            s.status_kinds = vec![Student, SvoParticipant];
            s.dynamic_kinds = vec![SvoParticipant];
        })
        .await;
        let list = app.get_json(&app.another_client(), "/api/statuses").await;
        let summary: Vec<(String, bool)> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["kind"].as_str().unwrap().to_owned(), s["dynamic"] == true))
            .collect();
        assert_eq!(
            summary,
            [
                ("svo_participant".to_owned(), true),
                ("student".to_owned(), false)
            ]
        );
    }
);

contract_test!(
    openapi_describes_status_kinds_and_the_stale_verdict,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let doc: Value = app.get_json(&app.client, "/api/openapi.json").await;
        assert!(doc["paths"]["/api/statuses"]["get"].is_object());
        let pass = &doc["paths"]["/api/pass"]["post"];
        assert!(pass["requestBody"].is_object(), "{pass}");
        for status in ["400", "422", "503"] {
            assert!(pass["responses"][status].is_object(), "{status}");
        }
        let schemas = &doc["components"]["schemas"];
        for name in ["PassRequest", "StatusOffer", "DynamicCode", "StatusKind"] {
            assert!(schemas[name].is_object(), "{name} missing");
        }
        let text = schemas.to_string();
        assert!(text.contains("\"stale\"") && text.contains("\"status_kind\""));
        assert!(text.contains("\"large_family\"") && text.contains("\"by_kind\""));
    }
);

contract_test!(
    an_oversized_pass_body_is_a_json_413,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let client = app.client_for("kovaleva").await;
        let r = client
            .post(app.url("/api/pass"))
            .header("content-type", "application/json")
            .body(format!(
                r#"{{"status":"student","x":"{}"}}"#,
                "x".repeat(64 * 1024)
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 413);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "payload_too_large");
    }
);
