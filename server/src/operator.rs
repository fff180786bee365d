//! Operator commands on organizations (`statuspass orgs …`): the operator bootstraps an
//! organization and its first admin; the admin invites everyone else from the PWA.

use anyhow::Context;
use statuspass_shared::api::Role;
use statuspass_shared::{Ogrn, Snils};

use crate::startup::AppState;
use crate::store::organizations::{self, Member, Organization};

/// `--flag value` pairs of a command line.
pub struct Flags<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Flags<'a> {
    /// Parses `--name value …`; anything else is an error naming it.
    pub fn parse(args: &'a [&'a str], allowed: &[&str]) -> anyhow::Result<Self> {
        let mut pairs = Vec::new();
        let mut it = args.iter();
        while let Some(flag) = it.next() {
            let name = flag
                .strip_prefix("--")
                .filter(|n| allowed.contains(n))
                .with_context(|| format!("unknown argument {flag:?}"))?;
            let value = it
                .next()
                .with_context(|| format!("--{name} needs a value"))?;
            pairs.push((name, *value));
        }
        Ok(Self(pairs))
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v)
    }

    /// The value of `--name`, which must be given, not blank and free of control characters.
    pub fn required(&self, name: &str) -> anyhow::Result<&'a str> {
        let value = self
            .get(name)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .with_context(|| format!("--{name} is required"))?;
        anyhow::ensure!(
            !value.chars().any(char::is_control),
            "--{name} holds control characters"
        );
        Ok(value)
    }
}

/// `orgs add`: creates the organization or updates its names and e-mail (idempotent).
pub async fn add_org(state: &AppState, flags: &Flags<'_>) -> anyhow::Result<Organization> {
    let ogrn = Ogrn::parse(flags.required("ogrn")?.trim())
        .map_err(|e| anyhow::anyhow!("invalid --ogrn: {e}"))?;
    let email = flags.get("email").map(str::trim).filter(|e| !e.is_empty());
    if let Some(email) = email {
        email
            .parse::<lettre::Address>()
            .map_err(|e| anyhow::anyhow!("invalid --email: {e}"))?;
    }
    let org = Organization {
        ogrn,
        full_name: flags.required("name")?.to_owned(),
        short_name: flags.required("short-name")?.to_owned(),
        contact_email: email.map(str::to_owned),
    };
    organizations::upsert(&state.db, &org, state.clock.now()).await?;
    Ok(org)
}

/// `orgs add-admin`: makes the person with this СНИЛС admin (and staff) of the organization;
/// bound to their account at their first sign-in (idempotent).
pub async fn add_admin(state: &AppState, flags: &Flags<'_>) -> anyhow::Result<Organization> {
    let ogrn = Ogrn::parse(flags.required("ogrn")?.trim())
        .map_err(|e| anyhow::anyhow!("invalid --ogrn: {e}"))?;
    let snils = Snils::parse_printed(flags.required("snils")?)
        .map_err(|e| anyhow::anyhow!("invalid --snils: {e}"))?;
    let org = organizations::find(&state.db, &ogrn)
        .await?
        .with_context(|| format!("no organization {ogrn}: run `statuspass orgs add` first"))?;
    let subject = organizations::subject_for_snils(&state.db, &snils).await?;
    for role in [Role::Admin, Role::Staff] {
        let member = Member {
            subject: subject.clone(),
            name: flags.get("name").unwrap_or_default().trim().to_owned(),
            role,
            snils: Some(snils.clone()),
        };
        organizations::add_member(&state.db, &ogrn, &member, state.clock.now()).await?;
    }
    Ok(org)
}
