//! The pass rules of SPEC §3: issue for 5 minutes, reuse within them without asking the
//! registry, forget the registry answer at expiry, answer late scans with «expired».

use std::sync::Arc;

use chrono::Duration;
use statuspass_shared::{PassId, Snils};

use crate::clock::Clock;
use crate::registry::{Lookup, Registry, RegistryError};
use crate::store::passes::{IssuedPass, NewPass, PassLookup, PassStore, PersonKey, StoreError};

/// Outcome of pressing «Получить».
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    Issued(IssuedPass),
    NotFound,
}

/// Why issuing or checking failed.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Registry(#[from] RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Issues and checks passes.
pub struct Passes {
    store: Arc<dyn PassStore>,
    registry: Arc<dyn Registry>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    tombstone_ttl: Duration,
}

impl Passes {
    /// `ttl`: pass lifetime; `tombstone_ttl`: how long after expiry «expired» is still answered.
    pub fn new(
        store: Arc<dyn PassStore>,
        registry: Arc<dyn Registry>,
        clock: Arc<dyn Clock>,
        ttl: Duration,
        tombstone_ttl: Duration,
    ) -> Self {
        Self {
            store,
            registry,
            clock,
            ttl,
            tombstone_ttl,
        }
    }

    /// The live pass of `subject`, or a new one after asking the registry about `snils`.
    pub async fn issue(&self, subject: &str, snils: &Snils) -> Result<IssueOutcome, PassError> {
        let person = PersonKey::of_subject(subject);
        let now = self.clock.now();
        if let Some(pass) = self.store.active_for(&person, now).await? {
            tracing::info!("reusing the live pass");
            return Ok(IssueOutcome::Issued(pass));
        }
        let record = match self.registry.lookup(snils).await? {
            Lookup::Found(record) => record,
            Lookup::NotFound => {
                tracing::info!("registry: not found");
                return Ok(IssueOutcome::NotFound);
            }
        };
        // The registry may take seconds: the pass starts when it is stored, not when asked.
        let issued_at = self.clock.now();
        let expires_at = issued_at + self.ttl;
        let new = NewPass {
            id: PassId::new_random(),
            record,
            issued_at,
            expires_at,
            forget_at: expires_at + self.tombstone_ttl,
        };
        let pass = self
            .store
            .insert_or_existing(&person, &new, issued_at)
            .await?;
        tracing::info!(reused = pass.id != new.id, "pass issued");
        Ok(IssueOutcome::Issued(pass))
    }

    /// What the store says about a scanned id now.
    pub async fn check(&self, id: PassId) -> Result<PassLookup, PassError> {
        Ok(self.store.lookup(id, self.clock.now()).await?)
    }

    /// Deletes what is due; returns how many passes lost their registry data.
    pub async fn sweep(&self) -> Result<u64, PassError> {
        Ok(self.store.sweep(self.clock.now()).await?)
    }

    /// The store, for retention checks and health.
    pub fn store(&self) -> &Arc<dyn PassStore> {
        &self.store
    }
}
