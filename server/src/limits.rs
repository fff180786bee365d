//! Per-person limit on registry lookups: a loop of «Получить» after each expiry (or a script
//! with a stolen session) must not turn into a flood of questions to the Ministry's registry.
//!
//! Only lookups count: a request answered with the live pass asks nobody. The default, 30
//! lookups in any hour (`STATUSPASS_LOOKUPS_PER_HOUR`), is far above real use: a pass lives
//! 5 minutes, so one status shown all hour long takes 12 lookups, and trying each of the five
//! statuses in turn takes five.
//!
//! The count is kept where the passes are: in Redis when the service has it (one count for all
//! instances behind a balancer: a sorted set of lookup times per person, trimmed and checked in
//! one Lua script, expiring with the window), else in this instance's memory (the embedded
//! setup is one instance). Either way it is keyed by a hash of the subject.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use deadpool_redis::redis::Script;
use sha2::{Digest, Sha256};

use crate::store::passes::StoreError;
use crate::store::to_millis;

/// The window the limit counts in.
pub const WINDOW: Duration = Duration::hours(1);

/// Trims lookups older than the window, then counts this one or answers the milliseconds until
/// the oldest leaves the window. KEYS[1]: the person's set; ARGV: now (ms), window (ms), max,
/// a unique member for this lookup. Returns -1 when allowed.
const ALLOW_SCRIPT: &str = r#"
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window)
return -1
"#;

/// Lookups per person in the last [`WINDOW`].
pub struct LookupLimiter {
    max: usize,
    counts: Counts,
}

enum Counts {
    Memory(Mutex<HashMap<[u8; 32], VecDeque<DateTime<Utc>>>>),
    Redis {
        pool: deadpool_redis::Pool,
        prefix: String,
        script: Script,
    },
}

impl LookupLimiter {
    /// At most `max` lookups per person in any [`WINDOW`], counted in this instance's memory;
    /// 0 turns the limit off.
    pub fn in_memory(max: usize) -> Self {
        Self {
            max,
            counts: Counts::Memory(Mutex::new(HashMap::new())),
        }
    }

    /// The same limit counted in Redis under `{prefix}lookups:`, shared by every instance on
    /// that Redis.
    pub fn redis(max: usize, pool: deadpool_redis::Pool, prefix: &str) -> Self {
        Self {
            max,
            counts: Counts::Redis {
                pool,
                prefix: prefix.to_owned(),
                script: Script::new(ALLOW_SCRIPT),
            },
        }
    }

    /// Counts a lookup of `subject` at `now`, or says how long until the next is allowed
    /// (`Ok(Err(wait))`); an error when Redis does not answer.
    pub async fn allow(
        &self,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), Duration>, StoreError> {
        if self.max == 0 {
            return Ok(Ok(()));
        }
        let key: [u8; 32] = Sha256::digest(subject.as_bytes()).into();
        let wait = match &self.counts {
            Counts::Memory(seen) => {
                let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
                let times = seen.entry(key).or_default();
                while times.front().is_some_and(|t| *t <= now - WINDOW) {
                    times.pop_front();
                }
                if times.len() < self.max {
                    times.push_back(now);
                    return Ok(Ok(()));
                }
                let oldest = times.front().copied().unwrap_or(now);
                oldest + WINDOW - now
            }
            Counts::Redis {
                pool,
                prefix,
                script,
            } => {
                let mut conn = pool.get().await.context("connecting to Redis")?;
                let wait_ms: i64 = script
                    .key(format!("{prefix}lookups:{}", hex::encode(key)))
                    .arg(to_millis(now))
                    .arg(WINDOW.num_milliseconds())
                    .arg(self.max)
                    .arg(uuid::Uuid::new_v4().to_string())
                    .invoke_async(&mut conn)
                    .await
                    .context("counting a registry lookup in Redis")?;
                if wait_ms < 0 {
                    return Ok(Ok(()));
                }
                Duration::milliseconds(wait_ms)
            }
        };
        Ok(Err(wait.max(Duration::seconds(1))))
    }

    /// Forgets people with no lookup in the window (run by the sweeper; Redis expires its
    /// counts by itself).
    pub fn sweep(&self, now: DateTime<Utc>) {
        if let Counts::Memory(seen) = &self.counts {
            let mut seen = seen.lock().unwrap_or_else(|p| p.into_inner());
            seen.retain(|_, times| times.back().is_some_and(|t| *t > now - WINDOW));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_limit_counts_per_person_in_a_sliding_hour() {
        let limiter = LookupLimiter::in_memory(3);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..3 {
            let at = t0 + Duration::minutes(i);
            assert_eq!(limiter.allow("a", at).await.unwrap(), Ok(()));
        }
        let wait = limiter
            .allow("a", t0 + Duration::minutes(10))
            .await
            .unwrap()
            .unwrap_err();
        assert_eq!(
            wait,
            Duration::minutes(50),
            "until the first one leaves the window"
        );
        assert_eq!(
            limiter.allow("b", t0).await.unwrap(),
            Ok(()),
            "another person is not limited"
        );
        let later = t0 + Duration::minutes(60);
        assert_eq!(limiter.allow("a", later).await.unwrap(), Ok(()));
        limiter.sweep(t0 + Duration::hours(3));
        let Counts::Memory(seen) = &limiter.counts else {
            unreachable!()
        };
        assert!(seen.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn zero_turns_it_off() {
        let limiter = LookupLimiter::in_memory(0);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..1000 {
            assert_eq!(limiter.allow("a", t0).await.unwrap(), Ok(()));
        }
    }
}
