//! `/metrics` on its own address (`STATUSPASS_METRICS_BIND`).

use serde_json::json;

use crate::contract_test;
use crate::helpers::{spawn_app, spawn_app_with, Backend, ORG_A};

contract_test!(
    metrics_count_requests_passes_scans_and_ledger_writes_without_ids,
    |backend: Backend| async move {
        let app = spawn_app_with(backend, |s| s.metrics_bind = Some("127.0.0.1:0".into())).await;
        let url = app.metrics_url.clone().expect("metrics enabled");
        let (link, id) = app.issue_pass_for("ivanov").await;
        let desk = app.client_for("staff-active").await;
        let r = app
            .post_scan_with(&desk, json!({"code": link, "on_behalf_of": ORG_A}))
            .await;
        assert_eq!(r.status(), 200);
        app.scan_as(&desk, &link).await;
        app.scan_as(&desk, "https://example.com/other").await;

        let r = reqwest::get(&url).await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain"));
        let text = r.text().await.unwrap();
        for line in [
            r#"statuspass_http_requests_total{method="POST",route="/api/scan",status="200"} 3"#,
            r#"statuspass_passes_total{kind="svo_participant",outcome="issued"} 1"#,
            r#"statuspass_scans_total{mode="org",result="valid"} 1"#,
            r#"statuspass_scans_total{mode="private",result="valid"} 1"#,
            r#"statuspass_scans_total{mode="private",result="foreign"} 1"#,
            r#"statuspass_ledger_writes_total{outcome="written"} 1"#,
            r#"statuspass_source_calls_total{kind="svo_participant",outcome="holds"} 1"#,
        ] {
            assert!(text.contains(line), "missing {line}:\n{text}");
        }
        assert!(text.contains("statuspass_http_request_duration_seconds_bucket"));
        assert!(text.contains(r#"statuspass_pool_connections{pool="database",state="idle"}"#));
        if backend == Backend::PostgresRedis {
            assert!(text.contains(r#"statuspass_pool_connections{pool="redis",state="in_use"}"#));
        }
        for secret in [id.to_string(), ORG_A.to_owned(), "ivanov".to_owned()] {
            assert!(!text.contains(&secret), "no ids in metrics: {secret}");
        }
        // Not on the public port.
        let public = app.client.get(app.url("/metrics")).send().await.unwrap();
        let body = public.text().await.unwrap();
        assert!(!body.contains("statuspass_http_requests_total"));
    }
);

contract_test!(
    metrics_are_off_unless_an_address_is_set,
    |backend: Backend| async move {
        let app = spawn_app(backend).await;
        assert!(app.metrics_url.is_none());
    }
);

/// Every metric the dashboard queries exists (names drift otherwise).
#[test]
fn the_grafana_dashboard_queries_only_metrics_the_service_exports() {
    let dashboard: serde_json::Value =
        serde_json::from_str(include_str!("../../../ops/grafana/statuspass.json")).unwrap();
    let exported = statuspass_server::metrics::Metrics::new().unwrap();
    exported.observe_request("/x", "GET", 200, std::time::Duration::ZERO);
    exported.passes.with_label_values(&["a", "b"]).inc();
    exported.scans.with_label_values(&["a", "b"]).inc();
    exported.source_calls.with_label_values(&["a", "b"]).inc();
    exported.ledger_writes.with_label_values(&["a"]).inc();
    exported.reports.with_label_values(&["a"]).inc();
    exported
        .source_seconds
        .with_label_values(&["a"])
        .observe(0.0);
    exported.set_pool("database", 0, 0);
    let text = exported.render();
    let panels = dashboard["panels"].as_array().unwrap();
    assert!(panels.len() >= 8);
    for panel in panels {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let name = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .find(|w| w.starts_with("statuspass_"))
                .unwrap_or_else(|| panic!("no statuspass metric in {expr}"));
            assert!(
                text.contains(&format!("\n{name}")) || text.starts_with(name),
                "{name} is not exported"
            );
        }
    }
}
