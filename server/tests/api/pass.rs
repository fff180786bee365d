use chrono::{DateTime, Duration};
use serde_json::Value;
use statuspass_server::clock::Clock;

use crate::contract_test;
use crate::helpers::{spawn_app, Backend};
use statuspass_shared::StatusKind;

contract_test!(pass_needs_sign_in, |backend: Backend| async move {
    let app = spawn_app(backend).await;
    let r = app.post_pass().await;
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "unauthorized");
    assert!(body["message"].as_str().unwrap().len() > 3);
});

contract_test!(
    unconfirmed_account_is_refused,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("novikov").await;
        let r = app.post_pass().await;
        assert_eq!(r.status(), 403);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "account_not_confirmed");
        assert_eq!(
            body["message"],
            "Сервис доступен только для подтверждённой учётной записи"
        );
        assert_eq!(app.registry_calls(), 0);
    }
);

contract_test!(
    everyone_signed_in_may_ask_for_a_pass_staff_too,
    |backend: Backend| async move {
        // Roles come from organization membership, and membership adds to what a person may
        // do: a cashier who is also a participant gets a pass like anyone else.
        let app = spawn_app(backend).await;
        app.sign_in("staff-none").await;
        let r = app.post_pass().await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["outcome"], "not_found", "not in the registry: {body}");
        assert_eq!(app.registry_calls(), 1);
    }
);

contract_test!(
    pass_is_issued_as_a_link_with_expiry_in_five_minutes,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("ivanov").await;
        let body: Value = app.post_pass().await.json().await.unwrap();
        assert_eq!(body["outcome"], "issued");
        let id = body["id"].as_str().unwrap();
        // The whole QR text: the link and, after `#`, the offline token.
        let link = body["link"].as_str().unwrap();
        assert!(
            link.starts_with(&format!("{}/somc2/{id}#T", app.public_url)),
            "{link}"
        );
        let expires = DateTime::parse_from_rfc3339(body["expires_at"].as_str().unwrap()).unwrap();
        assert_eq!(
            expires.offset().local_minus_utc(),
            3 * 3600,
            "service time zone Europe/Moscow"
        );
        let lifetime = expires.to_utc() - app.clock.now();
        assert!(
            lifetime <= Duration::seconds(300) && lifetime > Duration::seconds(299),
            "{lifetime}"
        );
    }
);

contract_test!(
    pass_is_reused_within_five_minutes_without_asking_the_registry,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("ivanov").await;
        let first: Value = app.post_pass().await.json().await.unwrap();
        app.clock.advance(Duration::seconds(299));
        let second: Value = app.post_pass().await.json().await.unwrap();
        assert_eq!(first["id"], second["id"]);
        assert_eq!(first["expires_at"], second["expires_at"]);
        assert_eq!(app.registry_calls(), 1);
    }
);

contract_test!(
    a_new_pass_is_issued_after_expiry,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("ivanov").await;
        let first: Value = app.post_pass().await.json().await.unwrap();
        app.clock.advance(Duration::seconds(300));
        let second: Value = app.post_pass().await.json().await.unwrap();
        assert_eq!(second["outcome"], "issued");
        assert_ne!(first["id"], second["id"]);
        assert_eq!(app.registry_calls(), 2);
    }
);

contract_test!(
    different_people_get_different_passes,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, a) = app.issue_pass_for("ivanov").await;
        let (_, b) = app.issue_pass_for("petrov").await;
        assert_ne!(a, b);
    }
);

contract_test!(
    concurrent_presses_yield_one_pass,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("sidorova").await;
        let requests = (0..6).map(|_| app.post_pass());
        let answers = futures_util::future::join_all(requests).await;
        let mut ids = Vec::new();
        for r in answers {
            assert_eq!(r.status(), 200);
            let body: Value = r.json().await.unwrap();
            ids.push(body["id"].as_str().unwrap().to_owned());
        }
        ids.dedup();
        assert_eq!(ids.len(), 1, "{ids:?}");
    }
);

contract_test!(
    person_not_in_registry_gets_the_certificate_form,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("popov").await;
        let r = app.post_pass().await;
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["outcome"], "not_found");
        assert_eq!(
            body["certificate_form_url"],
            app.state.settings.certificate_form_url
        );
    }
);

