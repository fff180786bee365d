//! The dynamic code of a «Цифровой ID» pass (SPEC §12): the QR on the holder's screen changes
//! every [`STEP_SECS`] seconds, computed on the device (also offline) from a per-pass secret the
//! server handed over at issue; a screenshot stops working within about a minute.
//!
//! The rotating part travels in the link's fragment (grammar in [`crate::link`]):
//! `{link}#{step}-{code}` with `step = floor(unix_time / 30)` in decimal and `code` an RFC
//! 6238-style TOTP: HMAC-SHA256 keyed with the secret over the 8-byte big-endian step, dynamic
//! truncation (RFC 4226 §5.3), [`DIGITS`] decimal digits with leading zeros.
//!
//! [`verify`] is the checker's rule: the current and the previous step are valid, plus a step
//! that starts within [`SKEW_AHEAD_MS`] (a phone clock slightly ahead); an older step is stale;
//! a step further in the future is stale too (only a phone with a wrong clock makes one, and
//! refreshing the screen — which re-syncs the clock with the server — is the fix); a code that
//! does not match the secret (another pass's secret, tampered, malformed) is wrong.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::Sha256;

use crate::link::{fragment_parts, FRAGMENT_SEPARATOR};

/// Seconds per step: the code changes this often.
pub const STEP_SECS: u64 = 30;
/// Decimal digits of a code.
pub const DIGITS: usize = 8;
/// Bytes of a per-pass secret.
pub const SECRET_LEN: usize = 32;
/// How far ahead of the checker's clock a step may start and still be valid.
pub const SKEW_AHEAD_MS: i64 = 5_000;

const STEP_MS: i64 = STEP_SECS as i64 * 1000;
/// SHA-256's block size: HMAC zero-pads shorter keys to it (RFC 2104 §2).
const HMAC_BLOCK: usize = 64;

type HmacSha256 = Hmac<Sha256>;

/// The per-pass secret; on the wire as 64 lowercase hex digits. `Debug` prints `***`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DynamicSecret([u8; SECRET_LEN]);

impl DynamicSecret {
    /// Wraps random bytes (the server draws them from a CSPRNG).
    pub fn from_bytes(bytes: [u8; SECRET_LEN]) -> Self {
        Self(bytes)
    }

    /// Parses the hex form; `None` unless it is exactly [`SECRET_LEN`] bytes of hex.
    pub fn from_hex(s: &str) -> Option<Self> {
        let mut bytes = [0; SECRET_LEN];
        hex::decode_to_slice(s, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// The hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for DynamicSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynamicSecret(***)")
    }
}

impl Serialize for DynamicSecret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for DynamicSecret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("a dynamic secret is {SECRET_LEN} bytes of hex"))
        })
    }
}

/// The step of the moment `unix_ms` (milliseconds since the Unix epoch); 0 before the epoch.
pub fn step_at(unix_ms: i64) -> u64 {
    u64::try_from(unix_ms.div_euclid(STEP_MS)).unwrap_or(0)
}

/// The code of `step` under `secret`.
pub fn code(secret: &DynamicSecret, step: u64) -> u32 {
    let mut key = [0u8; HMAC_BLOCK];
    key[..SECRET_LEN].copy_from_slice(&secret.0);
    let mut mac = <HmacSha256 as KeyInit>::new(&key.into());
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let word = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    word % 10u32.pow(DIGITS as u32)
}

/// The rotating part for the moment `unix_ms`: `{step}-{code}`.
pub fn fragment_at(secret: &DynamicSecret, unix_ms: i64) -> String {
    let step = step_at(unix_ms);
    format!("{step}-{:0width$}", code(secret, step), width = DIGITS)
}

