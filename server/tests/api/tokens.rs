//! The offline token in the issued link and the keys of `GET /api/keys` (issue 12): the token
//! verifies with the published key for the pass id and says what the scan answer would
//! disclose; online the server decides without it; a rotation changes the signing key and keeps
//! the old one published.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde_json::Value;
use statuspass_server::configuration::Disclosure;
use statuspass_server::tokens;
use statuspass_shared::keys::KeyList;
use statuspass_shared::token::{self, Token};
use statuspass_shared::StatusKind::{Adult, Student, SvoParticipant};
use statuspass_shared::{KeyId, PassId};

use crate::contract_test;
use crate::helpers::{code_at, spawn_app, spawn_app_with, Backend, TestApp};

impl TestApp {
    async fn key_list(&self) -> KeyList {
        let r = self.client.get(self.url("/api/keys")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["cache-control"], "public, max-age=300");
        r.json().await.unwrap()
    }
}

/// The pass id and the decoded token of an issue answer, checking the link's shape.
fn token_of(app: &TestApp, pass: &Value) -> (PassId, Token, String) {
    let id = PassId::parse(pass["id"].as_str().unwrap()).unwrap();
    let link = pass["link"].as_str().unwrap();
    let (bare, part) = link.split_once('#').expect("a token in the link");
    assert_eq!(bare, format!("{}/somc2/{id}", app.public_url));
    (id, token::decode(part).unwrap(), part.to_owned())
}

fn key_of(list: &KeyList, kid: KeyId) -> VerifyingKey {
    list.get(kid).unwrap().verifying_key().unwrap()
}

fn secs(v: &Value) -> u32 {
    let t: DateTime<Utc> = v.as_str().unwrap().parse().unwrap();
    u32::try_from(t.timestamp()).unwrap()
}

contract_test!(
    the_key_list_holds_the_signing_key_and_a_next_one,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let list = app.key_list().await;
        assert_ne!(list.current, list.next);
        assert_eq!(list.keys.len(), 2, "{list:?}");
        let (current, next) = (
            list.get(list.current).unwrap(),
            list.get(list.next).unwrap(),
        );
        assert!(current.valid_from.is_some() && current.valid_until.is_none());
        assert!(next.valid_from.is_none() && next.valid_until.is_none());
        assert!(current.verifying_key().is_some() && next.verifying_key().is_some());
        // The list is public: no sign-in needed (app.client has none).
    }
);

contract_test!(
    an_svo_token_verifies_and_carries_kind_expiry_and_the_disclosed_holder,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("ivanov", SvoParticipant).await;
        let (id, token, _) = token_of(&app, &pass);
        let list = app.key_list().await;
        assert_eq!(token.fields.kid, list.current);
        assert!(token::verify(&token, &id, &key_of(&list, list.current)));
        assert!(!token::verify(&token, &id, &key_of(&list, list.next)));
        assert!(!token::verify(
            &token,
            &PassId::new_random(),
            &key_of(&list, list.current)
        ));
        let f = &token.fields;
        assert_eq!(f.kind, SvoParticipant);
        assert_eq!(f.expires_at, secs(&pass["expires_at"]));
        assert_eq!(f.expires_at - f.issued_at, 300);
        let holder = f
            .holder
            .as_ref()
            .expect("initials and birth year disclosed")
            .to_holder();
        assert_eq!(
            (holder.initials.as_str(), holder.birth_year),
            ("И. И. И.", 1985)
        );
        // The scan answer discloses the same.
        let staff = app.staff().await;
        let body = app.scan_as(&staff, pass["link"].as_str().unwrap()).await;
        assert_eq!(body["result"], "valid", "{body}");
        assert_eq!(body["holder"]["initials"], "И. И. И.");
    }
);

contract_test!(
    a_status_only_service_puts_no_holder_in_the_token,
    |backend: Backend| async move {
        let app = spawn_app_with(backend, |s| s.disclosure = Disclosure::StatusOnly).await;
        let (_, pass) = app.pass_of("ivanov", SvoParticipant).await;
        let (_, token, _) = token_of(&app, &pass);
        assert_eq!(token.fields.holder, None);
    }
);

