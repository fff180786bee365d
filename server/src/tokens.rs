//! The offline token in the issued link (issue 12, SPEC §13) and its signing keys.
//!
//! Keys live in the database (`store::token_keys`), so every instance signs with the same key
//! and sees a rotation at its next issue. The first start creates key 1 (current) and key 2
//! (next, published ahead of use); `statuspass keys rotate` retires the current key, promotes
//! the next one and creates a new next key. Retired keys stay published for
//! [`RETIRED_PUBLISHED`] (tokens live minutes; scanners say when their list is a day old).
//!
//! Online checks never read the token: the server decides from its own store (a tampered or
//! missing token changes nothing there); the token is for the scanner without network.

use chrono::{DateTime, Duration, Utc};
use ed25519_dalek::SigningKey;
use statuspass_shared::keys::{KeyList, PublishedKey};
use statuspass_shared::token::{self, Fields, TokenHolder};
use statuspass_shared::KeyId;

use crate::configuration::Disclosure;
use crate::passes::{disclosed, Issued};
use crate::store::{token_keys, Db};

/// How long a retired key stays in `GET /api/keys`.
pub const RETIRED_PUBLISHED: Duration = Duration::days(7);

/// Why a token could not be made or the keys not read or changed.
#[derive(Debug, thiserror::Error)]
pub enum TokenKeyError {
    #[error("token keys: {0:#}")]
    Store(#[from] anyhow::Error),
    #[error("no current token key (the server creates one at start)")]
    NoCurrentKey,
    #[error("no next token key")]
    NoNextKey,
    #[error("a pass time does not fit a token (before 1970 or after 2106)")]
    TimeOutOfRange,
    #[error("drawing a token key: {0}")]
    Random(#[source] openssl::error::ErrorStack),
}

/// Creates the current and the next key unless the database holds a current key already
/// (several instances starting at once: the first insert of each id wins, all read it back).
pub async fn ensure_keys(db: &Db, now: DateTime<Utc>) -> Result<(), TokenKeyError> {
    if token_keys::current(db).await?.is_some() {
        return Ok(());
    }
    if token_keys::insert(db, KeyId(1), &random_key()?, Some(now), now).await? {
        tracing::info!(kid = 1, "generated the first token signing key");
    }
    token_keys::insert(db, KeyId(2), &random_key()?, None, now).await?;
    Ok(())
}

/// The fragment part `T…` for an issued pass: its kind, issue and expiry time and, where the
/// disclosure for the kind includes them, initials and birth year; signed with the current key.
/// `None` when the pass's data is gone (expired between two reads).
pub async fn part_for(
    db: &Db,
    issued: &Issued,
    disclosure: Disclosure,
) -> Result<Option<String>, TokenKeyError> {
    let Some(data) = &issued.data else {
        return Ok(None);
    };
    let current = token_keys::current(db)
        .await?
        .ok_or(TokenKeyError::NoCurrentKey)?;
    let (_, holder) = disclosed(data, disclosure);
    let secs = |t| token::unix_secs(t).ok_or(TokenKeyError::TimeOutOfRange);
    let fields = Fields {
        kind: data.kind,
        kid: current.kid,
        issued_at: secs(issued.issued_at)?,
        expires_at: secs(issued.pass.expires_at)?,
        holder: holder.as_ref().and_then(TokenHolder::from_holder),
    };
    Ok(Some(token::encode(&fields, &issued.pass.id, &current.key)))
}

/// The link with its token part: `{link}#T…`, or the bare link without a token.
pub fn link_with(link: String, part: Option<String>) -> String {
    match part {
        Some(part) => format!("{link}#{part}"),
        None => link,
    }
}

/// `GET /api/keys`: the next key, the current one and keys retired within
/// [`RETIRED_PUBLISHED`].
pub async fn key_list(db: &Db, now: DateTime<Utc>) -> Result<KeyList, TokenKeyError> {
    let keys = token_keys::published(db, now - RETIRED_PUBLISHED).await?;
    let current = keys
        .iter()
        .find(|k| k.valid_from.is_some() && k.valid_until.is_none())
        .ok_or(TokenKeyError::NoCurrentKey)?
        .kid;
    let next = keys
        .iter()
        .find(|k| k.valid_from.is_none())
        .ok_or(TokenKeyError::NoNextKey)?
        .kid;
    Ok(KeyList {
        keys,
        current,
        next,
    })
}

/// Every key the service ever had, retired ones included: the server re-checks tokens of
/// scans queued days ago (`POST /api/scan/batch`).
pub async fn every_key(db: &Db) -> Result<Vec<PublishedKey>, TokenKeyError> {
    Ok(token_keys::published(db, DateTime::UNIX_EPOCH).await?)
}

/// `statuspass keys rotate`: the next key signs from `now` on, a new next key is published.
/// Returns the new current and next ids.
pub async fn rotate(db: &Db, now: DateTime<Utc>) -> Result<(KeyId, KeyId), TokenKeyError> {
    Ok(token_keys::rotate(db, &random_key()?, now).await?)
}

/// A fresh key from the operating system's CSPRNG (through OpenSSL).
fn random_key() -> Result<SigningKey, TokenKeyError> {
    let mut seed = [0u8; 32];
    openssl::rand::rand_bytes(&mut seed).map_err(TokenKeyError::Random)?;
    Ok(SigningKey::from_bytes(&seed))
}