/// What the holder's screen shows at `unix_ms`: the `link` of the issue answer with the
/// rotating part as the first part of its fragment, before the parts the link already carries
/// (the offline token): `{base}#{step}-{code}~{parts}`, or `{link}#{step}-{code}` for a bare
/// link.
pub fn code_link(link: &str, secret: &DynamicSecret, unix_ms: i64) -> String {
    let rotating = fragment_at(secret, unix_ms);
    match link.split_once('#') {
        Some((base, parts)) if !parts.is_empty() => {
            format!("{base}#{rotating}{FRAGMENT_SEPARATOR}{parts}")
        }
        Some((base, _)) => format!("{base}#{rotating}"),
        None => format!("{link}#{rotating}"),
    }
}

/// The checker's verdict on the rotating part of a scanned link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DynamicVerdict {
    /// Made with the pass's secret for the current or the previous step.
    Valid,
    /// Made with the pass's secret but for another time (a screenshot, a photo), or missing
    /// altogether (the bare link).
    Stale,
    /// Not made with this pass's secret, or not a rotating part at all.
    Wrong,
}

/// Checks the fragment of a scanned link (`None`: no fragment) against the pass's `secret` at
/// the checker's moment `now_ms`. The rotating part is the first fragment part that starts with
/// a digit; other parts are extensions and are ignored here.
pub fn verify(secret: &DynamicSecret, fragment: Option<&str>, now_ms: i64) -> DynamicVerdict {
    let Some(part) = fragment.and_then(|f| fragment_parts(f).find(|p| starts_with_digit(p))) else {
        return DynamicVerdict::Stale;
    };
    let Some((step, shown)) = parse_part(part) else {
        return DynamicVerdict::Wrong;
    };
    if code(secret, step) != shown {
        return DynamicVerdict::Wrong;
    }
    let current = step_at(now_ms);
    let newest = step_at(now_ms.saturating_add(SKEW_AHEAD_MS));
    if step.saturating_add(1) >= current && step <= newest {
        DynamicVerdict::Valid
    } else {
        DynamicVerdict::Stale
    }
}

fn starts_with_digit(part: &str) -> bool {
    part.as_bytes().first().is_some_and(u8::is_ascii_digit)
}

