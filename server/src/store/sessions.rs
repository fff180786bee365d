//! Server-side sessions (`actix-session` storage): the cookie carries only a random key, the
//! state lives in the database (embedded) or Redis (production), so every instance sees the
//! same sessions and logout really ends one — a copy of the old cookie finds nothing.
//!
//! Keys are stored as their SHA-256 only. The idle deadline moves with use (`update_ttl`, called
//! on every request, writes at most once a minute per session and instance — a tenth of the
//! idle lifetime when that is shorter — so a busy desk does not turn every read into a write):
//! in the database it is a column compared with the injected session clock, in Redis the key's
//! own expiry (Redis' clock). The absolute lifetime is checked by the identity
//! layer (`auth::Principal`) against the sign-in time in the state, on the session clock.

use std::collections::HashMap;
use std::sync::Arc;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::Context;
use deadpool_redis::redis::AsyncCommands;
use deadpool_redis::Pool;
use sha2::{Digest, Sha256};
use sqlx::Row;

use super::{to_millis, Db};
use crate::clock::Clock;

type State = HashMap<String, String>;

/// Where sessions are kept.
#[derive(Clone)]
enum Backend {
    Sql(Db),
    Redis { pool: Pool, prefix: String },
}

/// The session store of every instance; cheap to clone.
#[derive(Clone)]
pub struct ServerSessions {
    backend: Backend,
    clock: Arc<dyn Clock>,
    extended: Arc<Extended>,
}

/// When this instance last moved each session's idle deadline (session clock, ms), so that
/// `update_ttl` can skip a write that would move it by less than a step.
#[derive(Default)]
struct Extended(std::sync::Mutex<HashMap<String, i64>>);

impl Extended {
    /// Sessions remembered at most; beyond, the memory starts again (a few extra writes).
    const MAX: usize = 100_000;

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether the deadline of `key_hash` moved less than `step_ms` before `now`.
    fn recently(&self, key_hash: &str, now: i64, step_ms: i64) -> bool {
        self.map()
            .get(key_hash)
            .is_some_and(|at| now.saturating_sub(*at) < step_ms)
    }

    fn mark(&self, key_hash: &str, now: i64) {
        let mut map = self.map();
        if map.len() >= Self::MAX && !map.contains_key(key_hash) {
            map.clear();
        }
        map.insert(key_hash.to_owned(), now);
    }

    fn forget(&self, key_hash: &str) {
        self.map().remove(key_hash);
    }
}

/// The idle deadline is moved when it would move by at least this much.
fn extension_step_ms(ttl_ms: i64) -> i64 {
    (ttl_ms / 10).min(60_000)
}

impl ServerSessions {
    /// Sessions in the relational database.
    pub fn sql(db: Db, clock: Arc<dyn Clock>) -> Self {
        Self {
            backend: Backend::Sql(db),
            clock,
            extended: Arc::default(),
        }
    }

    /// Sessions in Redis, under `{prefix}session:`.
    pub fn redis(pool: Pool, prefix: &str, clock: Arc<dyn Clock>) -> Self {
        Self {
            backend: Backend::Redis {
                pool,
                prefix: format!("{prefix}session:"),
            },
            clock,
            extended: Arc::default(),
        }
    }

    fn now_ms(&self) -> i64 {
        to_millis(self.clock.now())
    }

