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

/// An organization scan's event to record: its verdict and, when valid, its ledger row.
#[derive(Debug, Clone)]
pub struct ScanEvent {
    pub event_id: Uuid,
    pub ogrn: Ogrn,
    /// The verdict given (`ScanResult` as text).
    pub result: String,
    /// The kind shown when the verdict is valid: then a ledger row is written.
    pub valid_kind: Option<StatusKind>,
    pub at: DateTime<Utc>,
    /// The id of the ledger row it would write.
    pub scan_id: Uuid,
}

impl ScanEvent {
    /// The values of [`INSERT_EVENT`], in its order (and, with `with_scan_id`, `$7`).
    fn arguments(&self, with_scan_id: bool) -> Result<sqlx::any::AnyArguments<'_>, sqlx::Error> {
        use sqlx::Arguments;
        let mut args = sqlx::any::AnyArguments::default();
        args.add(self.event_id.to_string())
            .map_err(sqlx::Error::Encode)?;
        args.add(self.ogrn.as_str()).map_err(sqlx::Error::Encode)?;
        args.add(self.result.as_str())
            .map_err(sqlx::Error::Encode)?;
        args.add(self.valid_kind.map(StatusKind::as_str))
            .map_err(sqlx::Error::Encode)?;
        args.add(i64::from(self.valid_kind.is_some()))
            .map_err(sqlx::Error::Encode)?;
        args.add(to_millis(self.at)).map_err(sqlx::Error::Encode)?;
        if with_scan_id {
            args.add(self.scan_id.to_string())
                .map_err(sqlx::Error::Encode)?;
        }
        Ok(args)
    }
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

/// Records the verdict for `event_id` and, when `valid_kind` is set, the ledger row, at once.
/// Returns false (and writes nothing) when the event was recorded before (a retry, or a
/// concurrent twin).
///
/// On PostgreSQL one statement; on SQLite through the [`group_commit`](super::group_commit)
/// writer, which commits the events of concurrent requests together.
#[tracing::instrument(skip(db))]
pub async fn record_event(
    db: &Db,
    event_id: Uuid,
    ogrn: &Ogrn,
    result: &str,
    valid_kind: Option<StatusKind>,
    at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let event = ScanEvent {
        event_id,
        ogrn: ogrn.clone(),
        result: result.to_owned(),
        valid_kind,
        at,
        scan_id: Uuid::new_v4(),
    };
    match db.event_writer() {
        Some(writer) => writer.write(event).await,
        None => {
            // One statement, one round trip: the event, and the ledger row only if it is new.
            let fresh: i64 = sqlx::query_scalar_with(RECORD_EVENT_POSTGRES, event.arguments(true)?)
                .fetch_one(db.pool())
                .await?;
            Ok(fresh == 1)
        }
    }
}

/// [`record_event`] inside the transaction `tx` (SQLite): the event, then its ledger row if
/// the event is new and valid. Returns whether the event was new.
pub(super) async fn write_event(
    tx: &mut sqlx::AnyConnection,
    event: &ScanEvent,
) -> Result<bool, sqlx::Error> {
    let fresh = sqlx::query_with(INSERT_EVENT, event.arguments(false)?)
        .execute(&mut *tx)
        .await?
        .rows_affected()
        == 1;
    if let (true, Some(kind)) = (fresh, event.valid_kind) {
        sqlx::query(INSERT)
            .bind(event.scan_id.to_string())
            .bind(event.ogrn.as_str())
            .bind(to_millis(event.at))
            .bind(kind.as_str())
            .execute(&mut *tx)
            .await?;
    }
    Ok(fresh)
}

/// Takes back [`write_event`] of an event nobody was told about (its request gave up before
/// the commit answered), so that the ledger holds only rows an answer said were recorded.
pub(super) async fn unwrite_event(
    pool: &sqlx::AnyPool,
    event: &ScanEvent,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("DELETE FROM scan_events WHERE event_id = $1")
        .bind(event.event_id.to_string())
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM ledger WHERE scan_id = $1")
        .bind(event.scan_id.to_string())
        .execute(&mut *tx)
        .await?;
    tx.commit().await
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

/// Rows deleted by one statement of [`delete_expired`]: each statement stays well inside the
/// statement timeout, and writers wait for at most one batch.
pub const DELETE_BATCH: i64 = 5_000;

/// Deletes rows (and scan events) older than the retention period, [`DELETE_BATCH`] at a time;
/// returns how many rows.
#[tracing::instrument(skip(db))]
pub async fn delete_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, sqlx::Error> {
    let cutoff = to_millis(now - RETENTION);
    let rows = delete_in_batches(db, "ledger", "scan_id", cutoff).await?;
    delete_in_batches(db, "scan_events", "event_id", cutoff).await?;
    Ok(rows)
}

/// `DELETE FROM {table} WHERE scanned_at < cutoff`, by batches of [`DELETE_BATCH`] keys.
async fn delete_in_batches(
    db: &Db,
    table: &'static str,
    key: &'static str,
    cutoff: i64,
) -> Result<u64, sqlx::Error> {
    let statement = format!(
        "DELETE FROM {table} WHERE {key} IN \
         (SELECT {key} FROM {table} WHERE scanned_at < $1 LIMIT {DELETE_BATCH})"
    );
    let mut total = 0;
    loop {
        let done = sqlx::query(&statement)
            .bind(cutoff)
            .execute(db.pool())
            .await?
            .rows_affected();
        total += done;
        if done < DELETE_BATCH.unsigned_abs() {
            return Ok(total);
        }
    }
}
