//! The Ministry of Defence registry ("витрина Минобороны"): is this person a participant?
//!
//! One trait, two adapters: [`demo::DemoRegistry`] (data file shipped in the repo) and
//! [`http::HttpRegistry`]. An adapter answers *found*, *not found* or fails with
//! [`RegistryError::Unavailable`]; anything uncertain is unavailable, never "not found".

pub mod demo;
pub mod http;

use async_trait::async_trait;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use statuspass_shared::api::Holder;
use statuspass_shared::Snils;

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
}

impl std::fmt::Debug for RegistryRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RegistryRecord(***)")
    }
}

impl RegistryRecord {
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

/// The registry's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(RegistryRecord),
    NotFound,
}

/// The registry could not give a definite answer.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("registry unavailable: {0}")]
    Unavailable(String),
}

/// A source of participant data.
#[async_trait]
pub trait Registry: Send + Sync + 'static {
    /// Asks about one person.
    async fn lookup(&self, snils: &Snils) -> Result<Lookup, RegistryError>;
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
    }
}
