//! Demo data for the embedded setup: organizations, their members and delegations
//! (`server/demo/organizations.json`), inserted once; restarts keep what is there.

use anyhow::Context;
use chrono::{DateTime, Duration, Utc};
use serde::Deserialize;
use statuspass_shared::api::{Role, POWER_DELEGATE_SCAN};

use crate::auth::demo::DemoDirectory;
use crate::store::organizations::{self, DelegationRow, Member, Organization};
use crate::store::Db;

const DATA: &str = include_str!("../demo/organizations.json");

#[derive(Deserialize)]
struct DemoOrg {
    #[serde(flatten)]
    org: Organization,
    members: Vec<DemoMember>,
    delegations: Vec<DemoDelegation>,
}

#[derive(Deserialize)]
struct DemoMember {
    key: String,
    role: Role,
}

#[derive(Deserialize)]
struct DemoDelegation {
    id: String,
    key: String,
    /// Start, in days relative to the first seeding.
    from_days: i64,
    until_days: i64,
    revoked: bool,
}

/// Inserts the demo organizations, members and delegations that are not there yet.
pub async fn seed_demo(db: &Db, people: &DemoDirectory, now: DateTime<Utc>) -> anyhow::Result<()> {
    let orgs: Vec<DemoOrg> =
        serde_json::from_str(DATA).context("parsing demo/organizations.json")?;
    for demo in orgs {
        organizations::insert_if_absent(db, &demo.org, now).await?;
        for m in &demo.members {
            let person = people
                .claims(&m.key)
                .with_context(|| format!("demo member {} is not a demo person", m.key))?;
            let member = Member {
                subject: person.subject,
                name: person.name,
                role: m.role,
                snils: person.snils,
            };
            organizations::add_member(db, &demo.org.ogrn, &member, now).await?;
        }
        for d in &demo.delegations {
            let person = people
                .claims(&d.key)
                .with_context(|| format!("demo delegate {} is not a demo person", d.key))?;
            let row = DelegationRow {
                id: d.id.clone(),
                ogrn: demo.org.ogrn.clone(),
                subject: person.subject,
                power_code: POWER_DELEGATE_SCAN.to_owned(),
                valid_from: now + Duration::days(d.from_days),
                valid_until: now + Duration::days(d.until_days),
                revoked_at: d.revoked.then(|| now - Duration::days(1)),
                issued_by: "demo".to_owned(),
                holder_name: None,
            };
            organizations::insert_delegation(db, &row, now).await?;
        }
    }
    Ok(())
}
