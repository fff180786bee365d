//! One source per status kind, behind one trait ([`StatusSource`]): does this person hold the
//! status? The СВО statuses ask the Ministry of Defence registry, `student` the education
//! registry, `large_family` the social-support registry; `adult` asks nobody: it is decided from
//! the confirmed birth date on the day of issue in the service time zone.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{Months, NaiveDate};
use statuspass_shared::{Snils, StatusKind};

use super::{Confirmed, Lookup, Registry, RegistryError, RegistryRecord};
use crate::clock::Clock;

/// Who asks: what the identity provider vouched for.
#[derive(Debug, Clone, Copy)]
pub struct Applicant<'a> {
    pub snils: &'a Snils,
    /// The confirmed birth date, when the identity provider gave one.
    pub birthdate: Option<NaiveDate>,
}

/// A source's definite answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The person holds the status. `record`: what the checker may be shown of them (the
    /// Ministry's record, СВО statuses only; `None` for the «Цифровой ID» statuses).
    Holds { record: Option<RegistryRecord> },
    /// The person does not hold the status.
    DoesNotHold,
}

/// A source could not answer.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// Timeout, outage, garbage: never "does not hold".
    #[error(transparent)]
    Unavailable(#[from] RegistryError),
    /// `adult` without a confirmed birth date: neither yes nor no.
    #[error("no confirmed birth date to decide the adult status")]
    NoBirthDate,
}

/// Does a person hold one status?
#[async_trait]
pub trait StatusSource: Send + Sync + 'static {
    /// Asks about `applicant`.
    async fn check(&self, applicant: &Applicant<'_>) -> Result<Check, SourceError>;
}

/// `svo_participant` or `svo_family` from the Ministry of Defence registry: its record names
/// the status it confirms (a record without a kind is a participant).
pub struct MinistrySource {
    registry: Arc<dyn Registry>,
    kind: StatusKind,
}

#[async_trait]
impl StatusSource for MinistrySource {
    async fn check(&self, applicant: &Applicant<'_>) -> Result<Check, SourceError> {
        Ok(match self.registry.lookup(applicant.snils).await? {
            Lookup::Found(record) if record.kind() == self.kind => Check::Holds {
                record: Some(record),
            },
            Lookup::Found(_) | Lookup::NotFound => Check::DoesNotHold,
        })
    }
}

/// `student` or `large_family` from a registry that answers a bare yes.
pub struct RegistrySource {
    registry: Arc<dyn Registry<Confirmed>>,
}

#[async_trait]
impl StatusSource for RegistrySource {
    async fn check(&self, applicant: &Applicant<'_>) -> Result<Check, SourceError> {
        Ok(match self.registry.lookup(applicant.snils).await? {
            Lookup::Found(Confirmed {}) => Check::Holds { record: None },
            Lookup::NotFound => Check::DoesNotHold,
        })
    }
}

/// `adult`: 18 or older today (service time zone).
pub struct AdultRule {
    clock: Arc<dyn Clock>,
    timezone: chrono_tz::Tz,
}

/// Age of majority.
const ADULT_YEARS: u32 = 18;

/// Whether someone born on `birthdate` is of age on `day`: from the 18th birthday on. Born on
/// 29 February: of age on 28 February of a common year (the last day of the month, as the Civil
/// Code counts periods in months, art. 192).
pub fn is_adult_on(birthdate: NaiveDate, day: NaiveDate) -> bool {
    birthdate
        .checked_add_months(Months::new(ADULT_YEARS * 12))
        .is_some_and(|of_age| of_age <= day)
}

#[async_trait]
impl StatusSource for AdultRule {
    async fn check(&self, applicant: &Applicant<'_>) -> Result<Check, SourceError> {
        let birthdate = applicant.birthdate.ok_or(SourceError::NoBirthDate)?;
        let today = self.clock.now().with_timezone(&self.timezone).date_naive();
        Ok(if is_adult_on(birthdate, today) {
            Check::Holds { record: None }
        } else {
            Check::DoesNotHold
        })
    }
}

/// The source of every kind.
pub struct Sources {
    svo_participant: MinistrySource,
    svo_family: MinistrySource,
    adult: AdultRule,
    student: RegistrySource,
    large_family: RegistrySource,
}

impl Sources {
    /// Assembles the sources from the three registries and the clock of the adult rule.
    pub fn new(
        ministry: Arc<dyn Registry>,
        education: Arc<dyn Registry<Confirmed>>,
        social: Arc<dyn Registry<Confirmed>>,
        clock: Arc<dyn Clock>,
        timezone: chrono_tz::Tz,
    ) -> Self {
        let ministry_for = |kind| MinistrySource {
            registry: ministry.clone(),
            kind,
        };
        Self {
            svo_participant: ministry_for(StatusKind::SvoParticipant),
            svo_family: ministry_for(StatusKind::SvoFamily),
            adult: AdultRule { clock, timezone },
            student: RegistrySource {
                registry: education,
            },
            large_family: RegistrySource { registry: social },
        }
    }

    /// The source of `kind`.
    pub fn of(&self, kind: StatusKind) -> &dyn StatusSource {
        match kind {
            StatusKind::SvoParticipant => &self.svo_participant,
            StatusKind::SvoFamily => &self.svo_family,
            StatusKind::Adult => &self.adult,
            StatusKind::Student => &self.student,
            StatusKind::LargeFamily => &self.large_family,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn of_age_from_the_eighteenth_birthday_on() {
        let born = date(2007, 6, 15);
        assert!(!is_adult_on(born, date(2025, 6, 14)));
        assert!(is_adult_on(born, date(2025, 6, 15)));
        assert!(is_adult_on(born, date(2040, 1, 1)));
        assert!(!is_adult_on(born, date(2007, 6, 15)));
    }

    #[test]
    fn born_on_the_29th_of_february_of_age_on_the_28th() {
        let born = date(2008, 2, 29);
        assert!(!is_adult_on(born, date(2026, 2, 27)));
        assert!(is_adult_on(born, date(2026, 2, 28)));
    }
}
