//! Report rows: claim, lease, build result, send result. One query per function.

use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use sqlx::Row;
use statuspass_shared::Ogrn;

use super::{from_millis, to_millis, Db};

/// A report row without its archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: String,
    pub ogrn: Ogrn,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    pub sent: bool,
    pub rows_count: Option<i64>,
    pub file_name: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub sent_to: Option<String>,
}

const COLUMNS: &str = "id, ogrn, period_start, period_end, status, rows_count, file_name, \
                       attempts, last_error, sent_at, sent_to";

fn report_of(r: &AnyRow) -> Result<ReportRow, sqlx::Error> {
    Ok(ReportRow {
        id: r.try_get("id")?,
        ogrn: Ogrn::parse(&r.try_get::<String, _>("ogrn")?)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
        period_start: from_millis(r.try_get("period_start")?),
        period_end: from_millis(r.try_get("period_end")?),
        sent: r.try_get::<String, _>("status")? == "sent",
        rows_count: r.try_get("rows_count")?,
        file_name: r.try_get("file_name")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(from_millis),
        sent_to: r.try_get("sent_to")?,
    })
}

/// End of the organization's latest report period, if it has any report.
#[tracing::instrument(skip(db))]
pub async fn latest_period_end(db: &Db, ogrn: &Ogrn) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let row = sqlx::query("SELECT MAX(period_end) AS m FROM reports WHERE ogrn = $1")
        .bind(ogrn.as_str())
        .fetch_one(db.pool())
        .await?;
    Ok(row.try_get::<Option<i64>, _>("m")?.map(from_millis))
}

/// When the organization was created (start of its first period).
#[tracing::instrument(skip(db))]
pub async fn organization_created_at(db: &Db, ogrn: &Ogrn) -> Result<DateTime<Utc>, sqlx::Error> {
    let row = sqlx::query("SELECT created_at FROM organizations WHERE ogrn = $1")
        .bind(ogrn.as_str())
        .fetch_one(db.pool())
        .await?;
    Ok(from_millis(row.try_get("created_at")?))
}

/// Claims the report of `[start, end)`; false when that period was already claimed.
#[tracing::instrument(skip(db))]
pub async fn claim(
    db: &Db,
    id: &str,
    ogrn: &Ogrn,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO reports (id, ogrn, period_start, period_end, status, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, 'pending', $5, $5) ON CONFLICT (ogrn, period_start) DO NOTHING",
    )
    .bind(id)
    .bind(ogrn.as_str())
    .bind(to_millis(start))
    .bind(to_millis(end))
    .bind(to_millis(now))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ids of pending reports whose next attempt is due and that nobody holds.
#[tracing::instrument(skip(db))]
pub async fn due_for_sending(db: &Db, now: DateTime<Utc>) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query(
        "SELECT id FROM reports WHERE status = 'pending' AND next_attempt_at <= $1 \
         AND (lease_until IS NULL OR lease_until < $1) ORDER BY created_at",
    )
    .bind(to_millis(now))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| r.try_get("id"))
    .collect()
}

/// Takes the sending lease of a report; false when another sender holds it or it is done.
#[tracing::instrument(skip(db))]
pub async fn lease(
    db: &Db,
    id: &str,
    owner: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reports SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
         WHERE id = $3 AND status = 'pending' AND next_attempt_at <= $4 \
         AND (lease_until IS NULL OR lease_until < $4)",
    )
    .bind(owner)
    .bind(to_millis(until))
    .bind(id)
    .bind(to_millis(now))
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One report (without the archive).
#[tracing::instrument(skip(db))]
pub async fn find(db: &Db, id: &str) -> Result<Option<ReportRow>, sqlx::Error> {
    sqlx::query(&format!("SELECT {COLUMNS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .as_ref()
        .map(report_of)
        .transpose()
}

/// The organization's reports, newest first.
#[tracing::instrument(skip(db))]
pub async fn of_org(db: &Db, ogrn: &Ogrn) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM reports WHERE ogrn = $1 ORDER BY period_end DESC"
    ))
    .bind(ogrn.as_str())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(report_of)
    .collect()
}

/// The stored archive of a report, if built.
#[tracing::instrument(skip(db))]
pub async fn archive(db: &Db, id: &str) -> Result<Option<Vec<u8>>, sqlx::Error> {
    let row = sqlx::query("SELECT archive FROM reports WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(match row {
        Some(r) => r.try_get("archive")?,
        None => None,
    })
}

/// Stores the built archive (only by the lease holder).
#[tracing::instrument(skip(db, archive))]
pub async fn store_archive(
    db: &Db,
    id: &str,
    owner: &str,
    file_name: &str,
    rows: u64,
    archive: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reports SET archive = $1, file_name = $2, rows_count = $3 \
         WHERE id = $4 AND lease_owner = $5 AND archive IS NULL",
    )
    .bind(archive.to_vec())
    .bind(file_name)
    .bind(i64::try_from(rows).unwrap_or(i64::MAX))
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks the report sent (only by the lease holder).
#[tracing::instrument(skip(db, to))]
pub async fn mark_sent(
    db: &Db,
    id: &str,
    owner: &str,
    to: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE reports SET status = 'sent', sent_at = $1, sent_to = $2, last_error = NULL, \
         lease_owner = NULL, lease_until = NULL WHERE id = $3 AND lease_owner = $4",
    )
    .bind(to_millis(now))
    .bind(to)
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases the lease after a failed or postponed attempt.
#[tracing::instrument(skip(db, error))]
pub async fn postpone(
    db: &Db,
    id: &str,
    owner: &str,
    error: &str,
    next_attempt_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE reports SET last_error = $1, next_attempt_at = $2, lease_owner = NULL, \
         lease_until = NULL WHERE id = $3 AND lease_owner = $4",
    )
    .bind(error)
    .bind(to_millis(next_attempt_at))
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(())
}
