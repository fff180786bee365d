//! The demo registry: answers from `server/demo/registry.json`, compiled into the binary.

use std::collections::HashMap;

use anyhow::Context;
use async_trait::async_trait;
use serde::Deserialize;
use statuspass_shared::Snils;

use super::{Lookup, Registry, RegistryError, RegistryRecord};

const DATA: &str = include_str!("../../demo/registry.json");

#[derive(Deserialize)]
#[serde(untagged)]
enum Entry {
    Outage { outage: bool },
    Record(RegistryRecord),
}

#[derive(Deserialize)]
struct File {
    persons: HashMap<String, Entry>,
}

/// Demo registry: known participants, and one person whose lookup simulates an outage.
pub struct DemoRegistry {
    persons: HashMap<String, Entry>,
}

impl DemoRegistry {
    /// Loads the shipped data file.
    pub fn load() -> anyhow::Result<Self> {
        let file: File = serde_json::from_str(DATA).context("parsing demo/registry.json")?;
        for key in file.persons.keys() {
            Snils::parse(key).with_context(|| format!("demo registry key {key} is not a SNILS"))?;
        }
        Ok(Self {
            persons: file.persons,
        })
    }
}

#[async_trait]
impl Registry for DemoRegistry {
    async fn lookup(&self, snils: &Snils) -> Result<Lookup, RegistryError> {
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

    #[tokio::test]
    async fn demo_data_has_found_missing_and_outage_people() {
        let r = DemoRegistry::load().unwrap();
        let found = r
            .persons
            .values()
            .filter(|e| matches!(e, Entry::Record(_)))
            .count();
        assert!(found >= 5);
        let outage = Snils::parse("89012345699").unwrap();
        assert!(r.lookup(&outage).await.is_err());
        let missing = Snils::parse("56789012343").unwrap();
        assert_eq!(r.lookup(&missing).await.unwrap(), Lookup::NotFound);
    }
}
