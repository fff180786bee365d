//! Passes in the relational database (the embedded setup keeps them in its SQLite file).
//! `passes.holder` holds the [`PassData`] as JSON (kind, registry record, dynamic secret) and
//! is cleared at expiry; `person_passes.person` is the [`PersonKey`] of a person and a kind.

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use statuspass_shared::PassId;

use super::{IssuedPass, NewPass, PassData, PassLookup, PassStore, PersonKey, StoreError};
use crate::store::{from_millis, to_millis, Db};

/// Pass store on the `passes` and `person_passes` tables.
pub struct SqlPassStore {
    db: Db,
}

impl SqlPassStore {
    /// Uses the given (migrated) database.
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn parse_id(s: &str) -> Result<PassId, StoreError> {
    PassId::parse(s).map_err(|e| StoreError(anyhow::anyhow!("stored pass id is invalid: {e}")))
}

fn parse_data(json: &str) -> Result<PassData, StoreError> {
    Ok(serde_json::from_str(json).context("stored pass data is corrupt")?)
}

/// The columns [`issued_of`] reads: the index row and its pass's data.
const HOLDING: &str = "SELECT pp.pass_id, pp.expires_at, p.holder FROM person_passes pp \
     LEFT JOIN passes p ON p.id = pp.pass_id WHERE pp.person = $1";

/// A [`HOLDING`] row (`pass_id`, `expires_at`, `holder`) as the pass its holder sees.
fn issued_of(row: &sqlx::any::AnyRow) -> Result<IssuedPass, StoreError> {
    let holder: Option<String> = row.try_get("holder")?;
    Ok(IssuedPass {
        id: parse_id(&row.try_get::<String, _>("pass_id")?)?,
        expires_at: from_millis(row.try_get("expires_at")?),
        secret: holder
            .as_deref()
            .map(parse_data)
            .transpose()?
            .and_then(|d| d.secret),
    })
}

#[async_trait]
impl PassStore for SqlPassStore {
    #[tracing::instrument(skip_all)]
    async fn active_for(
        &self,
        person: &PersonKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IssuedPass>, StoreError> {
        let row = sqlx::query(&format!("{HOLDING} AND pp.expires_at > $2"))
            .bind(person.as_str())
            .bind(to_millis(now))
            .fetch_optional(self.db.pool())
            .await?;
        row.as_ref().map(issued_of).transpose()
    }

    #[tracing::instrument(skip_all)]
    async fn insert_or_existing(
        &self,
        person: &PersonKey,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<IssuedPass, StoreError> {
        let holder = serde_json::to_string(&pass.data).context("serializing pass data")?;
        let mut tx = self.db.pool().begin().await?;
        // Claim the person's slot unless a live pass holds it; under concurrency the loser's
        // update finds the winner's live row and changes nothing.
        sqlx::query(
            "INSERT INTO person_passes (person, pass_id, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (person) DO UPDATE SET pass_id = excluded.pass_id, \
             expires_at = excluded.expires_at WHERE person_passes.expires_at <= $4",
        )
        .bind(person.as_str())
        .bind(pass.id.to_string())
        .bind(to_millis(pass.expires_at))
        .bind(to_millis(now))
        .execute(&mut *tx)
        .await?;
        // Our own pass is not stored yet (the join finds nothing): its secret is the new one.
        let row = sqlx::query(HOLDING)
            .bind(person.as_str())
            .fetch_one(&mut *tx)
            .await?;
        let mut holding = issued_of(&row)?;
        if holding.id == pass.id {
            holding.secret = pass.data.secret;
            sqlx::query(
                "INSERT INTO passes (id, holder, issued_at, expires_at, forget_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(pass.id.to_string())
            .bind(holder)
            .bind(to_millis(pass.issued_at))
            .bind(to_millis(pass.expires_at))
            .bind(to_millis(pass.forget_at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(holding)
    }

    #[tracing::instrument(skip_all)]
    async fn lookup(&self, id: PassId, now: DateTime<Utc>) -> Result<PassLookup, StoreError> {
        let row = sqlx::query("SELECT holder, expires_at, forget_at FROM passes WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(self.db.pool())
            .await?;
        let Some(row) = row else {
            return Ok(PassLookup::Unknown);
        };
        let holder: Option<String> = row.try_get("holder")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        let forget_at: i64 = row.try_get("forget_at")?;
        let now_ms = to_millis(now);
        if now_ms >= forget_at {
            return Ok(PassLookup::Unknown);
        }
        if now_ms >= expires_at {
            if holder.is_some() {
                sqlx::query("UPDATE passes SET holder = NULL WHERE id = $1")
                    .bind(id.to_string())
                    .execute(self.db.pool())
                    .await?;
            }
            return Ok(PassLookup::Expired);
        }
        match holder {
            Some(json) => Ok(PassLookup::Live(parse_data(&json)?)),
            None => Ok(PassLookup::Expired),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let now = to_millis(now);
        let mut tx = self.db.pool().begin().await?;
        let cleared = sqlx::query(
            "UPDATE passes SET holder = NULL WHERE holder IS NOT NULL AND expires_at <= $1",
        )
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("DELETE FROM passes WHERE forget_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM person_passes WHERE expires_at <= $1")
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(cleared)
    }

    async fn holds_registry_data(&self, id: PassId) -> Result<bool, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM passes WHERE id = $1 AND holder IS NOT NULL")
                .bind(id.to_string())
                .fetch_one(self.db.pool())
                .await?;
        Ok(row.try_get::<i64, _>("n")? > 0)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        Ok(self.db.ping().await?)
    }
}
