//! `statuspass`: serve (default), or run an operator command.

use anyhow::Context;
use statuspass_server::configuration::Settings;
use statuspass_server::startup::Application;
use statuspass_server::telemetry;

const USAGE: &str = "usage: statuspass [serve]

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
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}
