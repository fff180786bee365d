//! Metrics in the Prometheus text format, served at `/metrics` on their own address
//! (`STATUSPASS_METRICS_BIND`; off when unset, never on the public port).
//!
//! Labels hold only route patterns, methods, status codes and small enums (status kinds,
//! results, outcomes): never ids, names, СНИЛС or OGRNs. Each application has its own registry
//! (tests run many in one process). Dashboard: `ops/grafana/statuspass.json`.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Latency buckets (seconds): 1 ms … 10 s.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// Every metric the service keeps.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// `statuspass_http_requests_total{route, method, status}`.
    pub requests: IntCounterVec,
    /// `statuspass_http_request_duration_seconds{route, method}`.
    pub request_seconds: HistogramVec,
    /// `statuspass_passes_total{kind, outcome}`: outcome `issued` / `reused` / `not_found` /
    /// `unavailable` / `limited` / `error`.
    pub passes: IntCounterVec,
    /// `statuspass_scans_total{result, mode}`: mode `private` / `org` / `queued` (uploaded from
    /// the offline queue; result `recorded` / `duplicate` / `refused`).
    pub scans: IntCounterVec,
    /// `statuspass_source_calls_total{kind, outcome}`: outcome `holds` / `does_not_hold` /
    /// `unavailable` (the registry behind a status kind, or the adult rule).
    pub source_calls: IntCounterVec,
    /// `statuspass_source_call_duration_seconds{kind}`.
    pub source_seconds: HistogramVec,
    /// `statuspass_ledger_writes_total{outcome}`: `written` / `failed`.
    pub ledger_writes: IntCounterVec,
    /// `statuspass_report_jobs_total{state}`: `claimed` / `sent` / `failed` / `no_contact_email`.
    pub reports: IntCounterVec,
    /// `statuspass_pool_connections{pool, state}`: pool `database` / `redis`, state `idle` /
    /// `in_use` (read at each scrape).
    pub pools: IntGaugeVec,
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Result<Self, prometheus::Error> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str, labels: &[&str]| {
            let c = IntCounterVec::new(Opts::new(name, help), labels)?;
            registry.register(Box::new(c.clone()))?;
            Ok::<_, prometheus::Error>(c)
        };
        let histogram = |name: &str, help: &str, labels: &[&str]| {
            let opts = HistogramOpts::new(name, help).buckets(BUCKETS.to_vec());
            let h = HistogramVec::new(opts, labels)?;
            registry.register(Box::new(h.clone()))?;
            Ok::<_, prometheus::Error>(h)
        };
        let requests = counter(
            "statuspass_http_requests_total",
            "HTTP requests by route pattern, method and status",
            &["route", "method", "status"],
        )?;
        let request_seconds = histogram(
            "statuspass_http_request_duration_seconds",
            "HTTP request latency by route pattern and method",
            &["route", "method"],
        )?;
        let passes = counter(
            "statuspass_passes_total",
            "Pass requests by status kind and outcome",
            &["kind", "outcome"],
        )?;
        let scans = counter(
            "statuspass_scans_total",
            "Scans by result and mode",
            &["result", "mode"],
        )?;
        let source_calls = counter(
            "statuspass_source_calls_total",
            "Status source (registry) calls by kind and outcome",
            &["kind", "outcome"],
        )?;
        let source_seconds = histogram(
            "statuspass_source_call_duration_seconds",
            "Status source (registry) call latency by kind",
            &["kind"],
        )?;
        let ledger_writes = counter(
            "statuspass_ledger_writes_total",
            "Ledger writes by outcome",
            &["outcome"],
        )?;
        let reports = counter(
            "statuspass_report_jobs_total",
            "Report job steps by state",
            &["state"],
        )?;
        let pools = IntGaugeVec::new(
            Opts::new(
                "statuspass_pool_connections",
                "Connections of the database and Redis pools by state",
            ),
            &["pool", "state"],
        )?;
        registry.register(Box::new(pools.clone()))?;
        Ok(Self {
            registry,
            requests,
            request_seconds,
            passes,
            scans,
            source_calls,
            source_seconds,
            ledger_writes,
            reports,
            pools,
        })
    }

    /// Counts one answered request.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, took: Duration) {
        self.requests
            .with_label_values(&[route, method, &status.to_string()])
            .inc();
        self.request_seconds
            .with_label_values(&[route, method])
            .observe(took.as_secs_f64());
    }

    /// Sets a pool's gauges.
    pub fn set_pool(&self, pool: &str, idle: usize, in_use: usize) {
        let gauge = |state, n: usize| {
            self.pools
                .with_label_values(&[pool, state])
                .set(i64::try_from(n).unwrap_or(i64::MAX));
        };
        gauge("idle", idle);
        gauge("in_use", in_use);
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        // Encoding into a Vec cannot fail for the text format.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges_with_their_labels() {
        let m = Metrics::new().unwrap();
        m.observe_request("/api/scan", "POST", 200, Duration::from_millis(3));
        m.scans.with_label_values(&["valid", "org"]).inc();
        m.set_pool("database", 3, 1);
        let text = m.render();
        assert!(text.contains(
            r#"statuspass_http_requests_total{method="POST",route="/api/scan",status="200"} 1"#
        ));
        assert!(text.contains(
            r#"statuspass_http_request_duration_seconds_bucket{method="POST",route="/api/scan",le="0.005"} 1"#
        ));
        assert!(text.contains(r#"statuspass_scans_total{mode="org",result="valid"} 1"#));
        assert!(text.contains(r#"statuspass_pool_connections{pool="database",state="in_use"} 1"#));
    }
}
