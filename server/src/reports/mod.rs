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
    pub signer: Arc<sign::Signer>,
    /// Where the workbook's rows and the archive are spooled while built
    /// (`<data_dir>/tmp`: on the data volume, not a RAM-backed `/tmp`).
    pub scratch_dir: std::path::PathBuf,
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
            scratch_dir: {
                let dir = settings.data_dir.join("tmp");
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                dir
            },
            signer: Arc::new(sign::Signer::load_or_generate(
                settings.signing_key_path.as_deref(),
                settings.signing_cert_path.as_deref(),
                &settings.data_dir,
            )?),
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
    /// The rows go to the workbook on a blocking thread (writing, compressing, signing and
    /// zipping tens of megabytes must not hold the async threads the scans run on).
    pub async fn build(
        &self,
        org: &Organization,
        from: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> anyhow::Result<BuiltReport> {
        let mut workbook =
            build::ReportWorkbook::new(org, from, until, self.timezone, &self.scratch_dir)?;
        let (rows_in, mut rows_out) = tokio::sync::mpsc::channel::<ledger::LedgerEntry>(4096);
        let stem = self.stem(org.ogrn.as_str(), from, until);
        let built_at = self.clock.now().with_timezone(&self.timezone).naive_local();
        let (signer, scratch) = (self.signer.clone(), self.scratch_dir.clone());
        let stem_in_zip = stem.clone();
        let writer = tokio::task::spawn_blocking(move || -> anyhow::Result<(u64, Vec<u8>)> {
            while let Some(entry) = rows_out.blocking_recv() {
                workbook.push(&entry)?;
            }
            let rows = workbook.rows();
            let xlsx = workbook.finish().context("writing the workbook")?;
            let signature = signer.sign_detached(&xlsx)?;
            let names = archive::ArchiveNames::for_stem(&stem_in_zip);
            let archive = archive::pack(
                &names,
                xlsx,
                &signature,
                signer.certificate_pem(),
                built_at,
                &scratch,
            )
            .context("zipping the report")?;
            Ok((rows, archive))
        });
        let read = async {
            let mut read = self.db.begin_long_read().await?;
            let mut rows = ledger::stream_for_report(&mut read, &org.ogrn, from, until);
            while let Some(entry) = rows.try_next().await? {
                if rows_in.send(entry).await.is_err() {
                    break; // the writer failed: its error is the one to tell
                }
            }
            drop(rows);
            read.commit().await
        };
        let read = read.await;
        drop(rows_in);
        // A failed read is the error (the writer, left with a partial workbook, ends alone).
        read.context("reading the ledger")?;
        let (rows, archive) = writer.await.context("building the report")??;
        Ok(BuiltReport {
            file_name: format!("{stem}.zip"),
            rows,
            archive,
        })
    }
}
