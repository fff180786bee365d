//! Validated identifiers. Each newtype checks its input on construction, so an invalid value
//! cannot exist past the edge of the system.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use uuid::Uuid;

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected {expected} digits, got {got} characters")]
    Length { expected: usize, got: usize },
    #[error("only the digits 0-9 are allowed")]
    NotDigits,
    #[error("the check digit does not match")]
    Checksum,
    #[error("not a UUID in canonical hyphenated form")]
    NotUuid,
    #[error("not a version 4 (random) UUID")]
    NotV4,
}

fn digits<const N: usize>(s: &str) -> Result<[u8; N], IdError> {
    let bytes = s.as_bytes();
    if bytes.len() != N {
        return Err(IdError::Length {
            expected: N,
            got: s.chars().count(),
        });
    }
    let mut out = [0u8; N];
    for (slot, b) in out.iter_mut().zip(bytes) {
        if !b.is_ascii_digit() {
            return Err(IdError::NotDigits);
        }
        *slot = b - b'0';
    }
    Ok(out)
}

/// Implements `Display`, `FromStr`, `Serialize` and `Deserialize` through `parse`/`as_str`,
/// so every way into the type validates.
macro_rules! string_newtype {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = String::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// ОГРН: the 13-digit primary state registration number of a Russian organization.
/// Check digit: digit 13 = (first 12 digits as a number mod 11) mod 10.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ogrn(String);

impl Ogrn {
    /// Validates length, digits and the check digit.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d = digits::<13>(s)?;
        let body = d[..12].iter().fold(0u64, |acc, &x| acc * 10 + u64::from(x));
        if (body % 11 % 10) as u8 != d[12] {
            return Err(IdError::Checksum);
        }
        Ok(Self(s.to_owned()))
    }

    /// The 13 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype!(Ogrn);

/// СНИЛС: the 11-digit individual insurance account number (9 digits + 2 check digits).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Snils(String);

impl Snils {
    /// Validates length, digits and the check number. The check number applies to all numbers
    /// above 001-001-998 (smaller ones were issued before the checksum existed).
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let d = digits::<11>(s)?;
        let body = d[..9].iter().fold(0u32, |acc, &x| acc * 10 + u32::from(x));
        let check = u32::from(d[9]) * 10 + u32::from(d[10]);
        if body > 1_001_998 && Self::check_number(&d) != check {
            return Err(IdError::Checksum);
        }
        Ok(Self(s.to_owned()))
    }

    /// Like [`Snils::parse`], also accepting the printed form `112-233-445 95` (hyphens and
    /// spaces between the groups), as identity providers hand it over.
    pub fn parse_printed(s: &str) -> Result<Self, IdError> {
        let s = s.trim();
        let digits: String = s.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if digits.len() != 11 || s.len() > 14 {
            return Err(IdError::Length {
                expected: 11,
                got: digits.chars().count(),
            });
        }
        Self::parse(&digits)
    }

    fn check_number(d: &[u8; 11]) -> u32 {
        let sum: u32 = d[..9]
            .iter()
            .enumerate()
            .map(|(i, &x)| u32::from(x) * (9 - i as u32))
            .sum();
        match sum {
            s if s < 100 => s,
            100 | 101 => 0,
            s => match s % 101 {
                100 => 0,
                r => r,
            },
        }
    }

    /// The 11 digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
string_newtype!(Snils);

/// A SNILS is personal data: its `Debug` never prints the number, so it cannot leak into logs.
impl fmt::Debug for Snils {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Snils(***)")
    }
}

/// The id of an issued pass: a random (version 4) UUID, written in canonical hyphenated form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PassId(Uuid);

impl PassId {
    /// A fresh random id.
    pub fn new_random() -> Self {
        Self(Uuid::new_v4())
    }

