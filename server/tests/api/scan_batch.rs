//! `POST /api/scan/batch`: organization scans queued offline, uploaded later (issue 12).

use chrono::{DateTime, Duration, Utc};
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use statuspass_server::clock::Clock;
use statuspass_server::store::ledger;
use statuspass_shared::Ogrn;
use uuid::Uuid;

use crate::contract_test;
use crate::helpers::{bare_link, spawn_app, Backend, TestApp, ORG_A, ORG_B};

/// One queued event: the scan at `at` (server time), sent with a device clock 5 s behind and
/// the offset that corrects it.
fn event(id: Uuid, ogrn: &str, code: &str, at: DateTime<Utc>) -> Value {
    json!({
        "event_id": id,
        "on_behalf_of": ogrn,
        "code": code,
        "device_time_ms": at.timestamp_millis() - 5_000,
        "clock_offset_ms": 5_000,
        "device_seq": 1,
    })
}

impl TestApp {
    async fn upload(&self, client: &reqwest::Client, events: &[Value]) -> (u16, Value) {
        let r = client
            .post(self.url("/api/scan/batch"))
            .json(&json!({ "events": events }))
            .send()
            .await
            .expect("request");
        (r.status().as_u16(), r.json().await.expect("json"))
    }

    /// The ledger's scan times of `ogrn`, oldest first.
    async fn ledger_times(&self, ogrn: &str) -> Vec<DateTime<Utc>> {
        let ogrn = Ogrn::parse(ogrn).unwrap();
        let from = DateTime::<Utc>::UNIX_EPOCH;
        let until = from + Duration::days(365 * 200);
        let mut read = self.state.db.begin_long_read().await.unwrap();
        ledger::stream_for_report(&mut read, &ogrn, from, until)
            .map_ok(|e| e.scanned_at)
            .try_collect()
            .await
            .unwrap()
    }

    /// A pass link (with its token) of a demo participant, issued now.
    async fn link_of(&self, key: &str) -> String {
        self.issue_pass_for(key).await.0
    }
}

