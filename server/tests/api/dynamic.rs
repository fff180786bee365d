//! The dynamic code of a «Цифровой ID» pass: `{link}#{step}-{code}`, checked against the
//! pass's secret — current and previous step valid, older or far-future stale, another pass's
//! secret unknown, the bare link stale — and what the checker sees per kind.

use chrono::Duration;
use serde_json::Value;
use statuspass_shared::dynamic;
use statuspass_shared::StatusKind::{Adult, LargeFamily, Student, SvoFamily, SvoParticipant};

use crate::contract_test;
use crate::helpers::{bare_link, code_at, spawn_app, spawn_app_with, Backend};

const STEP_MS: i64 = 30_000;

contract_test!(
    the_current_and_the_previous_step_are_valid,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("kovaleva", Student).await;
        let staff = app.staff().await;
        let now = app.now_ms();
        let body = app.scan_as(&staff, &code_at(&pass, now)).await;
        assert_eq!(body["result"], "valid", "{body}");
        assert_eq!(body["status"], "студент");
        assert_eq!(body["status_kind"], "student");
        // a code shown just before the step changed (the staff member's phone took a while)
        let body = app.scan_as(&staff, &code_at(&pass, now - STEP_MS)).await;
        assert_eq!(body["result"], "valid", "{body}");
    }
);

contract_test!(
    an_older_step_is_stale_and_says_so,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("kovaleva", Student).await;
        let staff = app.staff().await;
        // a screenshot taken 70 s earlier: at least two steps old
        let screenshot = code_at(&pass, app.now_ms() - 70_000);
        let body = app.scan_as(&staff, &screenshot).await;
        assert_eq!(body["result"], "stale", "{body}");
        assert!(
            body["status"].is_null() && body["status_kind"].is_null() && body["holder"].is_null()
        );
        assert_eq!(body["recorded"], false);
        // the same code read 70 s after it was shown
        let (_, pass) = app.pass_of("orlova", LargeFamily).await;
        let shown = code_at(&pass, app.now_ms());
        app.clock.advance(Duration::seconds(70));
        assert_eq!(app.scan_as(&staff, &shown).await["result"], "stale");
    }
);

contract_test!(
    a_step_from_beyond_the_clock_tolerance_ahead_is_stale,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("kovaleva", Student).await;
        let staff = app.staff().await;
        // 3 s before a step boundary: the next step (a phone clock 3 s ahead) is accepted…
        let into_step = app.now_ms().rem_euclid(STEP_MS);
        app.clock
            .advance(Duration::milliseconds(STEP_MS - into_step - 3_000));
        let now = app.now_ms();
        let ahead = code_at(&pass, now + 3_000);
        assert_ne!(ahead, code_at(&pass, now), "a different step");
        assert_eq!(app.scan_as(&staff, &ahead).await["result"], "valid");
        // …one starting beyond the 5 s tolerance is not
        let beyond = code_at(&pass, now + 3_000 + STEP_MS);
        assert_eq!(app.scan_as(&staff, &beyond).await["result"], "stale");
        let far = code_at(&pass, now + 3_600_000);
        assert_eq!(app.scan_as(&staff, &far).await["result"], "stale");
        assert_eq!(dynamic::SKEW_AHEAD_MS, 5_000);
    }
);

contract_test!(
    a_code_made_with_another_pass_secret_or_tampered_is_unknown,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, mine) = app.pass_of("kovaleva", Student).await;
        let (_, theirs) = app.pass_of("fedorov", Student).await;
        let staff = app.staff().await;
        let now = app.now_ms();
        let their_code = code_at(&theirs, now);
        let their_fragment = their_code.split_once('#').unwrap().1;
        let forged = format!("{}#{their_fragment}", bare_link(&mine));
        assert_eq!(app.scan_as(&staff, &forged).await["result"], "unknown");
        // The rotating part's last digit changed (the token after it is left as it is).
        let shown = code_at(&mine, now);
        let (rotating, token) = shown.split_once('~').unwrap();
        let mut rotating = rotating.to_owned();
        let last = rotating.pop().unwrap();
        rotating.push(if last == '0' { '1' } else { '0' });
        let tampered = format!("{rotating}~{token}");
        assert_eq!(app.scan_as(&staff, &tampered).await["result"], "unknown");
        let junk = format!("{}#12-34", bare_link(&mine));
        assert_eq!(app.scan_as(&staff, &junk).await["result"], "unknown");
        // and the real one is fine
        assert_eq!(
            app.scan_as(&staff, &code_at(&mine, now)).await["result"],
            "valid"
        );
    }
);

