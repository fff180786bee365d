//! The pass rules of SPEC §3, per person **and status kind** (SPEC §12): issue for 5 minutes,
//! reuse within them without asking the source again, forget the source's answer at expiry,
//! answer late scans with «expired»; and the check of a dynamic pass's rotating code.

use chrono::{DateTime, Duration, Utc};
use statuspass_shared::api::Holder;
use statuspass_shared::dynamic::{self, DynamicVerdict};
use statuspass_shared::{DynamicSecret, PassId, StatusKind};

use crate::configuration::Disclosure;

use crate::clock::Clock;
use crate::registry::source::{Applicant, Check, SourceError, Sources};
use crate::store::passes::{
    IssuedPass, NewPass, PassData, PassLookup, PassStore, PersonKey, StoreError,
};
use std::sync::Arc;

/// Outcome of pressing «Получить».
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssueOutcome {
    Issued(Box<Issued>),
    NotFound,
}

/// An issued (or reused) pass with what its offline token is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issued {
    pub pass: IssuedPass,
    pub issued_at: DateTime<Utc>,
    /// The pass's data; `None` only when a reused pass expired between the two reads (then
    /// the link goes out without a token).
    pub data: Option<PassData>,
}

/// The verdict on a scanned pass of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Live, and for a dynamic pass its rotating part is current.
    Valid(PassData),
    /// A live dynamic pass shown with an old, far-future or missing rotating part.
    Stale,
    Expired,
    Unknown,
}

/// Why issuing or checking failed.
#[derive(Debug, thiserror::Error)]
pub enum PassError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("drawing a dynamic secret: {0}")]
    Random(#[source] openssl::error::ErrorStack),
    /// Too many registry lookups for this person lately; the next is allowed after this long.
    #[error("too many registry lookups")]
    TooManyLookups(Duration),
}

/// Lifetimes and the code policy.
#[derive(Debug, Clone)]
pub struct PassPolicy {
    /// Pass lifetime.
    pub ttl: Duration,
    /// How long after expiry «expired» is still answered.
    pub tombstone_ttl: Duration,
    /// Kinds whose passes get a rotating code.
    pub dynamic_kinds: Vec<StatusKind>,
}

/// Issues and checks passes.
pub struct Passes {
    store: Arc<dyn PassStore>,
    sources: Sources,
    clock: Arc<dyn Clock>,
    policy: PassPolicy,
    metrics: crate::metrics::Metrics,
    limiter: crate::limits::LookupLimiter,
}

impl Passes {
    /// Passes kept in `store`, confirmed by `sources`; `limiter` counts the lookups.
    pub fn new(
        store: Arc<dyn PassStore>,
        sources: Sources,
        clock: Arc<dyn Clock>,
        policy: PassPolicy,
        metrics: crate::metrics::Metrics,
        limiter: crate::limits::LookupLimiter,
    ) -> Self {
        Self {
            limiter,
            store,
            sources,
            clock,
            policy,
            metrics,
        }
    }

    /// The live pass of `subject` for `kind`, or a new one after asking the kind's source.
    pub async fn issue(
        &self,
        subject: &str,
        applicant: &Applicant<'_>,
        kind: StatusKind,
    ) -> Result<IssueOutcome, PassError> {
        let person = PersonKey::of(subject, kind);
        let now = self.clock.now();
        if let Some(pass) = self.store.active_for(&person, now).await? {
            tracing::info!(%kind, "reusing the live pass");
            return Ok(IssueOutcome::Issued(Box::new(
                self.stored(pass, now).await?,
            )));
        }
        self.limiter
            .allow(subject, now)
            .await?
            .map_err(PassError::TooManyLookups)?;
        let started = std::time::Instant::now();
        let answer = self.sources.of(kind).check(applicant).await;
        let outcome = match &answer {
            Ok(Check::Holds { .. }) => "holds",
            Ok(Check::DoesNotHold) => "does_not_hold",
            Err(_) => "unavailable",
        };
        self.metrics
            .source_calls
            .with_label_values(&[kind.as_str(), outcome])
            .inc();
        self.metrics
            .source_seconds
            .with_label_values(&[kind.as_str()])
            .observe(started.elapsed().as_secs_f64());
        let record = match answer? {
            Check::Holds { record } => record,
            Check::DoesNotHold => {
                tracing::info!(%kind, "source: not held");
                return Ok(IssueOutcome::NotFound);
            }
        };
        let secret = if self.policy.dynamic_kinds.contains(&kind) {
            Some(random_secret()?)
        } else {
            None
        };
        // The registry may take seconds: the pass starts when it is stored, not when asked.
        let issued_at = self.clock.now();
        let expires_at = issued_at + self.policy.ttl;
        let new = NewPass {
            id: PassId::new_random(),
            data: PassData {
                kind,
                record,
                secret,
                issued_at: Some(issued_at),
            },
            issued_at,
            expires_at,
            forget_at: expires_at + self.policy.tombstone_ttl,
        };
        let pass = self
            .store
            .insert_or_existing(&person, &new, issued_at)
            .await?;
        tracing::info!(%kind, reused = pass.id != new.id, "pass issued");
        if pass.id == new.id {
            return Ok(IssueOutcome::Issued(Box::new(Issued {
                pass,
                issued_at,
                data: Some(new.data),
            })));
        }
        Ok(IssueOutcome::Issued(Box::new(
            self.stored(pass, issued_at).await?,
        )))
    }