contract_test!(
    digital_id_tokens_carry_the_status_alone,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let list = app.key_list().await;
        for (key, kind) in [("kovaleva", Student), ("ivanov", Adult)] {
            let (status, pass) = app.pass_of(key, kind).await;
            assert_eq!(status, 200, "{pass}");
            let (id, token, part) = token_of(&app, &pass);
            assert_eq!(token.fields.kind, kind);
            assert_eq!(
                token.fields.holder, None,
                "{kind}: no initials, no birth year"
            );
            assert!(token::verify(&token, &id, &key_of(&list, token.fields.kid)));
            // The device puts the rotating part first; the server checks it, the token rides on.
            let shown = code_at(&pass, app.now_ms());
            assert!(shown.ends_with(&format!("~{part}")), "{shown}");
            let body = app.scan_as(&app.staff().await, &shown).await;
            assert_eq!(body["result"], "valid", "{body}");
            assert_eq!(body["holder"], Value::Null);
        }
    }
);

contract_test!(
    online_the_server_decides_whatever_the_token_says,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let (_, pass) = app.pass_of("ivanov", SvoParticipant).await;
        let staff = app.staff().await;
        let link = pass["link"].as_str().unwrap();
        let (bare, part) = link.split_once('#').unwrap();
        assert_eq!(app.scan_as(&staff, link).await["result"], "valid");
        assert_eq!(
            app.scan_as(&staff, bare).await["result"],
            "valid",
            "an old-style link"
        );
        // A tampered token (a forger's offline trick) does not change the online verdict: the
        // server decides from its own store, never from the fragment.
        let last = part.chars().last().unwrap();
        let other = if last == 'A' { 'Q' } else { 'A' };
        let tampered = format!("{bare}#{}{other}", &part[..part.len() - 1]);
        assert_eq!(app.scan_as(&staff, &tampered).await["result"], "valid");
        let id = PassId::parse(pass["id"].as_str().unwrap()).unwrap();
        let key = key_of(
            &app.key_list().await,
            token::decode(part).unwrap().fields.kid,
        );
        assert!(
            !token::decode(&tampered[bare.len() + 1..]).is_ok_and(|t| token::verify(&t, &id, &key))
        );
        // …and a valid token on an unknown id is still unknown.
        let foreign = format!("{}/somc2/{}#{part}", app.public_url, PassId::new_random());
        assert_eq!(app.scan_as(&staff, &foreign).await["result"], "unknown");
    }
);

contract_test!(
    after_a_rotation_new_passes_use_the_new_key_and_old_tokens_still_verify,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let before = app.key_list().await;
        let (_, old_pass) = app.pass_of("ivanov", SvoParticipant).await;
        let (old_id, old_token, _) = token_of(&app, &old_pass);
        assert_eq!(old_token.fields.kid, before.current);

        let (current, next) = tokens::rotate(&app.state.db, app.state.clock.now())
            .await
            .unwrap();
        assert_eq!(current, before.next, "the published next key signs now");
        let after = app.key_list().await;
        assert_eq!((after.current, after.next), (current, next));
        assert_eq!(after.keys.len(), 3, "{after:?}");
        let retired = after
            .get(before.current)
            .expect("the old key stays published");
        assert!(retired.valid_until.is_some());
        assert!(token::verify(
            &old_token,
            &old_id,
            &key_of(&after, before.current)
        ));

        let (_, new_pass) = app.pass_of("petrov", SvoParticipant).await;
        let (new_id, new_token, _) = token_of(&app, &new_pass);
        assert_eq!(new_token.fields.kid, current);
        assert!(token::verify(
            &new_token,
            &new_id,
            &key_of(&before, before.next)
        ));
    }
);

contract_test!(
    openapi_describes_the_key_list,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        let doc: Value = app.get_json(&app.client, "/api/openapi.json").await;
        let keys = &doc["paths"]["/api/keys"]["get"]["responses"]["200"];
        assert!(keys.is_object(), "{doc}");
        let schema = &doc["components"]["schemas"]["PublishedKey"]["properties"];
        for field in ["kid", "public_key", "valid_from", "valid_until"] {
            assert!(schema[field].is_object(), "{field}");
        }
    }
);