/// `{step}-{code}`: 1 to 20 digits, a dash, exactly [`DIGITS`] digits.
fn parse_part(part: &str) -> Option<(u64, u32)> {
    let (step, code) = part.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(step) || step.len() > 20 || !digits(code) || code.len() != DIGITS {
        return None;
    }
    Some((step.parse().ok()?, code.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(byte: u8) -> DynamicSecret {
        DynamicSecret::from_bytes([byte; SECRET_LEN])
    }

    /// RFC 6238 appendix B, SHA-256 key "12345678901234567890123456789012", 8 digits.
    #[test]
    fn codes_match_the_rfc_6238_sha256_test_vectors() {
        let key = DynamicSecret::from_bytes(*b"12345678901234567890123456789012");
        for (unix, expected) in [
            (59, 46119246),
            (1111111109, 68084774),
            (1111111111, 67062674),
            (1234567890, 91819424),
            (2000000000, 90698825),
            (20000000000, 77737706),
        ] {
            assert_eq!(code(&key, step_at(unix * 1000)), expected, "{unix}");
        }
    }

    #[test]
    fn fragments_carry_the_step_and_eight_digits() {
        let s = secret(7);
        let f = fragment_at(&s, 1_700_000_000_000);
        let (step, code) = f.split_once('-').unwrap();
        assert_eq!(step, (1_700_000_000u64 / 30).to_string());
        assert_eq!(code.len(), 8);
        assert_eq!(
            code_link("https://x.ru/somc2/abc", &s, 1_700_000_000_000),
            format!("https://x.ru/somc2/abc#{f}")
        );
    }

    #[test]
    fn the_rotating_part_goes_before_the_parts_a_link_already_carries() {
        let s = secret(7);
        let now = 1_700_000_000_000;
        let f = fragment_at(&s, now);
        assert_eq!(
            code_link("https://x.ru/somc2/abc#TABC", &s, now),
            format!("https://x.ru/somc2/abc#{f}~TABC")
        );
        assert_eq!(
            code_link("https://x.ru/somc2/abc#", &s, now),
            format!("https://x.ru/somc2/abc#{f}")
        );
        let shown = code_link("https://x.ru/somc2/abc#TABC~Xy", &s, now);
        let fragment = shown.split_once('#').unwrap().1;
        assert_eq!(verify(&s, Some(fragment), now), DynamicVerdict::Valid);
        assert_eq!(crate::token::find_part(fragment), Some("TABC"));
    }

    #[test]
    fn current_and_previous_steps_are_valid_older_ones_stale() {
        let s = secret(1);
        let now = 1_700_000_015_000; // 15 s into a step
        let at = |ms: i64| fragment_at(&s, ms);
        assert_eq!(verify(&s, Some(&at(now)), now), DynamicVerdict::Valid);
        assert_eq!(
            verify(&s, Some(&at(now - 30_000)), now),
            DynamicVerdict::Valid
        );
        assert_eq!(
            verify(&s, Some(&at(now - 60_000)), now),
            DynamicVerdict::Stale
        );
        assert_eq!(
            verify(&s, Some(&at(now - 70_000)), now),
            DynamicVerdict::Stale
        );
    }

    #[test]
    fn a_step_ahead_within_the_skew_is_valid_further_ones_stale() {
        let s = secret(2);
        let step_start = 1_700_000_010_000; // 1_700_000_010 is a multiple of 30
        assert_eq!(step_at(step_start) * 30, 1_700_000_010);
        let next = fragment_at(&s, step_start);
        assert_eq!(
            verify(&s, Some(&next), step_start - 4_000),
            DynamicVerdict::Valid
        );
        assert_eq!(
            verify(&s, Some(&next), step_start - 6_000),
            DynamicVerdict::Stale
        );
        let far = fragment_at(&s, step_start + 600_000);
        assert_eq!(verify(&s, Some(&far), step_start), DynamicVerdict::Stale);
    }

    #[test]
    fn another_secret_or_a_tampered_code_is_wrong_a_missing_one_stale() {
        let (s, other) = (secret(3), secret(4));
        let now = 1_700_000_000_000;
        let theirs = fragment_at(&other, now);
        assert_eq!(verify(&s, Some(&theirs), now), DynamicVerdict::Wrong);
        let mut tampered = fragment_at(&s, now).into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'9' {
            b'0'
        } else {
            tampered[last] + 1
        };
        let tampered = String::from_utf8(tampered).unwrap();
        assert_eq!(verify(&s, Some(&tampered), now), DynamicVerdict::Wrong);
        for junk in [
            "1-2",
            "12345678",
            "1-123456789",
            "99999999999999999999999-12345678",
        ] {
            assert_eq!(verify(&s, Some(junk), now), DynamicVerdict::Wrong, "{junk}");
        }
        assert_eq!(verify(&s, None, now), DynamicVerdict::Stale);
        for no_rotating_part in ["t1.abc", "", "-12345678"] {
            assert_eq!(
                verify(&s, Some(no_rotating_part), now),
                DynamicVerdict::Stale
            );
        }
    }

    #[test]
    fn extension_parts_after_the_rotating_part_are_ignored() {
        let s = secret(5);
        let now = 1_700_000_000_000;
        let f = format!("{}~t1.c2lnbmVk", fragment_at(&s, now));
        assert_eq!(verify(&s, Some(&f), now), DynamicVerdict::Valid);
        let f = format!("t1.c2lnbmVk~{}", fragment_at(&s, now));
        assert_eq!(verify(&s, Some(&f), now), DynamicVerdict::Valid);
    }

    #[test]
    fn secrets_travel_as_hex_and_do_not_print() {
        let s = secret(0xab);
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        assert_eq!(serde_json::from_str::<DynamicSecret>(&json).unwrap(), s);
        assert!(serde_json::from_str::<DynamicSecret>("\"abcd\"").is_err());
        assert_eq!(format!("{s:?}"), "DynamicSecret(***)");
    }
}
