//! Reading RFC 3339 timestamps with chrono's own RFC 3339 parser.
//!
//! chrono's serde impl goes through `FromStr`, which links its whole format-string parser
//! into every wasm app that reads a date (~17 KB before compression). The answers the PWA
//! reads carry their dates through these instead; request bodies the server reads keep
//! chrono's own (more lenient) impl.

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::{de::Error, Deserialize, Deserializer};

fn parse<Tz: TimeZone, E: Error>(text: &str) -> Result<DateTime<Tz>, E>
where
    DateTime<Tz>: From<DateTime<FixedOffset>>,
{
    DateTime::parse_from_rfc3339(text)
        .map(Into::into)
        .map_err(E::custom)
}

/// `#[serde(deserialize_with = "crate::rfc3339::deserialize")]`.
pub(crate) fn deserialize<'de, D: Deserializer<'de>, Tz: TimeZone>(
    d: D,
) -> Result<DateTime<Tz>, D::Error>
where
    DateTime<Tz>: From<DateTime<FixedOffset>>,
{
    parse(&String::deserialize(d)?)
}

/// The same for an optional date (`null` or absent is `None`; pair with `#[serde(default)]`).
pub(crate) fn deserialize_option<'de, D: Deserializer<'de>, Tz: TimeZone>(
    d: D,
) -> Result<Option<DateTime<Tz>>, D::Error>
where
    DateTime<Tz>: From<DateTime<FixedOffset>>,
{
    Option::<String>::deserialize(d)?
        .map(|t| parse(&t))
        .transpose()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Dates {
        #[serde(deserialize_with = "super::deserialize")]
        at: chrono::DateTime<Utc>,
        #[serde(default, deserialize_with = "super::deserialize_option")]
        until: Option<chrono::DateTime<chrono::FixedOffset>>,
    }

    #[test]
    fn reads_rfc3339_in_any_offset_and_refuses_other_forms() {
        let d: Dates = serde_json::from_str(r#"{"at":"2026-12-07T18:00:00+03:00"}"#).unwrap();
        assert_eq!(d.at.to_rfc3339(), "2026-12-07T15:00:00+00:00");
        assert_eq!(d.until, None);
        let d: Dates = serde_json::from_str(
            r#"{"at":"2026-12-07T15:00:00.5Z","until":"2026-12-08T00:00:00+03:00"}"#,
        )
        .unwrap();
        assert_eq!(d.until.unwrap().offset().local_minus_utc(), 3 * 3600);
        let d: Dates =
            serde_json::from_str(r#"{"at":"2026-12-07T15:00:00Z","until":null}"#).unwrap();
        assert_eq!(d.until, None);
        for bad in [
            r#"{"at":"07.12.2026"}"#,
            r#"{"at":"2026-12-07 15:00"}"#,
            r#"{"at":1}"#,
        ] {
            assert!(serde_json::from_str::<Dates>(bad).is_err(), "{bad}");
        }
    }
}
