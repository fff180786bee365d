//! The offline tokens' signing keys in the database (table `token_keys`, migration 0006): the
//! current key, the next one and retired ones. Every instance reads the same rows, so they all
//! sign with the same key and a rotation is seen by all at their next issue.

use anyhow::Context;
use chrono::{DateTime, Utc};
use ed25519_dalek::SigningKey;
use sqlx::Row;
use statuspass_shared::keys::{public_key_hex, PublishedKey};
use statuspass_shared::KeyId;

use super::{from_millis, to_millis, Db};

/// A signing key with its id. `Debug` does not print the key.
pub struct KeyPair {
    pub kid: KeyId,
    pub key: SigningKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyPair({}, ***)", self.kid)
    }
}

/// The key that signs now (the newest with `valid_from` set and no `valid_until`).
#[tracing::instrument(skip_all)]
pub async fn current(db: &Db) -> anyhow::Result<Option<KeyPair>> {
    let row = sqlx::query(
        "SELECT kid, secret FROM token_keys WHERE valid_from IS NOT NULL \
         AND valid_until IS NULL ORDER BY kid DESC LIMIT 1",
    )
    .fetch_optional(db.pool())
    .await
    .context("reading the current token key")?;
    row.map(|row| {
        let kid = kid_of(row.try_get("kid")?)?;
        let secret: String = row.try_get("secret")?;
        let mut seed = [0u8; 32];
        hex::decode_to_slice(secret.trim(), &mut seed)
            .with_context(|| format!("token key {kid} is corrupt"))?;
        Ok(KeyPair {
            kid,
            key: SigningKey::from_bytes(&seed),
        })
    })
    .transpose()
}

/// Every key not retired before `retired_since`, newest first.
#[tracing::instrument(skip_all)]
pub async fn published(db: &Db, retired_since: DateTime<Utc>) -> anyhow::Result<Vec<PublishedKey>> {
    let rows = sqlx::query(
        "SELECT kid, public_key, valid_from, valid_until FROM token_keys \
         WHERE valid_until IS NULL OR valid_until > $1 ORDER BY kid DESC",
    )
    .bind(to_millis(retired_since))
    .fetch_all(db.pool())
    .await
    .context("reading the token keys")?;
    rows.iter()
        .map(|row| {
            Ok(PublishedKey {
                kid: kid_of(row.try_get("kid")?)?,
                public_key: row.try_get("public_key")?,
                valid_from: row
                    .try_get::<Option<i64>, _>("valid_from")?
                    .map(from_millis),
                valid_until: row
                    .try_get::<Option<i64>, _>("valid_until")?
                    .map(from_millis),
            })
        })
        .collect()
}

/// Stores `key` as `kid`, signing from `valid_from` (`None`: the next key); does nothing when
/// `kid` exists (another instance was first). Returns whether it was stored.
#[tracing::instrument(skip(db, key))]
pub async fn insert(
    db: &Db,
    kid: KeyId,
    key: &SigningKey,
    valid_from: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO token_keys (kid, secret, public_key, created_at, valid_from) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kid) DO NOTHING",
    )
    .bind(i64::from(kid.0))
    .bind(hex::encode(key.to_bytes()))
    .bind(public_key_hex(&key.verifying_key()))
    .bind(to_millis(now))
    .bind(valid_from.map(to_millis))
    .execute(db.pool())
    .await
    .context("storing a token key")?;
    Ok(done.rows_affected() == 1)
}

/// Retires the current key, promotes the next one and stores `new_next` after it, in one
/// transaction. Returns the promoted kid and the new next kid.
#[tracing::instrument(skip(db, new_next))]
pub async fn rotate(
    db: &Db,
    new_next: &SigningKey,
    now: DateTime<Utc>,
) -> anyhow::Result<(KeyId, KeyId)> {
    let mut tx = db.pool().begin().await?;
    let next: Option<i64> = sqlx::query(
        "SELECT kid FROM token_keys WHERE valid_from IS NULL ORDER BY kid DESC LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|row| row.try_get("kid"))
    .transpose()?;
    let next = next.context("no next token key to promote (start the server once first)")?;
    let now_ms = to_millis(now);
    sqlx::query(
        "UPDATE token_keys SET valid_until = $1 WHERE valid_from IS NOT NULL \
         AND valid_until IS NULL",
    )
    .bind(now_ms)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE token_keys SET valid_from = $1 WHERE kid = $2")
        .bind(now_ms)
        .bind(next)
        .execute(&mut *tx)
        .await?;
    let new_kid = kid_of(next + 1).context("token key ids are used up")?;
    sqlx::query(
        "INSERT INTO token_keys (kid, secret, public_key, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(i64::from(new_kid.0))
    .bind(hex::encode(new_next.to_bytes()))
    .bind(public_key_hex(&new_next.verifying_key()))
    .bind(now_ms)
    .execute(&mut *tx)
    .await
    .context("storing the new next token key")?;
    tx.commit().await?;
    Ok((kid_of(next)?, new_kid))
}

fn kid_of(stored: i64) -> anyhow::Result<KeyId> {
    Ok(KeyId(u16::try_from(stored).with_context(|| {
        format!("token key id {stored} out of range")
    })?))
}
