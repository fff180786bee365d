//! The pass store: issued passes with their data ([`PassData`]: kind, registry answer, dynamic
//! secret) for their lifetime, a bare tombstone afterwards, and the (person, kind) → live pass
//! index. Two backends: the database ([`sql::SqlPassStore`], embedded setup) and Redis
//! ([`redis::RedisPassStore`], production).
//!
//! Every operation takes `now` from the injected clock; expiry is decided against it (lazy
//! deletion on read), and [`PassStore::sweep`] deletes what is due.

pub mod redis;
pub mod sql;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use statuspass_shared::{DynamicSecret, PassId, StatusKind};

use crate::registry::RegistryRecord;

/// A one-way key for a signed-in subject and a status kind, so the index does not hold the
/// subject in clear and a person holds one live pass per kind.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PersonKey(String);

impl PersonKey {
    /// Derives the key of a subject (the identity provider's stable id) for `kind`. The key of
    /// `svo_participant` is the one of the single-status service (so passes live across the
    /// upgrade); other kinds append their name.
    pub fn of(subject: &str, kind: StatusKind) -> Self {
        let mut hasher = Sha256::new()
            .chain_update(b"statuspass person v1\0")
            .chain_update(subject.as_bytes());
        if kind != StatusKind::SvoParticipant {
            hasher = hasher.chain_update(b"\0").chain_update(kind.as_str());
        }
        Self(hex::encode(hasher.finalize()))
    }

    /// The hex form, as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonKey(***)")
    }
}

/// A pass as its holder sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssuedPass {
    pub id: PassId,
    pub expires_at: DateTime<Utc>,
    /// The dynamic code's secret (dynamic passes only), handed to the holder again on reuse.
    pub secret: Option<DynamicSecret>,
}

/// What a live pass holds, kept for its lifetime only (personal data: `Debug` is redacted by
/// its parts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PassData {
    /// The status the pass proves (absent in data of the single-status service).
    #[serde(default = "svo_participant")]
    pub kind: StatusKind,
    /// The Ministry of Defence record (СВО statuses), what the checker's disclosure shows.
    #[serde(default)]
    pub record: Option<RegistryRecord>,
    /// The dynamic code's secret (dynamic passes only).
    #[serde(default)]
    pub secret: Option<DynamicSecret>,
    /// When the pass was issued, for its offline token (absent in data stored before tokens).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
}

fn svo_participant() -> StatusKind {
    StatusKind::SvoParticipant
}

/// A pass about to be stored.
#[derive(Debug, Clone)]
pub struct NewPass {
    pub id: PassId,
    pub data: PassData,
    pub issued_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// When even the tombstone goes (then a scan says «unknown»).
    pub forget_at: DateTime<Utc>,
}

/// What the store knows about a scanned id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassLookup {
    Live(PassData),
    Expired,
    Unknown,
}

/// A storage failure (connection lost, timeout, corrupt data).
#[derive(Debug, thiserror::Error)]
#[error("pass store: {0:#}")]
pub struct StoreError(#[from] pub anyhow::Error);

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self(e.into())
    }
}

/// Storage of passes.
#[async_trait]
pub trait PassStore: Send + Sync + 'static {
    /// The person's live pass of the key's kind, if any.
    async fn active_for(
        &self,
        person: &PersonKey,
        now: DateTime<Utc>,
    ) -> Result<Option<IssuedPass>, StoreError>;

    /// Stores `pass` for `person` unless the person already holds a live pass (a concurrent
    /// request may have won); returns the pass that holds. Atomic.
    async fn insert_or_existing(
        &self,
        person: &PersonKey,
        pass: &NewPass,
        now: DateTime<Utc>,
    ) -> Result<IssuedPass, StoreError>;

    /// Looks a scanned id up; an expired pass loses its registry data here at the latest.
    async fn lookup(&self, id: PassId, now: DateTime<Utc>) -> Result<PassLookup, StoreError>;

    /// Deletes registry data of expired passes and tombstones past `forget_at`.
    /// Returns how many passes lost their data.
    async fn sweep(&self, now: DateTime<Utc>) -> Result<u64, StoreError>;

    /// Whether any registry data is still stored for `id` (for retention checks).
    async fn holds_registry_data(&self, id: PassId) -> Result<bool, StoreError>;

    /// A cheap round trip, for health checks.
    async fn ping(&self) -> Result<(), StoreError>;

    /// `(idle, in use)` connections of its own pool (Redis), for the metrics; `None` when it
    /// uses the database's pool.
    fn pool_use(&self) -> Option<(usize, usize)> {
        None
    }
}
