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

/// One row; `report_at` is the scan time, or the end of the organization's latest report
/// period when the scan is older (an offline scan uploaded after its period was reported): the
/// next report carries it. One statement, so a report claimed meanwhile is seen or not at all.
const INSERT: &str = "INSERT INTO ledger (scan_id, ogrn, scanned_at, kind, report_at) \
     SELECT $1, $2, $3, $4, CASE WHEN r.e IS NULL OR r.e <= $3 THEN $3 ELSE r.e END \
     FROM (SELECT MAX(period_end) AS e FROM reports WHERE ogrn = $2) r";

/// The verdict of an organization scan's event ($1..$6); nothing when the event id is known.
macro_rules! insert_event {
    () => {
        "INSERT INTO scan_events (event_id, ogrn, result, status_kind, recorded, scanned_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING"
    };
}
const INSERT_EVENT: &str = insert_event!();

/// [`record_event`] on PostgreSQL: [`INSERT_EVENT`] and (when `$5 = 1`, the event new) its
/// ledger row as [`INSERT`] would write it, scan id `$7`, in one statement; answers 1 when the
/// event was new.
const RECORD_EVENT_POSTGRES: &str = concat!(
    "WITH e AS (",
    insert_event!(),
    " RETURNING event_id), \
     l AS (INSERT INTO ledger (scan_id, ogrn, scanned_at, kind, report_at) \
     SELECT $7, $2, $6, $4, CASE WHEN r.e IS NULL OR r.e <= $6 THEN $6 ELSE r.e END \
     FROM (SELECT MAX(period_end) AS e FROM reports WHERE ogrn = $2) r, e WHERE $5 = 1) \
     SELECT COUNT(*) FROM e"
);

/// The values of [`INSERT_EVENT`], in its order.
fn event_arguments<'q>(
    event_id: Uuid,
    ogrn: &'q Ogrn,
    result: &'q str,
    valid_kind: Option<StatusKind>,
    at: DateTime<Utc>,
) -> Result<sqlx::any::AnyArguments<'q>, sqlx::Error> {
    use sqlx::Arguments;
    let mut args = sqlx::any::AnyArguments::default();
    args.add(event_id.to_string())
        .map_err(sqlx::Error::Encode)?;
    args.add(ogrn.as_str()).map_err(sqlx::Error::Encode)?;
    args.add(result).map_err(sqlx::Error::Encode)?;
    args.add(valid_kind.map(StatusKind::as_str))
        .map_err(sqlx::Error::Encode)?;
    args.add(i64::from(valid_kind.is_some()))
        .map_err(sqlx::Error::Encode)?;
    args.add(to_millis(at)).map_err(sqlx::Error::Encode)?;
    Ok(args)
}

fn decode_kind(s: &str) -> Result<StatusKind, sqlx::Error> {
    StatusKind::parse(s).ok_or_else(|| sqlx::Error::Decode(format!("status kind {s:?}").into()))
}

/// The verdict first given for an organization scan's event id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarlierVerdict {
    pub ogrn: Ogrn,
    pub result: String,
    pub status_kind: Option<StatusKind>,
    pub recorded: bool,
}

/// The verdict already given for `event_id`, if any.
#[tracing::instrument(skip(db))]
pub async fn earlier_verdict(
    db: &Db,
    event_id: Uuid,
) -> Result<Option<EarlierVerdict>, sqlx::Error> {
    sqlx::query("SELECT ogrn, result, status_kind, recorded FROM scan_events WHERE event_id = $1")
        .bind(event_id.to_string())
        .fetch_optional(db.pool())
        .await?
        .map(|r| {
            Ok(EarlierVerdict {
                ogrn: Ogrn::parse(&r.try_get::<String, _>("ogrn")?)
                    .map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
                result: r.try_get("result")?,
                status_kind: r
                    .try_get::<Option<String>, _>("status_kind")?
                    .as_deref()
                    .map(decode_kind)
                    .transpose()?,
                recorded: r.try_get::<i64, _>("recorded")? != 0,
            })
        })
        .transpose()
}

/// Records the verdict for `event_id` and, when `valid_kind` is set, the ledger row, in one
/// transaction. Returns false (and writes nothing) when the event was recorded meanwhile (a
/// concurrent retry).
#[tracing::instrument(skip(db))]
pub async fn record_event(
    db: &Db,
    event_id: Uuid,
    ogrn: &Ogrn,
    result: &str,
    valid_kind: Option<StatusKind>,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let mut args = event_arguments(event_id, ogrn, result, valid_kind, at)?;
    if db.is_postgres() {
        // One statement, one round trip: the event, and the ledger row only if the event is new.
        sqlx::Arguments::add(&mut args, Uuid::new_v4().to_string()).map_err(sqlx::Error::Encode)?;
        let fresh: i64 = sqlx::query_scalar_with(RECORD_EVENT_POSTGRES, args)
            .fetch_one(db.pool())
            .await?;
        return Ok(fresh == 1);
    }
    let mut tx = db.pool().begin().await?;
    let fresh = sqlx::query_with(INSERT_EVENT, args)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if !fresh {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some(kind) = valid_kind {
        sqlx::query(INSERT)
            .bind(Uuid::new_v4().to_string())
            .bind(ogrn.as_str())
            .bind(to_millis(at))
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
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
pub async fn count_between(
    db: &Db,
    ogrn: &Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    count_in(db, ogrn, "scanned_at", from, until).await
}

/// Number of rows of the organization a report of `[from, until)` carries
/// (`from <= report_at < until`).
pub async fn count_for_report(
    db: &Db,
    ogrn: &Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    count_in(db, ogrn, "report_at", from, until).await
}

/// Rows of the organization with `from <= {column} < until` (`column`: one of the two times).
#[tracing::instrument(skip(db))]
async fn count_in(
    db: &Db,
    ogrn: &Ogrn,
    column: &'static str,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM ledger WHERE ogrn = $1 AND {column} >= $2 AND {column} < $3"
    ))
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

/// The rows a report of `[from, until)` carries (`from <= report_at < until`: the period's
/// scans and offline scans of earlier periods uploaded late), oldest scan first, as a stream
/// (a year of a stadium's scans need not fit in memory), read on `conn` (a transaction from
/// [`Db::begin_long_read`], whose statement timeout allows a long read).
pub fn stream_for_report<'a>(
    conn: &'a mut sqlx::AnyConnection,
    ogrn: &'a Ogrn,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> impl futures_util::Stream<Item = Result<LedgerEntry, sqlx::Error>> + Send + 'a {
    use futures_util::StreamExt;
    sqlx::query(
        "SELECT scan_id, ogrn, scanned_at, kind FROM ledger WHERE ogrn = $1 AND report_at >= $2 \
         AND report_at < $3 ORDER BY scanned_at, scan_id",
    )
    .bind(ogrn.as_str())
    .bind(to_millis(from))
    .bind(to_millis(until))
    .fetch(conn)
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
    let cutoff = to_millis(now - RETENTION);
    let done = sqlx::query("DELETE FROM ledger WHERE scanned_at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?;
    sqlx::query("DELETE FROM scan_events WHERE scanned_at < $1")
        .bind(cutoff)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected())
}
