//! Benchmark (a figure printer, not a test): build, sign and zip one report of N ledger rows on
//! the embedded setup (SQLite in a temporary directory); print the time and the peak memory.
//!
//! `cargo run --release -p statuspass-server --bin report-bench -- [ROWS]` (default 1 000 000)

use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, Utc};
use statuspass_server::clock::SystemClock;
use statuspass_server::configuration::Settings;
use statuspass_server::reports::ReportJob;
use statuspass_server::store::organizations::{self, Organization};
use statuspass_server::store::{ledger, Db};
use statuspass_shared::{Ogrn, StatusKind};

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn current_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let rows: usize = match std::env::args().nth(1) {
        Some(n) => n.parse().context("ROWS must be a number")?,
        None => 1_000_000,
    };
    let dir = tempfile::tempdir()?;
    let mut settings = Settings::defaults()?;
    settings.data_dir = dir.path().to_path_buf();
    let db = Db::connect(&settings.database_url(), settings.storage_timeouts()).await?;
    let org = Organization {
        ogrn: Ogrn::parse("1027700012340")?,
        full_name: "Benchmark organization".into(),
        short_name: "Bench".into(),
        contact_email: None,
    };
    let start = Utc::now() - Duration::days(30);
    organizations::insert_if_absent(&db, &org, start).await?;

    let filled = Instant::now();
    let step = Duration::days(30).num_milliseconds() / i64::try_from(rows.max(1))?;
    let times: Vec<_> = (0..rows)
        .map(|i| start + Duration::milliseconds(step * i64::try_from(i).unwrap_or(0)))
        .collect();
    for chunk in times.chunks(50_000) {
        ledger::record_many(&db, &org.ogrn, StatusKind::SvoParticipant, chunk).await?;
    }
    drop(times);
    println!(
        "filled ledger: {rows} rows in {:.1} s",
        filled.elapsed().as_secs_f64()
    );

    let job = ReportJob::from_settings(&settings, db, Arc::new(SystemClock))?;
    let before = current_rss_mib().unwrap_or(0.0);
    let started = Instant::now();
    let built = job.build(&org, start, Utc::now()).await?;
    let elapsed = started.elapsed();
    anyhow::ensure!(
        built.rows == rows as u64,
        "report has {} rows, expected {rows}",
        built.rows
    );
    println!(
        "report: {} rows built+signed+zipped in {:.2} s ({:.0} rows/s), archive {:.1} MiB",
        built.rows,
        elapsed.as_secs_f64(),
        built.rows as f64 / elapsed.as_secs_f64(),
        built.archive.len() as f64 / 1_048_576.0
    );
    println!(
        "memory: resident before build {before:.0} MiB, peak {:.0} MiB (includes the finished archive and workbook buffers)",
        peak_rss_mib().unwrap_or(0.0)
    );
    Ok(())
}