    /// Deletes dead sessions (the database; Redis expires its own). Returns how many.
    pub async fn sweep(&self) -> anyhow::Result<u64> {
        match &self.backend {
            Backend::Sql(db) => Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(self.now_ms())
                .execute(db.pool())
                .await?
                .rows_affected()),
            Backend::Redis { .. } => Ok(0),
        }
    }

    /// Ends every session whose key hashes to `key_hash` (none if unknown).
    async fn remove(&self, key_hash: &str) -> anyhow::Result<()> {
        self.extended.forget(key_hash);
        match &self.backend {
            Backend::Sql(db) => {
                sqlx::query("DELETE FROM sessions WHERE key_hash = $1")
                    .bind(key_hash)
                    .execute(db.pool())
                    .await?;
            }
            Backend::Redis { pool, prefix } => {
                let mut conn = pool.get().await.context("connecting to Redis")?;
                let _: () = conn.del(format!("{prefix}{key_hash}")).await?;
            }
        }
        Ok(())
    }

    async fn read(&self, key_hash: &str) -> anyhow::Result<Option<String>> {
        match &self.backend {
            Backend::Sql(db) => Ok(sqlx::query(
                "SELECT state FROM sessions WHERE key_hash = $1 AND expires_at > $2",
            )
            .bind(key_hash)
            .bind(self.now_ms())
            .fetch_optional(db.pool())
            .await?
            .map(|row| row.try_get::<String, _>("state"))
            .transpose()?),
            Backend::Redis { pool, prefix } => {
                let mut conn = pool.get().await.context("connecting to Redis")?;
                Ok(conn.get(format!("{prefix}{key_hash}")).await?)
            }
        }
    }

    /// Writes the state; `create` inserts a new row, otherwise only a live one is replaced.
    /// Returns whether a row was written.
    async fn write(
        &self,
        key_hash: &str,
        state: &str,
        ttl: &Duration,
        create: bool,
    ) -> anyhow::Result<bool> {
        let ttl_ms = ttl.whole_milliseconds().clamp(1, i64::MAX as i128) as i64;
        let now = self.now_ms();
        let written = match &self.backend {
            Backend::Sql(db) => {
                let query = if create {
                    "INSERT INTO sessions (key_hash, state, expires_at) VALUES ($1, $2, $3)"
                } else {
                    "UPDATE sessions SET state = $2, expires_at = $3 \
                     WHERE key_hash = $1 AND expires_at > $4"
                };
                let done = sqlx::query(query)
                    .bind(key_hash)
                    .bind(state)
                    .bind(now.saturating_add(ttl_ms))
                    .bind(now)
                    .execute(db.pool())
                    .await?;
                done.rows_affected() > 0
            }
            Backend::Redis { pool, prefix } => {
                let mut conn = pool.get().await.context("connecting to Redis")?;
                let mut cmd = deadpool_redis::redis::cmd("SET");
                cmd.arg(format!("{prefix}{key_hash}"))
                    .arg(state)
                    .arg("PX")
                    .arg(ttl_ms)
                    .arg(if create { "NX" } else { "XX" });
                let written: Option<String> = cmd.query_async(&mut *conn).await?;
                written.is_some()
            }
        };
        if written {
            self.extended.mark(key_hash, now);
        }
        Ok(written)
    }

    async fn extend(&self, key_hash: &str, ttl: &Duration) -> anyhow::Result<()> {
        let ttl_ms = ttl.whole_milliseconds().clamp(1, i64::MAX as i128) as i64;
        let now = self.now_ms();
        if self
            .extended
            .recently(key_hash, now, extension_step_ms(ttl_ms))
        {
            return Ok(());
        }
        match &self.backend {
            Backend::Sql(db) => {
                sqlx::query(
                    "UPDATE sessions SET expires_at = $2 WHERE key_hash = $1 AND expires_at > $3",
                )
                .bind(key_hash)
                .bind(now.saturating_add(ttl_ms))
                .bind(now)
                .execute(db.pool())
                .await?;
            }
            Backend::Redis { pool, prefix } => {
                let mut conn = pool.get().await.context("connecting to Redis")?;
                let _: bool = conn.pexpire(format!("{prefix}{key_hash}"), ttl_ms).await?;
            }
        }
        self.extended.mark(key_hash, now);
        Ok(())
    }

    async fn save_new(&self, state: &State, ttl: &Duration) -> anyhow::Result<SessionKey> {
        let json = serde_json::to_string(state)?;
        let key = new_key();
        anyhow::ensure!(
            self.write(&hash(&key), &json, ttl, true).await?,
            "session key collision"
        );
        SessionKey::try_from(key).map_err(|e| anyhow::anyhow!("session key: {e}"))
    }
}

/// A fresh random session key (two v4 UUIDs: 244 random bits, 64 characters).
fn new_key() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

fn hash(key: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(b"statuspass session v1\0")
            .chain_update(key.as_bytes())
            .finalize(),
    )
}

impl SessionStore for ServerSessions {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let Some(json) = self
            .read(&hash(session_key.as_ref()))
            .await
            .map_err(LoadError::Other)?
        else {
            return Ok(None);
        };
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| LoadError::Deserialization(e.into()))
    }

    async fn save(&self, session_state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        self.save_new(&session_state, ttl)
            .await
            .map_err(SaveError::Other)
    }

    async fn update(
        &self,
        session_key: SessionKey,
        session_state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        let json = serde_json::to_string(&session_state)
            .map_err(|e| UpdateError::Serialization(e.into()))?;
        let written = self
            .write(&hash(session_key.as_ref()), &json, ttl, false)
            .await
            .map_err(UpdateError::Other)?;
        if written {
            Ok(session_key)
        } else {
            // Ended meanwhile (logout elsewhere, expiry) while this request ran: never revive
            // it — what this request wrote goes into a new, empty (signed-out) session.
            self.save_new(&State::new(), ttl)
                .await
                .map_err(UpdateError::Other)
        }
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        self.extend(&hash(session_key.as_ref()), ttl).await
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        self.remove(&hash(session_key.as_ref())).await
    }
}