    /// Accepts exactly the 36-character hyphenated form (either case) of a version 4 UUID with
    /// the RFC 4122 variant. Braces, URNs, the simple 32-digit form and other versions are refused.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let b = s.as_bytes();
        let shape_ok = b.len() == 36
            && b.iter().enumerate().all(|(i, c)| match i {
                8 | 13 | 18 | 23 => *c == b'-',
                _ => c.is_ascii_hexdigit(),
            });
        if !shape_ok {
            return Err(IdError::NotUuid);
        }
        let uuid = Uuid::parse_str(s).map_err(|_| IdError::NotUuid)?;
        if uuid.get_version() != Some(uuid::Version::Random)
            || uuid.get_variant() != uuid::Variant::RFC4122
        {
            return Err(IdError::NotV4);
        }
        Ok(Self(uuid))
    }

    /// The underlying UUID.
    pub fn uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for PassId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl FromStr for PassId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for PassId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PassId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ogrn_check(body: u64) -> u8 {
        (body % 11 % 10) as u8
    }

    #[test]
    fn known_ogrns_are_accepted() {
        // Sberbank and Gazprom, published numbers.
        assert!(Ogrn::parse("1027700132195").is_ok());
        assert!(Ogrn::parse("1027700070518").is_ok());
    }

    #[test]
    fn ogrn_with_wrong_check_digit_is_refused() {
        assert_eq!(Ogrn::parse("1027700132196"), Err(IdError::Checksum));
        assert!(matches!(
            Ogrn::parse("102770013219"),
            Err(IdError::Length { .. })
        ));
        assert_eq!(Ogrn::parse("10277001321a5"), Err(IdError::NotDigits));
        assert!(Ogrn::parse("１０27700132195").is_err());
    }

    #[test]
    fn known_snils_are_accepted_and_checked() {
        // Example numbers from the Pension Fund's description of the algorithm.
        assert!(Snils::parse("11223344595").is_ok());
        assert!(Snils::parse("08765430300").is_ok());
        assert_eq!(Snils::parse("11223344596"), Err(IdError::Checksum));
        assert_eq!(
            Snils::parse("112-233-445 95"),
            Err(IdError::Length {
                expected: 11,
                got: 14
            })
        );
    }

    #[test]
    fn snils_printed_form_is_normalised_and_checked() {
        assert_eq!(
            Snils::parse_printed("112-233-445 95").unwrap().as_str(),
            "11223344595"
        );
        assert_eq!(
            Snils::parse_printed(" 11223344595 ").unwrap().as_str(),
            "11223344595"
        );
        assert_eq!(
            Snils::parse_printed("123-456-789 00"),
            Err(IdError::Checksum)
        );
        assert!(Snils::parse_printed("112-233-445 9").is_err());
        assert!(Snils::parse_printed("1-1-2-2-3-3-4-4-5-9-5").is_err());
        assert!(Snils::parse_printed("112.233.445 95").is_err());
    }

    #[test]
    fn snils_debug_hides_the_number() {
        let s = Snils::parse("11223344595").unwrap();
        assert!(!format!("{s:?}").contains("112"));
    }

    #[test]
    fn pass_id_accepts_only_v4_hyphenated() {
        let id = PassId::new_random();
        assert_eq!(PassId::parse(&id.to_string()), Ok(id));
        assert_eq!(
            PassId::parse(&id.to_string().to_uppercase()),
            Ok(id),
            "case of hex digits does not matter"
        );
        assert_eq!(
            PassId::parse(&id.uuid().simple().to_string()),
            Err(IdError::NotUuid)
        );
        assert_eq!(PassId::parse(&format!("{{{id}}}")), Err(IdError::NotUuid));
        assert_eq!(
            PassId::parse("00000000-0000-0000-0000-000000000000"),
            Err(IdError::NotV4)
        );
        // version 1
        assert_eq!(
            PassId::parse("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            Err(IdError::NotV4)
        );
        assert_eq!(PassId::parse(&format!(" {id}")), Err(IdError::NotUuid));
    }

    proptest! {
        #[test]
        fn any_12_digit_body_with_its_check_digit_is_a_valid_ogrn(body in 0u64..1_000_000_000_000) {
            let s = format!("{body:012}{}", ogrn_check(body));
            let ogrn = Ogrn::parse(&s).unwrap();
            prop_assert_eq!(ogrn.as_str(), s.as_str());
        }

        #[test]
        fn any_other_check_digit_is_refused(body in 0u64..1_000_000_000_000, wrong in 0u8..10) {
            prop_assume!(wrong != ogrn_check(body));
            prop_assert_eq!(Ogrn::parse(&format!("{body:012}{wrong}")), Err(IdError::Checksum));
        }

        #[test]
        fn ogrn_parse_never_panics(s in "\\PC*") {
            let _ = Ogrn::parse(&s);
        }

        #[test]
        fn exactly_one_snils_check_number_fits_each_body(body in 1_001_999u32..1_000_000_000) {
            let valid: Vec<u32> = (0..100)
                .filter(|c| Snils::parse(&format!("{body:09}{c:02}")).is_ok())
                .collect();
            prop_assert_eq!(valid.len(), 1);
        }

        #[test]
        fn snils_parse_never_panics(s in "\\PC*") {
            let _ = Snils::parse(&s);
        }

        #[test]
        fn pass_id_round_trips(bytes in any::<[u8; 16]>()) {
            let id = PassId(uuid::Builder::from_random_bytes(bytes).into_uuid());
            prop_assert_eq!(PassId::parse(&id.to_string()), Ok(id));
        }

        #[test]
        fn pass_id_parse_never_panics(s in "\\PC*") {
            let _ = PassId::parse(&s);
        }
    }
}
