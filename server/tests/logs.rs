//! The real binary's logs (JSON) over a whole flow hold no personal data and no pass ids
//! (SPEC §8), also when requests are malformed or the registry fails.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may panic

use std::time::Duration;

use serde_json::{json, Value};

#[path = "support/server_process.rs"]
mod server_process;
use server_process::ServerProcess;

#[tokio::test]
async fn logs_never_contain_personal_data_or_pass_ids() {
    let server = ServerProcess::start(&[("RUST_LOG", "debug")]);
    let base = server.base();
    let client = |_: ()| {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap()
    };
    let participant = client(());
    let staff = client(());
    participant
        .post(format!("{base}/api/auth/demo"))
        .json(&json!({"key": "ivanov"}))
        .send()
        .await
        .unwrap();
    let pass: Value = participant
        .post(format!("{base}/api/pass"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = pass["link"].as_str().unwrap().to_owned();
    let id = pass["id"].as_str().unwrap().to_owned();
    staff
        .post(format!("{base}/api/auth/demo"))
        .json(&json!({"key": "staff-active"}))
        .send()
        .await
        .unwrap();
    let scanned: Value = staff
        .post(format!("{base}/api/scan"))
        .json(&json!({"code": link, "on_behalf_of": "1027700012340"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scanned["result"], "valid");
    staff
        .post(format!("{base}/api/scan"))
        .json(&json!({"code": link, "x": "11223344595"}))
        .send()
        .await
        .unwrap();
    staff
        .post(format!("{base}/api/scan"))
        .header("content-type", "application/json")
        .body(format!("{{\"code\": \"{link}\""))
        .send()
        .await
        .unwrap();
    staff
        .get(format!("{base}/somc2/{id}"))
        .send()
        .await
        .unwrap();
    let outage = client(());
    outage
        .post(format!("{base}/api/auth/demo"))
        .json(&json!({"key": "morozov"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        outage
            .post(format!("{base}/api/pass"))
            .send()
            .await
            .unwrap()
            .status(),
        503
    );

    std::thread::sleep(Duration::from_millis(300));
    let all = server.kill_and_collect_lines().join("\n");
    assert!(all.contains("/api/scan"), "the logs are captured");
    assert!(all.contains("registry_unavailable"));
    // Needles specific enough not to occur by chance (digits of a birth year alone can appear in
    // timings and ids).
    for secret in [
        id.as_str(),
        "11223344595",
        "89012345699",
        "Иванов",
        "Иван",
        "1985-03-14",
        "И. И. И.",
        "Морозов",
    ] {
        assert!(!all.contains(secret), "log contains {secret:?}:\n{all}");
    }
}
