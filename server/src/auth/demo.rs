//! Demo sign-in: the people of `server/demo/people.json`, enabled by `demo_auth`.

use anyhow::Context;
use serde::Deserialize;
use statuspass_shared::api::{DemoPerson, Role};
use statuspass_shared::Snils;

use super::SessionUser;

const DATA: &str = include_str!("../../demo/people.json");

#[derive(Debug, Clone, Deserialize)]
struct Person {
    key: String,
    name: String,
    snils: Snils,
    confirmed: bool,
    roles: Vec<Role>,
    /// The confirmed birth date (absent: the account has none).
    #[serde(default)]
    birthdate: Option<chrono::NaiveDate>,
}

/// The demo people.
#[derive(Debug, Clone)]
pub struct DemoDirectory {
    people: Vec<Person>,
}

impl DemoDirectory {
    /// Loads the shipped data file.
    pub fn load() -> anyhow::Result<Self> {
        let people: Vec<Person> = serde_json::from_str(DATA).context("parsing demo/people.json")?;
        Ok(Self { people })
    }

    /// Everyone, as `GET /api/auth/demo` lists them (delegations are filled in by the caller).
    pub fn list(&self) -> Vec<DemoPerson> {
        self.people
            .iter()
            .map(|p| DemoPerson {
                key: p.key.clone(),
                name: p.name.clone(),
                roles: p.roles.clone(),
                confirmed: p.confirmed,
                delegations: Vec::new(),
            })
            .collect()
    }

    /// The claims of one demo person, as an identity provider would hand them over (their
    /// roles come from organization membership, like everyone's).
    pub fn claims(&self, key: &str) -> Option<SessionUser> {
        self.people
            .iter()
            .find(|p| p.key == key)
            .map(|p| SessionUser {
                subject: format!("demo:{}", p.key),
                name: p.name.clone(),
                confirmed: p.confirmed,
                snils: Some(p.snils.clone()),
                birthdate: p.birthdate,
            })
    }
}
