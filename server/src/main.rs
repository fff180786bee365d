//! `statuspass`: serve (default), or run an operator command.

use anyhow::Context;
use statuspass_server::configuration::Settings;
use statuspass_server::reports;
use statuspass_server::startup::{build_state, Application, Overrides};
use statuspass_server::telemetry;

const USAGE: &str = "usage:
  statuspass [serve]               run the server
  statuspass reports run [--force] run the due-report job once now (--force: every organization is due)

Configuration comes from STATUSPASS_* environment variables (see README.md).";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let settings = Settings::load()?;
    telemetry::init(settings.log_format);
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => {
            let app = Application::build(settings)
                .await
                .context("starting the server")?;
            app.run_until_stopped().await?;
            Ok(())
        }
        ["reports", "run", rest @ ..] if rest.iter().all(|a| *a == "--force") => {
            let force = !rest.is_empty();
            let state = build_state(settings, Overrides::default()).await?;
            let summary = state.reports.run_due(force).await?;
            println!(
                "reports: {} created, {} sent, {} waiting for an e-mail address, {} failed (will be retried)",
                summary.created, summary.sent, summary.waiting_for_email, summary.failed
            );
            if let reports::mail::Mailer::Outbox(_, dir) = &state.reports.mailer {
                println!("outbox: {}", dir.display());
            }
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