/// The outcomes of an upload answer: `(outcome, reason)` per event.
fn outcomes(answer: &Value) -> Vec<(String, Option<String>)> {
    answer["results"]
        .as_array()
        .unwrap_or_else(|| panic!("no results: {answer}"))
        .iter()
        .map(|r| {
            (
                r["outcome"].as_str().unwrap().to_owned(),
                r["reason"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn recorded() -> (String, Option<String>) {
    ("recorded".into(), None)
}

fn duplicate() -> (String, Option<String>) {
    ("duplicate".into(), None)
}

fn refused(reason: &str) -> (String, Option<String>) {
    ("refused".into(), Some(reason.into()))
}

/// Millisecond precision, as the ledger keeps times.
fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap()
}

contract_test!(
    queued_scans_are_recorded_once_each_at_their_scan_time,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let t0 = app.clock.now();
        let ivanov = app.link_of("ivanov").await;
        let petrov = app.link_of("petrov").await;
        let desk = app.client_for("staff-active").await;
        let events = [
            event(Uuid::new_v4(), ORG_A, &ivanov, t0 + Duration::seconds(30)),
            event(
                Uuid::new_v4(),
                ORG_A,
                &petrov,
                t0 + Duration::milliseconds(61_250),
            ),
        ];
        // The desk comes back online long after both passes ended and were deleted.
        app.clock.advance(Duration::minutes(40));
        let (status, answer) = app.upload(&desk, &events).await;
        assert_eq!(status, 200, "{answer}");
        assert_eq!(outcomes(&answer), [recorded(), recorded()]);
        assert_eq!(
            answer["results"][1]["scanned_at"]
                .as_str()
                .map(|s| s.parse::<DateTime<Utc>>().unwrap()),
            Some(ms(t0 + Duration::milliseconds(61_250))),
        );
        for replay in 0..2 {
            let (status, answer) = app.upload(&desk, &events).await;
            assert_eq!(status, 200);
            assert_eq!(
                outcomes(&answer),
                [duplicate(), duplicate()],
                "replay {replay}"
            );
        }
        assert_eq!(
            app.ledger_times(ORG_A).await,
            [
                ms(t0 + Duration::seconds(30)),
                ms(t0 + Duration::milliseconds(61_250))
            ],
            "one row per event, at the scan time, not the upload time"
        );
        // The same event twice in one batch: the second is the duplicate.
        let again = event(Uuid::new_v4(), ORG_A, &ivanov, t0 + Duration::seconds(90));
        let (_, answer) = app.upload(&desk, &[again.clone(), again]).await;
        assert_eq!(outcomes(&answer), [recorded(), duplicate()]);
        assert_eq!(app.ledger_rows(ORG_A).await, 3);
    }
);

contract_test!(
    overlapping_batches_uploaded_at_once_write_one_row_per_event,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let t0 = app.clock.now();
        let link = app.link_of("ivanov").await;
        let events: Vec<Value> = (0..12)
            .map(|i| event(Uuid::new_v4(), ORG_A, &link, t0 + Duration::seconds(10 + i)))
            .collect();
        app.clock.advance(Duration::minutes(10));
        let one = app.client_for("staff-active").await;
        let two = app.client_for("staff-active").await;
        let (a, b) = tokio::join!(
            app.upload(&one, &events[..8]),
            app.upload(&two, &events[4..])
        );
        assert_eq!((a.0, b.0), (200, 200));
        let mut recorded_ids: Vec<String> = [a.1, b.1]
            .iter()
            .flat_map(|answer| answer["results"].as_array().unwrap().clone())
            .filter(|r| r["outcome"] == "recorded")
            .map(|r| r["event_id"].as_str().unwrap().to_owned())
            .collect();
        recorded_ids.sort();
        let mut expected: Vec<String> = events
            .iter()
            .map(|e| e["event_id"].as_str().unwrap().to_owned())
            .collect();
        expected.sort();
        assert_eq!(
            recorded_ids, expected,
            "every event recorded by exactly one upload"
        );
        assert_eq!(app.ledger_rows(ORG_A).await, 12);
    }
);

contract_test!(
    refused_events_are_answered_with_their_reason_and_write_nothing,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let t0 = app.clock.now();
        let issued = {
            let client = app.client_for("ivanov").await;
            let r = app.post_pass_with(&client).await;
            r.json::<Value>().await.unwrap()
        };
        let link = issued["link"].as_str().unwrap().to_owned();
        // One character of the token changed (to another base32 letter).
        let forged = {
            let mut chars: Vec<char> = link.chars().collect();
            let i = chars.len() - 10;
            chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
            chars.into_iter().collect::<String>()
        };
        let desk = app.client_for("staff-active").await;
        let at = t0 + Duration::seconds(20);
        let earlier = Uuid::new_v4();
        let (_, answer) = app.upload(&desk, &[event(earlier, ORG_A, &link, at)]).await;
        assert_eq!(outcomes(&answer), [recorded()]);
        app.clock.advance(Duration::minutes(30));
        let not_v4 = Uuid::parse_str("6ba7b810-9dad-11d1-80b4-00c04fd430c8").unwrap();
        let cases = [
            (
                event(Uuid::new_v4(), ORG_B, &link, at),
                "no_active_delegation",
            ),
            (event(Uuid::new_v4(), ORG_A, &forged, at), "forged"),
            (
                event(Uuid::new_v4(), ORG_A, &bare_link(&issued), at),
                "no_token",
            ),
            (
                event(Uuid::new_v4(), ORG_A, "https://example.com/ticket/1", at),
                "not_a_pass",
            ),
            (
                event(
                    Uuid::new_v4(),
                    ORG_A,
                    &link,
                    app.clock.now() + Duration::minutes(5),
                ),
                "scanned_in_future",
            ),
            (
                event(Uuid::new_v4(), ORG_A, &link, t0 - Duration::seconds(5)),
                "before_issue",
            ),
            (
                event(Uuid::new_v4(), ORG_A, &link, t0 + Duration::minutes(6)),
                "expired_at_scan",
            ),
            (
                event(Uuid::new_v4(), ORG_A, &link, t0 - Duration::days(91)),
                "too_old",
            ),
            (
                event(Uuid::new_v4(), "1027700012341", &link, at),
                "invalid_ogrn",
            ),
            (event(not_v4, ORG_A, &link, at), "invalid_event_id"),
            (event(earlier, ORG_B, &link, at), "event_id_reused"),
        ];
        let events: Vec<Value> = cases.iter().map(|(e, _)| e.clone()).collect();
        let (status, answer) = app.upload(&desk, &events).await;
        assert_eq!(status, 200, "{answer}");
        let expected: Vec<_> = cases.iter().map(|(_, reason)| refused(reason)).collect();
        assert_eq!(outcomes(&answer), expected);
        assert_eq!(
            app.ledger_total().await,
            1,
            "nothing written for a refused event"
        );
        // Refused again when sent again: a refusal is not remembered as a verdict.
        let (_, answer) = app.upload(&desk, &events[1..2]).await;
        assert_eq!(outcomes(&answer), [refused("forged")]);
    }
);

contract_test!(
    the_delegation_counts_as_it_was_at_the_scan_time,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let t0 = app.clock.now();
        let link = app.link_of("ivanov").await;
        let before = event(Uuid::new_v4(), ORG_A, &link, t0 + Duration::seconds(10));
        let after = event(Uuid::new_v4(), ORG_A, &link, t0 + Duration::seconds(200));
        app.clock.advance(Duration::seconds(100));
        let admin = app.client_for("admin-a").await;
        let revoke = format!("/api/orgs/{ORG_A}/delegations/demo-a-active/revoke");
        let r = admin.post(app.url(&revoke)).send().await.unwrap();
        assert!(r.status().is_success(), "revoke: {}", r.status());
        app.clock.advance(Duration::minutes(10));
        let desk = app.client_for("staff-active").await;
        let (_, answer) = app.upload(&desk, &[before, after]).await;
        assert_eq!(
            outcomes(&answer),
            [recorded(), refused("no_active_delegation")],
            "a scan before the revocation stands; one after it does not"
        );
        assert_eq!(app.ledger_rows(ORG_A).await, 1);
    }
);

