//! `statuspass`: serve (default), or run an operator command.

use anyhow::Context;
use statuspass_server::configuration::Settings;
use statuspass_server::operator::{self, Flags};
use statuspass_server::reports;
use statuspass_server::startup::{build_state, Application, Overrides};
use statuspass_server::{telemetry, tokens};

const USAGE: &str = "usage:
  statuspass [serve]               run the server
  statuspass reports run [--force] run the due-report job once now (--force: every organization is due)
  statuspass orgs add --ogrn OGRN --short-name NAME --name FULL_NAME [--email ADDRESS]
                                   add an organization (or update its names and e-mail)
  statuspass orgs add-admin --ogrn OGRN --snils SNILS [--name NAME]
                                   make the person with this SNILS its admin (bound at their
                                   first sign-in)
  statuspass keys rotate           the next offline-token key starts signing; a new next key
                                   is published (the old one stays published 7 days)

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
        ["orgs", "add", rest @ ..] => {
            let flags = Flags::parse(rest, &["ogrn", "short-name", "name", "email"])?;
            let state = build_state(settings, Overrides::default()).await?;
            let org = operator::add_org(&state, &flags).await?;
            println!("organization {} «{}» is in place", org.ogrn, org.short_name);
            Ok(())
        }
        ["orgs", "add-admin", rest @ ..] => {
            let flags = Flags::parse(rest, &["ogrn", "snils", "name"])?;
            let state = build_state(settings, Overrides::default()).await?;
            let org = operator::add_admin(&state, &flags).await?;
            println!(
                "admin of {} «{}» is in place (bound at their first sign-in)",
                org.ogrn, org.short_name
            );
            Ok(())
        }
        ["keys", "rotate"] => {
            let state = build_state(settings, Overrides::default()).await?;
            let (current, next) = tokens::rotate(&state.db, state.clock.now()).await?;
            println!("token keys rotated: key {current} signs now, key {next} is published next");
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
