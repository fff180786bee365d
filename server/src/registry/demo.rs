//! Demo registries: answers from data files in `server/demo/`, compiled into the binary —
//! `registry.json` (Ministry of Defence), `education.json`, `social.json`. Each maps a SNILS to
//! the registry's answer, or to `{"outage": true}` to simulate an unavailable registry.

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use statuspass_shared::Snils;

use super::{Confirmed, Lookup, Registry, RegistryError, RegistryRecord};

const MINISTRY: &str = include_str!("../../demo/registry.json");
const EDUCATION: &str = include_str!("../../demo/education.json");
const SOCIAL: &str = include_str!("../../demo/social.json");

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry<R> {
    Outage { outage: bool },
    Record(R),
}

#[derive(Deserialize)]
#[serde(bound = "R: DeserializeOwned")]
struct File<R> {
    persons: HashMap<String, Entry<R>>,
}

/// A demo registry: known people, and people whose lookup simulates an outage.
pub struct DemoRegistry<R = RegistryRecord> {
    persons: HashMap<String, Entry<R>>,
}

impl DemoRegistry {
    /// The Ministry of Defence registry (`demo/registry.json`).
    pub fn load() -> anyhow::Result<Self> {
        Self::parse(MINISTRY, "demo/registry.json")
    }
}

impl DemoRegistry<Confirmed> {
    /// The education registry (`demo/education.json`).
    pub fn education() -> anyhow::Result<Self> {
        Self::parse(EDUCATION, "demo/education.json")
    }

    /// The social-support registry (`demo/social.json`).
    pub fn social() -> anyhow::Result<Self> {
        Self::parse(SOCIAL, "demo/social.json")
    }
}

impl<R: DeserializeOwned> DemoRegistry<R> {
    fn parse(data: &str, name: &str) -> anyhow::Result<Self> {
        let file: File<R> =
            serde_json::from_str(data).with_context(|| format!("parsing {name}"))?;
        for key in file.persons.keys() {
            Snils::parse(key).with_context(|| format!("{name}: key {key} is not a SNILS"))?;
        }
        Ok(Self {
            persons: file.persons,
        })
    }
}

#[async_trait]
impl<R: Clone + Send + Sync + 'static> Registry<R> for DemoRegistry<R> {
    async fn lookup(&self, snils: &Snils) -> Result<Lookup<R>, RegistryError> {
        match self.persons.get(snils.as_str()) {
            Some(Entry::Record(record)) => Ok(Lookup::Found(record.clone())),
            Some(Entry::Outage { outage: true }) => Err(RegistryError::Unavailable(
                "demo registry simulates an outage for this person".into(),
            )),
            Some(Entry::Outage { outage: false }) | None => Ok(Lookup::NotFound),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use statuspass_shared::StatusKind;

    fn snils(s: &str) -> Snils {
        Snils::parse(s).unwrap()
    }

    #[tokio::test]
    async fn demo_data_has_found_missing_and_outage_people() {
        let r = DemoRegistry::load().unwrap();
        let found = r
            .persons
            .values()
            .filter(|e| matches!(e, Entry::Record(_)))
            .count();
        assert!(found >= 5);
        assert!(r.lookup(&snils("89012345699")).await.is_err());
        let missing = snils("56789012343");
        assert_eq!(r.lookup(&missing).await.unwrap(), Lookup::NotFound);
    }

    #[tokio::test]
    async fn the_ministry_knows_family_members_by_kind() {
        let r = DemoRegistry::load().unwrap();
        let kinds: Vec<StatusKind> = r
            .persons
            .values()
            .filter_map(|e| match e {
                Entry::Record(r) => Some(r.kind()),
                Entry::Outage { .. } => None,
            })
            .collect();
        assert!(kinds.contains(&StatusKind::SvoParticipant));
        assert!(kinds.contains(&StatusKind::SvoFamily));
    }

    #[tokio::test]
    async fn education_and_social_registries_have_found_missing_and_outage_people() {
        for r in [
            DemoRegistry::education().unwrap(),
            DemoRegistry::social().unwrap(),
        ] {
            assert!(r.persons.values().any(|e| matches!(e, Entry::Record(_))));
            assert!(r
                .persons
                .values()
                .any(|e| matches!(e, Entry::Outage { outage: true })));
            assert_eq!(
                r.lookup(&snils("56789012343")).await.unwrap(),
                Lookup::NotFound
            );
        }
    }
}