contract_test!(
    the_bare_link_of_a_dynamic_pass_is_stale,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("kovaleva", Adult).await;
        let staff = app.staff().await;
        // The issued link carries the offline token, and no rotating part: stale as it is.
        let issued = pass["link"].as_str().unwrap();
        assert_eq!(app.scan_as(&staff, issued).await["result"], "stale");
        let link = &bare_link(&pass);
        assert_eq!(
            *link,
            format!("{}/somc2/{}", app.public_url, pass["id"].as_str().unwrap())
        );
        assert_eq!(app.scan_as(&staff, link).await["result"], "stale");
        assert_eq!(
            app.scan_as(&staff, &format!("{link}#")).await["result"],
            "stale"
        );
        let with_extension = format!("{link}#t1.future-token");
        assert_eq!(
            app.scan_as(&staff, &with_extension).await["result"],
            "stale"
        );
        let code_and_extension = format!("{}~t1.future-token", code_at(&pass, app.now_ms()));
        assert_eq!(
            app.scan_as(&staff, &code_and_extension).await["result"],
            "valid"
        );
    }
);

contract_test!(
    a_static_pass_scanned_with_a_fragment_is_still_valid,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (issued, _) = app.issue_pass_for("ivanov").await;
        let link = issued.split_once('#').unwrap().0;
        let staff = app.staff().await;
        for code in [
            issued.clone(),
            format!("{link}#1234-12345678"),
            format!("{link}#t1.token"),
            format!("{link}#"),
        ] {
            let body = app.scan_as(&staff, &code).await;
            assert_eq!(body["result"], "valid", "{code}");
            assert_eq!(body["status_kind"], "svo_participant");
        }
        assert_eq!(
            app.scan_as(&staff, &format!("{link}#a b")).await["result"],
            "unknown"
        );
    }
);

contract_test!(
    svo_passes_turn_dynamic_when_the_operator_says_so,
    |backend: Backend| async move {
        let app = spawn_app_with(backend, |s| s.dynamic_kinds.push(SvoParticipant)).await;
        let (_, pass) = app.pass_of("ivanov", SvoParticipant).await;
        assert_eq!(pass["dynamic"]["step_secs"], 30, "{pass}");
        let staff = app.staff().await;
        assert_eq!(
            app.scan_as(&staff, pass["link"].as_str().unwrap()).await["result"],
            "stale"
        );
        let body = app.scan_as(&staff, &code_at(&pass, app.now_ms())).await;
        assert_eq!(body["result"], "valid");
        assert_eq!(
            body["holder"]["initials"], "И. И. И.",
            "СВО disclosure stays"
        );
    }
);

/// Every text a checker or the issue answer could show of kovaleva (born 2004-09-01).
const KOVALEVA: [&str; 8] = [
    "Ковал",
    "Дарья",
    "Андреевна",
    "К. Д.",
    "2004",
    "birth_year",
    "initials",
    "09-01",
];

fn assert_nothing_personal(body: &Value) {
    let text = body.to_string();
    for needle in KOVALEVA {
        assert!(!text.contains(needle), "{needle:?} in {text}");
    }
    assert!(body["holder"].is_null(), "{text}");
}

contract_test!(
    digital_id_answers_show_the_status_alone,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let staff = app.staff().await;
        for (kind, title) in [(Student, "студент"), (Adult, "совершеннолетний (18+)")]
        {
            let (_, pass) = app.pass_of("kovaleva", kind).await;
            assert_nothing_personal(&pass);
            let body = app.scan_as(&staff, &code_at(&pass, app.now_ms())).await;
            assert_eq!(body["result"], "valid");
            assert_eq!(body["status"], title);
            assert_eq!(body["status_kind"], kind.as_str());
            assert_nothing_personal(&body);
            let stale = app.scan_as(&staff, pass["link"].as_str().unwrap()).await;
            assert_nothing_personal(&stale);
        }
        // the СВО kind of the same person keeps the configurable disclosure (SPEC §7)
        let (_, family) = app.pass_of("kovaleva", SvoFamily).await;
        let body = app.scan_as(&staff, family["link"].as_str().unwrap()).await;
        assert_eq!(body["result"], "valid");
        assert_eq!(body["status"], "член семьи участника СВО");
        assert_eq!(body["status_kind"], "svo_family");
        assert_eq!(
            body["holder"],
            serde_json::json!({"initials": "К. Д. А.", "birth_year": 2004})
        );
    }
);

contract_test!(
    digital_id_answers_show_the_status_alone_also_on_behalf_of_an_organization,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let staff = app.client_for("staff-active").await;
        let (_, pass) = app.pass_of("orlova", LargeFamily).await;
        let code = code_at(&pass, app.now_ms());
        let body = app
            .post_json(
                &staff,
                "/api/scan",
                serde_json::json!({"code": code, "on_behalf_of": crate::helpers::ORG_A}),
            )
            .await;
        assert_eq!(body["result"], "valid");
        assert_eq!(body["recorded"], true);
        let text = body.to_string();
        for needle in ["Орлов", "Елена", "1986", "initials", "birth_year"] {
            assert!(!text.contains(needle), "{needle:?} in {text}");
        }
    }
);
