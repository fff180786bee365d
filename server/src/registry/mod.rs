//! Registries keyed by SNILS: the Ministry of Defence registry ("витрина Минобороны": is this
//! person a participant, or a member of a participant's family?), an education registry (a
//! student?) and a social-support registry (a large family?).
//!
//! One trait, [`Registry`], generic over what a registry answers (the Ministry's
//! [`RegistryRecord`], or the bare [`Confirmed`] of the others); two adapters each:
//! [`demo::DemoRegistry`] (data file shipped in the repo) and [`http::HttpRegistry`] (its own
//! base URL and timeout per registry). An adapter answers *found*, *not found* or fails with
//! [`RegistryError::Unavailable`]; anything uncertain is unavailable, never "not found".
//! [`source`] turns registries (and the adult rule) into one [`source::StatusSource`] per kind.

pub mod demo;
pub mod http;
pub mod source;

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use statuspass_shared::api::Holder;
use statuspass_shared::{Snils, StatusKind};

/// What the registry holds about a participant. Personal data: kept with the pass for its
/// lifetime only, never logged (`Debug` is redacted).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryRecord {
    pub surname: String,
    pub name: String,
    pub patronymic: Option<String>,
    pub birth_date: NaiveDate,
    /// The confirmed status, e.g. «участник СВО».
    pub status: String,
    /// Which status the record confirms: `svo_participant` or `svo_family`; absent means
    /// `svo_participant` (the protocol before family members).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<StatusKind>,
}

impl std::fmt::Debug for RegistryRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegistryRecord(***)")
    }
}

impl RegistryRecord {
    /// The status this record confirms.
    pub fn kind(&self) -> StatusKind {
        self.kind.unwrap_or(StatusKind::SvoParticipant)
    }

    /// Initials (first letters of surname, name, patronymic) and birth year, as the COVID-era
    /// check showed them.
    pub fn holder(&self) -> Holder {
        let initials = [
            Some(&self.surname),
            Some(&self.name),
            self.patronymic.as_ref(),
        ]
        .into_iter()
        .flatten()
        .filter_map(|part| part.trim().chars().next())
        .map(|c| format!("{}.", c.to_uppercase()))
        .collect::<Vec<_>>()
        .join(" ");
        Holder {
            initials,
            birth_year: self.birth_date.year(),
        }
    }
}

/// What the education and social-support registries answer for a person they know: a JSON
/// object whose fields are not read, so nothing personal is kept for those statuses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Confirmed {}

/// A registry's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<R = RegistryRecord> {
    Found(R),
    NotFound,
}

/// The registry could not give a definite answer.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("registry unavailable: {0}")]
    Unavailable(String),
}

/// A registry keyed by SNILS; `R` is what it answers for a person it knows (default: the
/// Ministry of Defence record).
#[async_trait]
pub trait Registry<R = RegistryRecord>: Send + Sync + 'static {
    /// Asks about one person.
    async fn lookup(&self, snils: &Snils) -> Result<Lookup<R>, RegistryError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holder_shows_initials_and_birth_year_only() {
        let r = RegistryRecord {
            surname: "Иванов".into(),
            name: "иван".into(),
            patronymic: Some("Иванович".into()),
            birth_date: NaiveDate::from_ymd_opt(1985, 3, 14).unwrap(),
            status: "участник СВО".into(),
            kind: None,
        };
        assert_eq!(
            r.holder(),
            Holder {
                initials: "И. И. И.".into(),
                birth_year: 1985
            }
        );
        let no_patronymic = RegistryRecord {
            patronymic: None,
            ..r
        };
        assert_eq!(no_patronymic.holder().initials, "И. И.");
        assert_eq!(format!("{no_patronymic:?}"), "RegistryRecord(***)");
        assert_eq!(no_patronymic.kind(), StatusKind::SvoParticipant);
    }
}