    /// A live pass found in the store, with its data read back for the token.
    async fn stored(&self, pass: IssuedPass, now: DateTime<Utc>) -> Result<Issued, PassError> {
        let data = match self.store.lookup(pass.id, now).await? {
            PassLookup::Live(data) => Some(data),
            PassLookup::Expired | PassLookup::Unknown => None,
        };
        // Data stored before tokens lacks the issue time; the lifetime gives it back.
        let issued_at = data
            .as_ref()
            .and_then(|d| d.issued_at)
            .unwrap_or(pass.expires_at - self.policy.ttl);
        Ok(Issued {
            pass,
            issued_at,
            data,
        })
    }

    /// The verdict on a scanned id with the link's `fragment` (see `statuspass_shared::link`):
    /// a dynamic pass needs its current rotating part, a static pass ignores the fragment.
    pub async fn check(&self, id: PassId, fragment: Option<&str>) -> Result<Verdict, PassError> {
        let now = self.clock.now();
        Ok(match self.store.lookup(id, now).await? {
            PassLookup::Unknown => Verdict::Unknown,
            PassLookup::Expired => Verdict::Expired,
            PassLookup::Live(data) => match &data.secret {
                None => Verdict::Valid(data),
                Some(secret) => match dynamic::verify(secret, fragment, now.timestamp_millis()) {
                    DynamicVerdict::Valid => Verdict::Valid(data),
                    DynamicVerdict::Stale => Verdict::Stale,
                    DynamicVerdict::Wrong => Verdict::Unknown,
                },
            },
        })
    }

    /// Deletes what is due; returns how many passes lost their data.
    pub async fn sweep(&self) -> Result<u64, PassError> {
        let now = self.clock.now();
        self.limiter.sweep(now);
        Ok(self.store.sweep(now).await?)
    }

    /// The store, for retention checks and health.
    pub fn store(&self) -> &Arc<dyn PassStore> {
        &self.store
    }
}

/// The status text and the holder attributes a checker sees of a valid pass (SPEC §7, §12),
/// online in the scan answer and offline in the token: a «Цифровой ID» status alone (its title),
/// an СВО status with the registry's status text and, unless the service discloses the status
/// only, the bearer's initials and birth year.
pub fn disclosed(data: &PassData, disclosure: Disclosure) -> (String, Option<Holder>) {
    match (&data.record, data.kind.is_digital_id()) {
        (Some(record), false) => (
            record.status.clone(),
            match disclosure {
                Disclosure::InitialsBirthYear => Some(record.holder()),
                Disclosure::StatusOnly => None,
            },
        ),
        _ => (data.kind.title().to_owned(), None),
    }
}

/// A fresh per-pass secret from the operating system's CSPRNG (through OpenSSL).
fn random_secret() -> Result<DynamicSecret, PassError> {
    let mut bytes = [0u8; dynamic::SECRET_LEN];
    openssl::rand::rand_bytes(&mut bytes).map_err(PassError::Random)?;
    Ok(DynamicSecret::from_bytes(bytes))
}
