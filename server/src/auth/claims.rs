//! Provider claims → [`VerifiedPerson`], with configurable claim names (the defaults are the
//! OpenID Connect standard names plus `trusted` and `snils`).

use chrono::NaiveDate;
use serde_json::{Map, Value};
use statuspass_shared::Snils;

use super::VerifiedPerson;
use crate::configuration::Settings;

/// Which claim carries what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimNames {
    pub trusted: String,
    pub snils: String,
    pub family_name: String,
    pub given_name: String,
    pub middle_name: String,
    pub name: String,
    pub birthdate: String,
}

impl ClaimNames {
    /// From the `oidc_claim_*` settings.
    pub fn from_settings(s: &Settings) -> Self {
        Self {
            trusted: s.oidc_claim_trusted.clone(),
            snils: s.oidc_claim_snils.clone(),
            family_name: s.oidc_claim_family_name.clone(),
            given_name: s.oidc_claim_given_name.clone(),
            middle_name: s.oidc_claim_middle_name.clone(),
            name: s.oidc_claim_name.clone(),
            birthdate: s.oidc_claim_birthdate.clone(),
        }
    }

    /// The person described by `claims` (id token claims, completed by userinfo). Anything
    /// missing or malformed is "not given": a confirmed flag that is not `true` means
    /// unconfirmed; a bad СНИЛС or birth date is dropped (the person cannot be looked up or
    /// cannot prove age) — never an error.
    pub fn person(&self, issuer: &str, sub: &str, claims: &Map<String, Value>) -> VerifiedPerson {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let confirmed = match claims.get(&self.trusted) {
            Some(Value::Bool(b)) => *b,
            // Some providers send booleans as strings.
            Some(Value::String(s)) => s == "true",
            _ => false,
        };
        let snils = text(&self.snils).and_then(|s| Snils::parse_printed(&s).ok());
        let birthdate =
            text(&self.birthdate).and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok());
        let parts: Vec<String> = [&self.family_name, &self.given_name, &self.middle_name]
            .into_iter()
            .filter_map(|c| text(c))
            .collect();
        let name = if parts.is_empty() {
            text(&self.name).unwrap_or_else(|| "Без имени".to_owned())
        } else {
            parts.join(" ")
        };
        VerifiedPerson {
            issuer: issuer.to_owned(),
            subject: sub.to_owned(),
            confirmed,
            snils,
            name,
            birthdate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names() -> ClaimNames {
        ClaimNames::from_settings(&Settings::defaults().unwrap())
    }

    fn claims(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn a_confirmed_person_with_printed_snils() {
        let p = names().person(
            "https://id",
            "s1",
            &claims(json!({
                "trusted": true, "snils": "112-233-445 95", "family_name": "Иванов",
                "given_name": "Иван", "middle_name": "Иванович", "birthdate": "1985-03-14"
            })),
        );
        assert!(p.confirmed);
        assert_eq!(p.snils.unwrap().as_str(), "11223344595");
        assert_eq!(p.name, "Иванов Иван Иванович");
        assert_eq!(p.birthdate, NaiveDate::from_ymd_opt(1985, 3, 14));
    }

    #[test]
    fn missing_or_malformed_claims_mean_not_given() {
        let p = names().person(
            "https://id",
            "s1",
            &claims(json!({"trusted": "yes", "snils": "123-456-789 00", "birthdate": "14.03.1985", "name": "Анна"})),
        );
        assert!(!p.confirmed);
        assert_eq!(p.snils, None);
        assert_eq!(p.birthdate, None);
        assert_eq!(p.name, "Анна");
        let empty = names().person("https://id", "s1", &Map::new());
        assert!(!empty.confirmed && empty.snils.is_none());
        assert_eq!(empty.name, "Без имени");
    }

    #[test]
    fn claim_names_are_configurable() {
        let mut n = names();
        n.trusted = "esia_trusted".into();
        n.snils = "esia_snils".into();
        let p = n.person(
            "https://id",
            "s1",
            &claims(json!({"esia_trusted": true, "esia_snils": "11223344595", "trusted": false})),
        );
        assert!(p.confirmed);
        assert!(p.snils.is_some());
    }
}
