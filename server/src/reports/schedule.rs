//! The report job, exactly once per period:
//! 1. **claim**: for each due organization insert the report row for
//!    `[end of previous report, now)`; `(ogrn, period_start)` is unique, so a second instance or
//!    a rerun claims nothing;
//! 2. **send**: for each pending report take a lease (one sender at a time; a crashed sender's
//!    lease runs out), build the archive once and store it, send it, and only after the mail
//!    server accepted it mark the report sent. A failed send is retried with exponential backoff;
//!    an organization without a contact e-mail keeps its report pending and flagged.
//!
//! A crash between "accepted" and "marked sent" can resend the same message; it carries the
//! same `Message-ID` (`<report-{id}@statuspass>`), so the receiving side sees a duplicate of
//! one message, never a second report.

use anyhow::Context;
use chrono::Duration;

use super::mail::Mail;
use super::ReportJob;
use crate::store::{ledger, organizations, reports};

/// How long a sender may hold a report before another instance may retry it.
const LEASE: Duration = Duration::minutes(10);

/// `last_error` of a report waiting for its organization's e-mail address.
pub const NO_CONTACT_EMAIL: &str = "no_contact_email";

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RunSummary {
    /// Reports claimed (created) in this run.
    pub created: usize,
    /// Reports accepted by the mail server (or written to the outbox).
    pub sent: usize,
    /// Reports kept because the organization has no contact e-mail.
    pub waiting_for_email: usize,
    /// Reports whose sending failed and will be retried.
    pub failed: usize,
}

enum Outcome {
    Sent,
    NoEmail,
}

/// Delay before attempt `attempts + 1`: 1, 2, 4 … minutes, at most 6 hours.
pub fn backoff(attempts: i64) -> Duration {
    let exp = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    Duration::minutes(2_i64.saturating_pow(exp)).min(Duration::hours(6))
}

impl ReportJob {
    /// Claims the reports that are due and sends every pending one whose attempt is due.
    /// `force`: every organization counts as due now (one that already had a report and has no
    /// scans since gets no new, empty one).
    pub async fn run_due(&self, force: bool) -> anyhow::Result<RunSummary> {
        let mut summary = RunSummary::default();
        let now = self.clock.now();
        for org in organizations::all(&self.db).await? {
            let previous = reports::latest_period_end(&self.db, &org.ogrn).await?;
            let start = match previous {
                Some(end) => end,
                None => reports::organization_created_at(&self.db, &org.ogrn).await?,
            };
            let due = if force {
                previous.is_none()
                    || ledger::count_for_report(&self.db, &org.ogrn, start, now).await? > 0
            } else {
                now >= start + self.interval
            };
            if due && start < now {
                let id = uuid::Uuid::new_v4().to_string();
                if reports::claim(&self.db, &id, &org.ogrn, start, now, now).await? {
                    tracing::info!(ogrn = %org.ogrn, "report claimed");
                    summary.created += 1;
                }
            }
        }
        for id in reports::due_for_sending(&self.db, now).await? {
            if !reports::lease(&self.db, &id, &self.instance, now, now + LEASE).await? {
                continue; // another instance got it first
            }
            match self.send_one(&id).await {
                Ok(Outcome::Sent) => summary.sent += 1,
                Ok(Outcome::NoEmail) => summary.waiting_for_email += 1,
                Err(e) => {
                    summary.failed += 1;
                    let attempts = reports::find(&self.db, &id)
                        .await?
                        .map_or(1, |r| r.attempts);
                    let retry_at = self.clock.now() + backoff(attempts);
                    tracing::warn!(report = %id, error = %format!("{e:#}"), %retry_at, "report not sent; will retry");
                    reports::postpone(&self.db, &id, &self.instance, &format!("{e:#}"), retry_at)
                        .await?;
                }
            }
        }
        Ok(summary)
    }

    async fn send_one(&self, id: &str) -> anyhow::Result<Outcome> {
        let report = reports::find(&self.db, id)
            .await?
            .context("report vanished")?;
        let org = organizations::find(&self.db, &report.ogrn)
            .await?
            .context("organization vanished")?;
        let (file_name, rows, archive) = match reports::archive(&self.db, id).await? {
            Some(archive) => (
                report
                    .file_name
                    .clone()
                    .unwrap_or_else(|| format!("{id}.zip")),
                u64::try_from(report.rows_count.unwrap_or(0)).unwrap_or(0),
                archive,
            ),
            None => {
                let built = self
                    .build(&org, report.period_start, report.period_end)
                    .await?;
                reports::store_archive(
                    &self.db,
                    id,
                    &self.instance,
                    &built.file_name,
                    built.rows,
                    &built.archive,
                )
                .await?;
                (built.file_name, built.rows, built.archive)
            }
        };
        let Some(to) = org.contact_email.as_deref() else {
            reports::postpone(
                &self.db,
                id,
                &self.instance,
                NO_CONTACT_EMAIL,
                self.clock.now(),
            )
            .await?;
            tracing::warn!(ogrn = %org.ogrn, "report kept: the organization has no contact e-mail");
            return Ok(Outcome::NoEmail);
        };
        let local = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&self.timezone)
                .format("%d.%m.%Y %H:%M")
                .to_string()
        };
        let period = format!(
            "{} — {}",
            local(report.period_start),
            local(report.period_end)
        );
        let body = format!(
            "Здравствуйте!\n\nВо вложении отчёт о подтверждениях статуса участника СВО, \
             выполненных сотрудниками «{}» (ОГРН {}) от имени организации, за период {period} \
             ({}). Успешных сканирований: {rows}.\n\nАрхив содержит таблицу Excel, её открепленную \
             подпись (CMS, .sig) и сертификат подписи. Проверка подписи:\nopenssl cms -verify -binary \
             -inform DER -in <файл>.xlsx.sig -content <файл>.xlsx -CAfile signing-certificate.pem \
             -purpose any\n\nЭто письмо отправлено автоматически сервисом statuspass.",
            org.short_name,
            org.ogrn,
            self.timezone.name()
        );
        self.mailer
            .send(
                &self.mail_from,
                Mail {
                    to,
                    subject: format!("Отчёт statuspass: {} за {period}", org.short_name),
                    body,
                    attachment_name: file_name,
                    attachment: archive,
                    message_id: format!("<report-{id}@statuspass>"),
                },
            )
            .await?;
        reports::mark_sent(&self.db, id, &self.instance, to, self.clock.now()).await?;
        tracing::info!(ogrn = %org.ogrn, rows, "report sent");
        Ok(Outcome::Sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(1), Duration::minutes(1));
        assert_eq!(backoff(2), Duration::minutes(2));
        assert_eq!(backoff(4), Duration::minutes(8));
        assert_eq!(backoff(100), Duration::hours(6));
    }
}