contract_test!(
    registry_outage_is_503_never_not_found,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        app.sign_in("morozov").await;
        let r = app.post_pass().await;
        assert_eq!(r.status(), 503);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "registry_unavailable");
        assert_eq!(
            body["message"],
            "Сервис временно недоступен, попробуйте позже"
        );
    }
);

#[tokio::test]
async fn in_redis_the_expiry_index_expires_with_the_newest_tombstone() {
    use redis::AsyncCommands;
    let app = crate::helpers::spawn_app(Backend::PostgresRedis).await;
    app.issue_pass_for("ivanov").await;
    let mut redis = redis::Client::open(crate::helpers::redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("{}expiring", app.state.settings.redis_prefix);
    let ttl_ms: i64 = redis.pttl(&key).await.unwrap();
    let horizon_ms = i64::try_from(
        (app.state.settings.pass_ttl_secs + app.state.settings.tombstone_ttl_secs) * 1000,
    )
    .unwrap();
    assert!(
        ttl_ms > horizon_ms - 60_000 && ttl_ms <= horizon_ms,
        "{key} expires in {ttl_ms} ms, not with the tombstone ({horizon_ms} ms)"
    );
}

contract_test!(
    registry_lookups_are_limited_per_person_with_a_clear_429,
    |backend: Backend| async move {
        let app = crate::helpers::spawn_app_with(backend, |s| s.lookups_per_hour = 4).await;
        let client = app.client_for("ivanov").await;
        // Pressing «Получить» again while the pass lives asks nobody and counts for nothing.
        for _ in 0..10 {
            assert_eq!(app.post_pass_with(&client).await.status(), 200);
        }
        assert_eq!(app.registry_calls(), 1);
        // A loop of «Получить» after each expiry: one lookup each.
        for _ in 0..3 {
            app.clock.advance(Duration::minutes(6));
            assert_eq!(app.post_pass_with(&client).await.status(), 200);
        }
        app.clock.advance(Duration::minutes(6));
        let r = app.post_pass_with(&client).await;
        assert_eq!(r.status(), 429);
        let wait: i64 = r.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=3600).contains(&wait), "Retry-After {wait}");
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"], "too_many_lookups");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("Попробуйте через"));
        assert_eq!(app.registry_calls(), 4, "the refused press asked nobody");
        // Another person is not limited; after the hour the first one is served again.
        let (status, _) = app.pass_of("petrov", StatusKind::SvoParticipant).await;
        assert_eq!(status, 200);
        app.clock.advance(Duration::seconds(wait));
        assert_eq!(app.post_pass_with(&client).await.status(), 200);
    }
);

/// Behind a balancer the count is one: two instances sharing PostgreSQL and Redis.
#[tokio::test]
async fn the_lookup_limit_is_shared_by_instances_on_one_redis() {
    let a =
        crate::helpers::spawn_app_with(Backend::PostgresRedis, |s| s.lookups_per_hour = 2).await;
    let shared = a.state.settings.clone();
    let b = crate::helpers::spawn_app_with(Backend::PostgresRedis, move |s| {
        s.lookups_per_hour = 2;
        s.database_url = shared.database_url;
        s.redis_prefix = shared.redis_prefix;
    })
    .await;
    let on_a = a.client_for("ivanov").await;
    let on_b = b.client_for("ivanov").await;
    let expire_both = || {
        a.clock.advance(Duration::minutes(6));
        b.clock.advance(Duration::minutes(6));
    };
    assert_eq!(a.post_pass_with(&on_a).await.status(), 200);
    expire_both();
    assert_eq!(b.post_pass_with(&on_b).await.status(), 200);
    expire_both();
    let r = a.post_pass_with(&on_a).await;
    assert_eq!(
        r.status(),
        429,
        "the third lookup of the hour, on either instance"
    );
    assert_eq!(b.post_pass_with(&on_b).await.status(), 429);
    assert_eq!(a.registry_calls() + b.registry_calls(), 2);
}

contract_test!(
    the_default_limit_never_stops_real_use,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        // kovaleva tries each of the five statuses in turn, then shows one all hour long.
        let client = app.client_for("kovaleva").await;
        for kind in StatusKind::ALL {
            let status = app.post_pass_of(&client, kind).await.status();
            assert_ne!(status, 429, "{kind:?}");
        }
        for _ in 0..12 {
            app.clock.advance(Duration::minutes(5));
            let status = app
                .post_pass_of(&client, StatusKind::Student)
                .await
                .status();
            assert_eq!(status, 200);
        }
    }
);
