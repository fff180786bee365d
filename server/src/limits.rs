//! Per-person limit on registry lookups: a loop of «Получить» after each expiry (or a script
//! with a stolen session) must not turn into a flood of questions to the Ministry's registry.
//!
//! Only lookups count: a request answered with the live pass asks nobody. The default, 30
//! lookups in any hour (`STATUSPASS_LOOKUPS_PER_HOUR`), is far above real use: a pass lives
//! 5 minutes, so one status shown all hour long takes 12 lookups, and trying each of the five
//! statuses in turn takes five. Kept in memory per instance, keyed by a hash of the subject;
//! behind N instances a person gets at most N times the limit.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};

/// The window the limit counts in.
pub const WINDOW: Duration = Duration::hours(1);

/// Lookups per person in the last [`WINDOW`].
pub struct LookupLimiter {
    max: usize,
    seen: Mutex<HashMap<[u8; 32], VecDeque<DateTime<Utc>>>>,
}

impl LookupLimiter {
    /// At most `max` lookups per person in any [`WINDOW`]; 0 turns the limit off.
    pub fn new(max: usize) -> Self {
        Self {
            max,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a lookup of `subject` at `now`, or says how long until the next is allowed.
    pub fn allow(&self, subject: &str, now: DateTime<Utc>) -> Result<(), Duration> {
        if self.max == 0 {
            return Ok(());
        }
        let key: [u8; 32] = Sha256::digest(subject.as_bytes()).into();
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let times = seen.entry(key).or_default();
        while times.front().is_some_and(|t| *t <= now - WINDOW) {
            times.pop_front();
        }
        if times.len() >= self.max {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + WINDOW - now).max(Duration::seconds(1)));
        }
        times.push_back(now);
        Ok(())
    }

    /// Forgets people with no lookup in the window (run by the sweeper).
    pub fn sweep(&self, now: DateTime<Utc>) {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.retain(|_, times| times.back().is_some_and(|t| *t > now - WINDOW));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_counts_per_person_in_a_sliding_hour() {
        let limiter = LookupLimiter::new(3);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..3 {
            assert_eq!(limiter.allow("a", t0 + Duration::minutes(i)), Ok(()));
        }
        let wait = limiter.allow("a", t0 + Duration::minutes(10)).unwrap_err();
        assert_eq!(
            wait,
            Duration::minutes(50),
            "until the first one leaves the window"
        );
        assert_eq!(
            limiter.allow("b", t0),
            Ok(()),
            "another person is not limited"
        );
        assert_eq!(limiter.allow("a", t0 + Duration::minutes(60)), Ok(()));
        limiter.sweep(t0 + Duration::hours(3));
        assert!(limiter.seen.lock().unwrap().is_empty());
    }

    #[test]
    fn zero_turns_it_off() {
        let limiter = LookupLimiter::new(0);
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for _ in 0..1000 {
            assert_eq!(limiter.allow("a", t0), Ok(()));
        }
    }
}
