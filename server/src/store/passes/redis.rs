//! Passes in Redis (production). Keys, all under the configured prefix:
//! - `pass:{id}`     → `{"expires_at": ms, "kind": …, "record": {…}, "secret": …}` (the
//!   [`PassData`]; data of the single-status service lacks `kind` and `secret`), expiring with
//!   the pass;
//! - `tomb:{id}`     → `"{expires_at}|{forget_at}"`, the bare tombstone, expiring at `forget_at`;
//! - `person:{key}`  → `"{id}|{expires_at}|{secret}"` (`secret`: hex, empty for a static pass,
//!   absent in entries of the single-status service), expiring with the pass; `key` is the
//!   [`PersonKey`] of a person and a kind;
//! - `expiring`      → sorted set of ids by expiry, for the sweeper; it expires with the newest
//!   pass's tombstone (so a service that stops issuing leaves nothing behind).
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

use statuspass_shared::DynamicSecret;

use super::{IssuedPass, NewPass, PassData, PassLookup, PassStore, PersonKey, StoreError};
use crate::store::{from_millis, to_millis};

const ISSUE_SCRIPT: &str = r#"
local cur = redis.call('GET', KEYS[1])
if cur then
  local expires = string.match(cur, '^[^|]*|(%d+)')
  if expires and tonumber(expires) > tonumber(ARGV[6]) then
    return cur
  end
end
local holding = ARGV[1] .. '|' .. ARGV[2] .. '|' .. ARGV[8]
redis.call('SET', KEYS[1], holding, 'PX', ARGV[4])
redis.call('SET', KEYS[2], ARGV[3], 'PX', ARGV[4])
redis.call('SET', KEYS[3], ARGV[2] .. '|' .. ARGV[7], 'PX', ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
return holding
"#;

#[derive(Serialize, Deserialize)]
struct StoredPass {
    expires_at: i64,
    #[serde(flatten)]
    data: PassData,
}

/// Pass store in Redis.
pub struct RedisPassStore {
    pool: Pool,
    prefix: String,
    issue: Script,
}

impl RedisPassStore {
    /// The pass store on `pool`; every key starts with `prefix`.
    pub fn new(pool: Pool, prefix: &str) -> anyhow::Result<Self> {
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
    let (id_expires, secret) = match s.rsplit_once('|') {
        Some((head, secret)) if head.contains('|') => (head, secret),
        _ => (s, ""),
    };
    let (id, expires) = split_pair(id_expires).context("corrupt person entry in Redis")?;
    let secret = match secret {
        "" => None,
        hex => Some(DynamicSecret::from_hex(hex).context("corrupt secret in Redis")?),
    };
    Ok(IssuedPass {
        id: PassId::parse(id).context("corrupt pass id in Redis")?,
        expires_at: from_millis(expires),
        secret,
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
            data: pass.data.clone(),
        })
        .context("serializing pass data")?;
        let secret = pass.data.secret.map(|s| s.to_hex()).unwrap_or_default();
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
            .arg(secret)
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
                return Ok(PassLookup::Live(stored.data));
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

    fn pool_use(&self) -> Option<(usize, usize)> {
        let status = self.pool.status();
        Some((
            status.available,
            status.size.saturating_sub(status.available),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_entries_with_and_without_a_secret_parse() {
        let id = PassId::new_random();
        let old = parse_holding(&format!("{id}|1700000000000")).unwrap();
        assert_eq!((old.id, old.secret), (id, None));
        let static_pass = parse_holding(&format!("{id}|1700000000000|")).unwrap();
        assert_eq!(static_pass.secret, None);
        let secret = DynamicSecret::from_bytes([7; 32]);
        let dynamic = parse_holding(&format!("{id}|1700000000000|{}", secret.to_hex())).unwrap();
        assert_eq!(dynamic.secret, Some(secret));
        assert_eq!(dynamic.expires_at, from_millis(1_700_000_000_000));
        assert!(parse_holding(&format!("{id}|soon|")).is_err());
    }

    #[test]
    fn stored_passes_of_the_single_status_service_read_as_svo_participant() {
        let old = r#"{"expires_at": 5, "record": {"surname": "И", "name": "И", "patronymic": null,
            "birth_date": "1985-03-14", "status": "участник СВО"}}"#;
        let stored: StoredPass = serde_json::from_str(old).unwrap();
        assert_eq!(
            stored.data.kind,
            statuspass_shared::StatusKind::SvoParticipant
        );
        assert!(stored.data.record.is_some() && stored.data.secret.is_none());
    }
}
