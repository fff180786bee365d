//! The service's token signing keys as `GET /api/keys` publishes them (issue 12): the key
//! that signs now, the next one (published ahead of use, so a scanner has it before its first
//! token), and retired ones while tokens they signed may still be shown.

use chrono::{DateTime, Utc};
use ed25519_dalek::VerifyingKey;
use serde::{Deserialize, Serialize};

#[cfg(feature = "server")]
use utoipa::ToSchema;

/// A signing key's id: the `kid` of the key list, two bytes in a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(transparent)]
pub struct KeyId(pub u16);

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// One published public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct PublishedKey {
    #[cfg_attr(feature = "server", schema(value_type = u16))]
    pub kid: KeyId,
    /// The Ed25519 public key, 32 bytes as 64 lowercase hex digits.
    pub public_key: String,
    /// Since when the key signs; `null` for the next key (it signs from the next rotation on).
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub valid_from: Option<DateTime<Utc>>,
    /// When the key stopped signing (a retired key); `null` while it signs or is next. Tokens
    /// it signed before then verify with it until they expire.
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub valid_until: Option<DateTime<Utc>>,
}

impl PublishedKey {
    /// The public key, if [`PublishedKey::public_key`] is one.
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(&self.public_key, &mut bytes).ok()?;
        VerifyingKey::from_bytes(&bytes).ok()
    }

    /// Whether a token this key signed at `issued_at` is within its signing period.
    pub fn signed_at(&self, issued_at: DateTime<Utc>) -> bool {
        self.valid_until.is_none_or(|until| issued_at <= until)
    }
}

/// `GET /api/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct KeyList {
    /// Newest first: the next key, the current one, then retired ones.
    pub keys: Vec<PublishedKey>,
    /// The key that signs new tokens now.
    #[cfg_attr(feature = "server", schema(value_type = u16))]
    pub current: KeyId,
    /// The key that signs after the next rotation.
    #[cfg_attr(feature = "server", schema(value_type = u16))]
    pub next: KeyId,
}

impl KeyList {
    /// The published key `kid`, if any.
    pub fn get(&self, kid: KeyId) -> Option<&PublishedKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }
}

/// The hex form of a public key, as [`PublishedKey::public_key`] holds it.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}
