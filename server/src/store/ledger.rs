//! The scan ledger: one row per successful scan on behalf of an organization, holding exactly
//! the scan id, the OGRN, the moment (its date and time) and the status kind shown (not
//! personal). Kept 90 days.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::Row;
use statuspass_shared::{Ogrn, StatusKind};
use uuid::Uuid;

use super::{from_millis, to_millis, Db};

/// How long ledger rows are kept.
pub const RETENTION: chrono::Duration = chrono::Duration::days(90);

/// A ledger row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub scan_id: Uuid,
    pub ogrn: Ogrn,
    pub scanned_at: DateTime<Utc>,
    pub kind: StatusKind,
}

const INSERT: &str = "INSERT INTO ledger (scan_id, ogrn, scanned_at, kind) VALUES ($1, $2, $3, $4)";

fn decode_kind(s: &str) -> Result<StatusKind, sqlx::Error> {
    StatusKind::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("status kind {s:?}").into()))
}

/// Writes one row; returns its scan id.
#[tracing::instrument(skip(db))]
pub async fn record(
    db: &Db,
    ogrn: &Ogrn,
    kind: StatusKind,
    at: DateTime<Utc>,
) -> Result<Uuid, sqlx::Error> {
    let scan_id = Uuid::new_v4();
    sqlx::query(INSERT)
        .bind(scan_id.to_string())
        .bind(ogrn.as_str())
        .bind(to_millis(at))
        .bind(kind.as_str())
        .execute(db.pool())
        .await?;
    Ok(scan_id)
}

/// Number of rows of the organization with `from <= scanned_at < until`.
#[tracing::instrument(skip(db))]
pub async fn count_between(
    db: &Db,
    ogrn: &Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM ledger WHERE ogrn = $1 AND scanned_at >= $2 AND scanned_at < $3",
    )
    .bind(ogrn.as_str())
    .bind(to_millis(from))
    .bind(to_millis(until))
    .fetch_one(db.pool())
    .await?;
    Ok(u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0))
}

/// Rows of the organization with `from <= scanned_at < until`, per status kind (kinds without
/// rows are left out).
#[tracing::instrument(skip(db))]
pub async fn count_by_kind_between(
    db: &Db,
    ogrn: &Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<BTreeMap<StatusKind, u64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT kind, COUNT(*) AS n FROM ledger WHERE ogrn = $1 AND scanned_at >= $2 \
         AND scanned_at < $3 GROUP BY kind",
    )
    .bind(ogrn.as_str())
    .bind(to_millis(from))
    .bind(to_millis(until))
    .fetch_all(db.pool())
    .await?;
    rows.iter()
        .map(|r| {
            let kind = decode_kind(&r.try_get::<String, _>("kind")?)?;
            Ok((kind, u64::try_from(r.try_get::<i64, _>("n")?).unwrap_or(0)))
        })
        .collect()
}

/// The rows of the organization with `from <= scanned_at < until`, oldest first, as a stream
/// (a year of a stadium's scans need not fit in memory).
pub fn stream_between<'a>(
    db: &'a Db,
    ogrn: &'a Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> impl futures_util::Stream<Item = Result<LedgerEntry, sqlx::Error>> + Send + 'a {
    use futures_util::StreamExt;
    sqlx::query(
        "SELECT scan_id, ogrn, scanned_at, kind FROM ledger WHERE ogrn = $1 AND scanned_at >= $2 \
         AND scanned_at < $3 ORDER BY scanned_at, scan_id",
    )
    .bind(ogrn.as_str())
    .bind(to_millis(from))
    .bind(to_millis(until))
    .fetch(db.pool())
    .map(|row| {
        let r = row?;
        Ok(LedgerEntry {
            scan_id: Uuid::parse_str(&r.try_get::<String, _>("scan_id")?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            ogrn: Ogrn::parse(&r.try_get::<String, _>("ogrn")?)
                .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            scanned_at: from_millis(r.try_get("scanned_at")?),
            kind: decode_kind(&r.try_get::<String, _>("kind")?)?,
        })
    })
}

/// Writes many rows of `kind` at once (benchmarks and tests fill large ledgers with it).
pub async fn record_many(
    db: &Db,
    ogrn: &Ogrn,
    kind: StatusKind,
    times: &[DateTime<Utc>],
) -> Result<(), sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    for at in times {
        sqlx::query(INSERT)
            .bind(Uuid::new_v4().to_string())
            .bind(ogrn.as_str())
            .bind(to_millis(*at))
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// Deletes rows older than the retention period; returns how many.
#[tracing::instrument(skip(db))]
pub async fn delete_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM ledger WHERE scanned_at < $1")
        .bind(to_millis(now - RETENTION))
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