contract_test!(
    a_batch_needs_staff_and_at_most_a_hundred_events,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let link = app.link_of("ivanov").await;
        let at = app.clock.now();
        let participant = app.client_for("petrov").await;
        let one = [event(Uuid::new_v4(), ORG_A, &link, at)];
        assert_eq!(app.upload(&participant, &one).await.0, 403);
        assert_eq!(app.upload(&app.another_client(), &one).await.0, 401);
        let desk = app.client_for("staff-active").await;
        let many: Vec<Value> = (0..101)
            .map(|_| event(Uuid::new_v4(), ORG_A, &link, at))
            .collect();
        let (status, answer) = app.upload(&desk, &many).await;
        assert_eq!(
            (status, answer["error"].as_str()),
            (400, Some("batch_too_large"))
        );
        let (status, answer) = app.upload(&desk, &[]).await;
        assert_eq!((status, answer), (200, json!({"results": []})));
        assert_eq!(app.ledger_total().await, 0);
    }
);

contract_test!(
    offline_scans_count_in_the_report_of_their_period_or_the_next_when_late,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let ogrn = Ogrn::parse(ORG_A).unwrap();
        let desk = app.client_for("staff-active").await;
        // Two passes scanned offline shortly before the first report is due.
        app.clock.advance(Duration::days(30) - Duration::minutes(3));
        let on_time = app.link_of("ivanov").await;
        let late = app.link_of("petrov").await;
        let at = app.clock.now() + Duration::minutes(1);
        let on_time = event(Uuid::new_v4(), ORG_A, &on_time, at);
        let late = event(Uuid::new_v4(), ORG_A, &late, at);
        app.clock.advance(Duration::minutes(5));
        // One desk uploads before the report is made, the other only after it.
        assert_eq!(
            outcomes(&app.upload(&desk, &[on_time]).await.1),
            [recorded()]
        );
        assert_eq!(app.state.reports.run_due(false).await.unwrap().created, 2);
        app.clock.advance(Duration::hours(1));
        assert_eq!(outcomes(&app.upload(&desk, &[late]).await.1), [recorded()]);
        app.clock.advance(Duration::days(30));
        assert_eq!(app.state.reports.run_due(false).await.unwrap().created, 2);
        let mut reports = statuspass_server::store::reports::of_org(&app.state.db, &ogrn)
            .await
            .unwrap();
        reports.sort_by_key(|r| r.period_start);
        let rows: Vec<_> = reports.iter().map(|r| r.rows_count).collect();
        assert_eq!(
            rows,
            [Some(1), Some(1)],
            "the late scan is in the next report, not lost: {reports:?}"
        );
        assert!(
            at < reports[0].period_end,
            "both were scanned in the first period"
        );
        assert_eq!(
            app.ledger_times(ORG_A).await,
            [ms(at), ms(at)],
            "the ledger keeps the scan time"
        );
    }
);
