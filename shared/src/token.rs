//! The signed offline token (issue 12, SPEC §13): what a scanner without network needs to
//! decide on a pass, signed by the service with Ed25519 over the pass id and those fields.
//!
//! It travels as an extension part of the link's fragment (grammar in [`crate::link`]):
//! [`PART_PREFIX`] followed by the [`crate::base32`] text of these bytes (version 1):
//!
//! ```text
//! offset size  field
//! 0      1     version = 1
//! 1      1     kind (low 4 bits, table in `kind_code`) | 0x80 when a holder follows; other bits 0
//! 2      2     key id (big-endian), the `kid` of `GET /api/keys`
//! 4      4     issued at, Unix seconds (big-endian, floor)
//! 8      4     expires at, Unix seconds (big-endian, floor: never later than the server's)
//! [holder, only when the operator's disclosure for the kind includes it:]
//! 12     1     n = bytes of the initials (1..=16)
//! 13     n     the initials' letters, UTF-8, 1 to 4 letters without dots («ИИИ»)
//! 13+n   2     birth year (big-endian)
//! end-64 64    Ed25519 signature over DOMAIN ‖ pass id (16 bytes) ‖ every byte above
//! ```
//!
//! 12 + 64 = 76 bytes (122 characters) without a holder, at most 12 + 19 + 64 = 95 bytes
//! with one; three Cyrillic initials make 85 bytes (136 characters). Decoding is strict (one
//! text per token), so any changed character either fails to decode or fails [`verify`].

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use crate::api::Holder;
use crate::base32;
use crate::ids::PassId;
use crate::keys::KeyId;
use crate::status::StatusKind;

/// The first character of the token's fragment part.
pub const PART_PREFIX: char = 'T';
/// The layout version this module writes and reads.
pub const VERSION: u8 = 1;
/// The most letters of initials a token carries (surname, name, patronymic; a fourth for
/// double names). More are dropped at encoding.
pub const MAX_INITIALS: usize = 4;

const SIGNATURE_LEN: usize = 64;
const HEADER_LEN: usize = 12;
const HOLDER_FLAG: u8 = 0x80;
const MAX_INITIALS_BYTES: usize = 16;
/// Separates what this service signs from any other use of the same key.
const DOMAIN: &[u8] = b"statuspass offline token v1\0";

/// What the checker may see of the bearer offline: initials' letters and birth year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenHolder {
    /// The letters only, upper case, at most [`MAX_INITIALS`] («ИИИ»).
    pub initials: String,
    pub birth_year: u16,
}

impl TokenHolder {
    /// From the holder as the scan answer shows it («И. И. И.», 1985); `None` for a birth
    /// year outside `u16` or no letter at all.
    pub fn from_holder(holder: &Holder) -> Option<Self> {
        let initials: String = holder
            .initials
            .chars()
            .filter(|c| c.is_alphabetic())
            .flat_map(char::to_uppercase)
            .take(MAX_INITIALS)
            .collect();
        let birth_year = u16::try_from(holder.birth_year).ok()?;
        (!initials.is_empty()).then_some(Self {
            initials,
            birth_year,
        })
    }

    /// As the scan answer shows it: «И. И. И.».
    pub fn to_holder(&self) -> Holder {
        let initials = self
            .initials
            .chars()
            .map(|c| format!("{c}."))
            .collect::<Vec<_>>()
            .join(" ");
        Holder {
            initials,
            birth_year: i32::from(self.birth_year),
        }
    }
}

/// The signed fields of a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    pub kind: StatusKind,
    /// The key that signs (or signed) the token.
    pub kid: KeyId,
    /// Unix seconds.
    pub issued_at: u32,
    /// Unix seconds; the pass is not valid from this second on.
    pub expires_at: u32,
    /// Only where the operator's disclosure for the kind includes it (never for «Цифровой ID»).
    pub holder: Option<TokenHolder>,
}

/// A decoded token: its fields and the signature still to be checked with [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub fields: Fields,
    signature: [u8; SIGNATURE_LEN],
}

/// Why a text is not a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("a token part starts with '{PART_PREFIX}'")]
    NotATokenPart,
    #[error("not base32 (upper case, no padding)")]
    NotBase32,
    #[error("token layout version {0} is unknown")]
    UnknownVersion(u8),
    #[error("the token is cut short")]
    Truncated,
    #[error("the token carries bytes after its signature")]
    TrailingBytes,
    #[error("unknown status kind {0} or flags in the token")]
    BadKind(u8),
    #[error("the token's initials are not 1 to {MAX_INITIALS} letters")]
    BadInitials,
}

/// The fragment part (`T…`) of `fields` for the pass `id`, signed with `key`.
pub fn encode(fields: &Fields, id: &PassId, key: &SigningKey) -> String {
    let body = body_bytes(fields);
    let signature = key.sign(&message(id, &body));
    let mut bytes = body;
    bytes.extend_from_slice(&signature.to_bytes());
    format!("{PART_PREFIX}{}", base32::encode(&bytes))
}

