//! Monthly signed reports (SPEC §6): every `report_interval_days` each organization gets an
//! Excel workbook of its ledger since its previous report ([`build`]), signed with a detached
//! CMS signature ([`sign`]), zipped with the signature and certificate ([`archive`]) and
//! e-mailed ([`mail`]). [`schedule`] makes it exactly once: claim in the database, lease while
//! sending, mark sent only after the mail server accepted.

pub mod archive;
pub mod build;
pub mod mail;
pub mod schedule;
pub mod sign;

use std::sync::Arc;

use anyhow::Context;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures_util::TryStreamExt;

use crate::clock::Clock;
use crate::configuration::Settings;
use crate::store::organizations::Organization;
use crate::store::{ledger, Db};

/// A built report archive.
pub struct BuiltReport {
    pub file_name: String,
    pub rows: u64,
    pub archive: Vec<u8>,
}

/// Everything the report job needs; one per process.
pub struct ReportJob {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub timezone: Tz,
    pub signer: sign::Signer,
    pub mailer: mail::Mailer,
    pub mail_from: String,
    pub interval: chrono::Duration,
    /// Identifies this process in send leases.
    pub instance: String,
}

impl ReportJob {
    /// Sets the job up from settings (loads or generates the signing key).
    pub fn from_settings(
        settings: &Settings,
        db: Db,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            db,
            clock,
            timezone: settings.timezone()?,
            signer: sign::Signer::load_or_generate(
                settings.signing_key_path.as_deref(),
                settings.signing_cert_path.as_deref(),
                &settings.data_dir,
            )?,
            mailer: mail::Mailer::from_settings(settings)?,
            mail_from: settings.mail_from.clone(),
            interval: chrono::Duration::days(i64::from(settings.report_interval_days)),
            instance: uuid::Uuid::new_v4().to_string(),
        })
    }

    /// The base name of a report's files: `statuspass-report-{OGRN}-{from}-{to}` (local dates).
    pub fn stem(&self, ogrn: &str, from: DateTime<Utc>, until: DateTime<Utc>) -> String {
        let day = |t: DateTime<Utc>| t.with_timezone(&self.timezone).format("%Y%m%d").to_string();
        format!("statuspass-report-{ogrn}-{}-{}", day(from), day(until))
    }

    /// Builds, signs and zips the report of `org` for `[from, until)`, streaming the ledger.
    pub async fn build(
        &self,
        org: &Organization,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<BuiltReport> {
        let mut workbook = build::ReportWorkbook::new(org, from, until, self.timezone)?;
        let mut read = self
            .db
            .begin_long_read()
            .await
            .context("reading the ledger")?;
        let mut rows = ledger::stream_for_report(&mut read, &org.ogrn, from, until);
        while let Some(entry) = rows.try_next().await.context("reading the ledger")? {
            workbook.push(&entry)?;
        }
        drop(rows);
        read.commit().await.context("reading the ledger")?;
        let rows = workbook.rows();
        let xlsx = workbook.finish().context("writing the workbook")?;
        let signature = self.signer.sign_detached(&xlsx)?;
        let stem = self.stem(org.ogrn.as_str(), from, until);
        let names = archive::ArchiveNames::for_stem(&stem);
        let built_at = self.clock.now().with_timezone(&self.timezone).naive_local();
        let archive = archive::pack(
            &names,
            xlsx,
            &signature,
            self.signer.certificate_pem(),
            built_at,
        )
        .context("zipping the report")?;
        Ok(BuiltReport {
            file_name: format!("{stem}.zip"),
            rows,
            archive,
        })
    }
}
