//! Passes in Redis (production). Keys, all under the configured prefix:
//! - `pass:{id}`     → `{"expires_at": ms, "record": {…}}`, expiring with the pass;
//! - `tomb:{id}`     → `"{expires_at}|{forget_at}"`, the bare tombstone, expiring at `forget_at`;
//! - `person:{key}`  → `"{id}|{expires_at}"`, expiring with the pass;
//! - `expiring`      → sorted set of ids by expiry, for the sweeper.
//!
//! Issuance writes all of them in one Lua script (atomic, and it keeps an existing live pass).
//! Redis' own expiry uses wall time; reads and the sweeper also compare with the injected clock,
//! so behaviour is the same with a moved test clock.

use anyhow::Context;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use deadpool_redis::redis::{self, AsyncCommands, Script};
use deadpool_redis::{Connection, Pool};
use serde::{Deserialize, Serialize};
use statuspass_shared::PassId;

use super::{IssuedPass, NewPass, PassLookup, PassStore, PersonKey, StoreError};
use crate::registry::RegistryRecord;
use crate::store::{from_millis, to_millis};

const ISSUE_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if cur then
  local sep = string.find(cur, '|', 1, true)
  if sep and tonumber(string.sub(cur, sep + 1)) > tonumber(ARGV[6]) then
    return cur
  end
end
local holding = ARGV[1] .. '|' .. ARGV[2]
redis.call('SET', KEYS[1], holding, 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[3], ARGV[2] .. '|' .. ARGV[7], 'PX', ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
return holding
"#;

#[derive(Serialize, Deserialize)]
struct StoredPass {
    expires_at: i64,
    record: RegistryRecord,
}

/// Pass store in Redis.
pub struct RedisPassStore {
    pool: Pool,
    prefix: String,
    issue: Script,
}

impl RedisPassStore {
    /// Connects to `url`; every key starts with `prefix`.
    pub fn new(url: &str, prefix: &str) -> anyhow::Result<Self> {
        let pool = crate::store::redis_pool(url)?;
        Ok(Self {
            pool,
            prefix: prefix.to_owned(),
            issue: Script::new(ISSUE_SCRIPT),
        })
    }

    async fn conn(&self) -> Result<Connection, StoreError> {
        Ok(self.pool.get().await.context("connecting to Redis")?)
    }

    fn key(&self, kind: &str, id: &str) -> String {
        format!("{}{kind}:{id}", self.prefix)
    }

    fn expiring_key(&self) -> String {
        format!("{}expiring", self.prefix)
    }
}

fn redis_err(e: redis::RedisError) -> StoreError {
    StoreError(anyhow::Error::new(e).context("Redis command"))
}

/// Splits `"{a}|{b}"`.
fn split_pair(s: &str) -> Option<(&str, i64)> {
    let (a, b) = s.split_once('|')?;
    Some((a, b.parse().ok()?))
}

fn parse_holding(s: &str) -> Result<IssuedPass, StoreError> {
    let (id, expires) = split_pair(s).context("corrupt person entry in Redis")?;
    Ok(IssuedPass {
        id: PassId::parse(id).context("corrupt pass id in Redis")?,
        expires_at: from_millis(expires),
    })
}

/// Milliseconds from `now` to `until`, at least 1 (Redis refuses PX 0).
fn px(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    (until - now).num_milliseconds().max(1)
}

#[async_trait]
impl PassStore for RedisPassStore {
    #[tracing::instrument(skip_all)]
    async fn active_for(
        &self,
        person: &PersonKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IssuedPass>, StoreError> {
        let mut conn = self.conn().await?;
        let value: Option<String> = conn
            .get(self.key("person", person.as_str()))
            .await
            .map_err(redis_err)?;
        let Some(value) = value else { return Ok(None) };
        let pass = parse_holding(&value)?;
        Ok((pass.expires_at > now).then_some(pass))
    }

    #[tracing::instrument(skip_all)]
    async fn insert_or_existing(
        &self,
        person: &PersonKey,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<IssuedPass, StoreError> {
        let id = pass.id.to_string();
        let stored = serde_json::to_string(&StoredPass {
            expires_at: to_millis(pass.expires_at),
            record: pass.record.clone(),
        })
        .context("serializing registry record")?;
        let mut conn = self.conn().await?;
        let holding: String = self
            .issue
            .key(self.key("person", person.as_str()))
            .key(self.key("pass", &id))
            .key(self.key("tomb", &id))
            .key(self.expiring_key())
            .arg(&id)
            .arg(to_millis(pass.expires_at))
            .arg(stored)
            .arg(px(pass.expires_at, now))
            .arg(px(pass.forget_at, now))
            .arg(to_millis(now))
            .arg(to_millis(pass.forget_at))
            .invoke_async(&mut conn)
            .await
            .map_err(redis_err)?;
        parse_holding(&holding)
    }

    #[tracing::instrument(skip_all)]
    async fn lookup(&self, id: PassId, now: DateTime<Utc>) -> Result<PassLookup, StoreError> {
        let id = id.to_string();
        let now_ms = to_millis(now);
        let mut conn = self.conn().await?;
        let (pass, tomb): (Option<String>, Option<String>) = redis::pipe()
            .get(self.key("pass", &id))
            .get(self.key("tomb", &id))
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        if let Some(pass) = pass {
            let stored: StoredPass =
                serde_json::from_str(&pass).context("corrupt pass in Redis")?;
            if now_ms < stored.expires_at {
                return Ok(PassLookup::Live(stored.record));
            }
            let _: () = conn.del(self.key("pass", &id)).await.map_err(redis_err)?;
        }
        match tomb.as_deref().and_then(split_pair) {
            Some((expires, forget_at)) if now_ms < forget_at => {
                let expires: i64 = expires.parse().context("corrupt tombstone in Redis")?;
                // A tombstone of a pass whose data vanished early (eviction) cannot confirm it.
                Ok(if now_ms >= expires {
                    PassLookup::Expired
                } else {
                    PassLookup::Unknown
                })
            }
            _ => Ok(PassLookup::Unknown),
        }
    }

    #[tracing::instrument(skip_all)]
    async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        let due: Vec<String> = conn
            .zrangebyscore(self.expiring_key(), "-inf", to_millis(now))
            .await
            .map_err(redis_err)?;
        if due.is_empty() {
            return Ok(0);
        }
        let keys: Vec<String> = due.iter().map(|id| self.key("pass", id)).collect();
        let (deleted, _): (u64, u64) = redis::pipe()
            .del(keys)
            .zrem(self.expiring_key(), &due)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(deleted)
    }

    async fn holds_registry_data(&self, id: PassId) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let exists: bool = conn
            .exists(self.key("pass", &id.to_string()))
            .await
            .map_err(redis_err)?;
        Ok(exists)
    }

    async fn ping(&self) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(())
    }
}