/// Reads a fragment part written by [`encode`]; the signature is not checked here.
pub fn decode(part: &str) -> Result<Token, TokenError> {
    let text = part
        .strip_prefix(PART_PREFIX)
        .ok_or(TokenError::NotATokenPart)?;
    let bytes = base32::decode(text).ok_or(TokenError::NotBase32)?;
    let version = *bytes.first().ok_or(TokenError::Truncated)?;
    if version != VERSION {
        return Err(TokenError::UnknownVersion(version));
    }
    let body_len = bytes
        .len()
        .checked_sub(SIGNATURE_LEN)
        .ok_or(TokenError::Truncated)?;
    let (body, signature) = bytes.split_at(body_len);
    let mut reader = Reader(body);
    reader.take(1)?;
    let kind_byte = reader.byte()?;
    let kind = kind_of(kind_byte & !HOLDER_FLAG).ok_or(TokenError::BadKind(kind_byte))?;
    let kid = KeyId(u16::from_be_bytes(reader.array()?));
    let issued_at = u32::from_be_bytes(reader.array()?);
    let expires_at = u32::from_be_bytes(reader.array()?);
    let holder = if kind_byte & HOLDER_FLAG == 0 {
        None
    } else {
        let n = usize::from(reader.byte()?);
        let initials = std::str::from_utf8(reader.take(n)?).map_err(|_| TokenError::BadInitials)?;
        let letters = initials.chars().count();
        if n > MAX_INITIALS_BYTES
            || !(1..=MAX_INITIALS).contains(&letters)
            || !initials.chars().all(char::is_alphabetic)
        {
            return Err(TokenError::BadInitials);
        }
        Some(TokenHolder {
            initials: initials.to_owned(),
            birth_year: u16::from_be_bytes(reader.array()?),
        })
    };
    if !reader.0.is_empty() {
        return Err(TokenError::TrailingBytes);
    }
    let signature = signature.try_into().map_err(|_| TokenError::Truncated)?;
    Ok(Token {
        fields: Fields {
            kind,
            kid,
            issued_at,
            expires_at,
            holder,
        },
        signature,
    })
}

/// Whether `token` was signed for the pass `id` by the holder of `key` (strict Ed25519:
/// no malleable signatures, no weak keys).
pub fn verify(token: &Token, id: &PassId, key: &VerifyingKey) -> bool {
    let signature = Signature::from_bytes(&token.signature);
    key.verify_strict(&message(id, &body_bytes(&token.fields)), &signature)
        .is_ok()
}

/// Why a link's token does not vouch for its pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unvouched {
    /// No token part in the fragment (an old-style link).
    NoToken,
    /// The token part does not decode, its signature is wrong, or its key had stopped signing
    /// by the token's issue time.
    Forged,
    /// No key of the list has the token's key id.
    UnknownKey,
}

/// The signed fields of the token in `fragment` when a key of `keys` signed it for the pass
/// `id` within that key's signing period. The expiry is left to the caller: it depends on
/// whose clock and which moment (the scanner's now, or a queued scan's time on the server).
pub fn vouched(
    id: &PassId,
    fragment: Option<&str>,
    keys: &[crate::keys::PublishedKey],
) -> Result<Fields, Unvouched> {
    let part = fragment.and_then(find_part).ok_or(Unvouched::NoToken)?;
    let token = decode(part).map_err(|_| Unvouched::Forged)?;
    let fields = token.fields.clone();
    let published = keys
        .iter()
        .find(|k| k.kid == fields.kid)
        .ok_or(Unvouched::UnknownKey)?;
    let key = published.verifying_key().ok_or(Unvouched::UnknownKey)?;
    let issued_at = chrono::DateTime::from_timestamp(i64::from(fields.issued_at), 0);
    if !verify(&token, id, &key) || !issued_at.is_some_and(|t| published.signed_at(t)) {
        return Err(Unvouched::Forged);
    }
    Ok(fields)
}

/// The token part of a fragment (the first part starting with [`PART_PREFIX`]), if any.
pub fn find_part(fragment: &str) -> Option<&str> {
    crate::link::fragment_parts(fragment).find(|p| p.starts_with(PART_PREFIX))
}

/// Unix seconds of `t` as a token holds them; `None` before 1970 or after 2106.
pub fn unix_secs(t: chrono::DateTime<chrono::Utc>) -> Option<u32> {
    u32::try_from(t.timestamp()).ok()
}

/// Every byte before the signature.
fn body_bytes(fields: &Fields) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 3 + MAX_INITIALS_BYTES);
    let flag = if fields.holder.is_some() {
        HOLDER_FLAG
    } else {
        0
    };
    out.push(VERSION);
    out.push(kind_code(fields.kind) | flag);
    out.extend_from_slice(&fields.kid.0.to_be_bytes());
    out.extend_from_slice(&fields.issued_at.to_be_bytes());
    out.extend_from_slice(&fields.expires_at.to_be_bytes());
    if let Some(holder) = &fields.holder {
        let mut initials = String::new();
        for c in holder.initials.chars().take(MAX_INITIALS) {
            if initials.len() + c.len_utf8() <= MAX_INITIALS_BYTES {
                initials.push(c);
            }
        }
        out.push(u8::try_from(initials.len()).unwrap_or(0));
        out.extend_from_slice(initials.as_bytes());
        out.extend_from_slice(&holder.birth_year.to_be_bytes());
    }
    out
}

fn message(id: &PassId, body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(DOMAIN.len() + 16 + body.len());
    m.extend_from_slice(DOMAIN);
    m.extend_from_slice(id.uuid().as_bytes());
    m.extend_from_slice(body);
    m
}

/// The kind's code in the token: fixed here, never the enum's order.
fn kind_code(kind: StatusKind) -> u8 {
    match kind {
        StatusKind::SvoParticipant => 0,
        StatusKind::SvoFamily => 1,
        StatusKind::Adult => 2,
        StatusKind::Student => 3,
        StatusKind::LargeFamily => 4,
    }
}

fn kind_of(code: u8) -> Option<StatusKind> {
    StatusKind::ALL.into_iter().find(|k| kind_code(*k) == code)
}

/// Reads a byte slice front to back.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], TokenError> {
        if self.0.len() < n {
            return Err(TokenError::Truncated);
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn byte(&mut self) -> Result<u8, TokenError> {
        Ok(self.take(1)?[0])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], TokenError> {
        self.take(N)?.try_into().map_err(|_| TokenError::Truncated)
    }
}

#[cfg(test)]
mod tests;
