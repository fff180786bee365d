//! Sending report e-mails: to `.eml` files in the outbox folder (embedded setup) or over SMTP.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::configuration::{Settings, SmtpTls};

/// One e-mail with one attachment.
pub struct Mail<'a> {
    pub to: &'a str,
    pub subject: String,
    pub body: String,
    pub attachment_name: String,
    pub attachment: Vec<u8>,
    /// Stable per report, so a resend after a crash is recognizable as the same message.
    pub message_id: String,
}

/// Where mail goes.
pub enum Mailer {
    /// `.eml` files in a folder.
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
    /// A real SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
}

impl Mailer {
    /// SMTP when `smtp_host` is set, otherwise the outbox under the data dir.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let Some(host) = &settings.smtp_host else {
            let dir = settings.data_dir.join("outbox");
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("creating the outbox {}", dir.display()))?;
            return Ok(Self::Outbox(AsyncFileTransport::new(&dir), dir));
        };
        let builder = match settings.smtp_tls {
            SmtpTls::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .context("SMTP STARTTLS setup")?,
            SmtpTls::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).context("SMTP TLS setup")?
            }
        };
        let mut builder = builder
            .port(settings.smtp_port)
            .timeout(Some(Duration::from_secs(settings.smtp_timeout_secs)));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), password.expose().clone()));
        }
        Ok(Self::Smtp(builder.build()))
    }

    /// Sends; returns only after the server (or the file system) accepted the message.
    pub async fn send(&self, from: &str, mail: Mail<'_>) -> anyhow::Result<()> {
        let from: Mailbox = from.parse().context("invalid mail_from")?;
        let to: Mailbox = mail.to.parse().context("invalid recipient address")?;
        let attachment = Attachment::new(mail.attachment_name)
            .body(mail.attachment, ContentType::parse("application/zip")?);
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(mail.subject)
            .message_id(Some(mail.message_id))
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(mail.body))
                    .singlepart(attachment),
            )
            .context("building the message")?;
        match self {
            Self::Outbox(transport, _) => {
                transport
                    .send(message)
                    .await
                    .context("writing to the outbox")?;
            }
            Self::Smtp(transport) => {
                transport.send(message).await.context("SMTP send")?;
            }
        }
        Ok(())
    }
}
