//! Organizations, their members and delegations. One query per function.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::any::AnyRow;
use sqlx::Row;
use statuspass_shared::api::{DelegationState, Role};
use statuspass_shared::{Ogrn, Snils};

use super::{from_millis, to_millis, Db};

/// An organization whose staff may scan on its behalf.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Organization {
    pub ogrn: Ogrn,
    pub full_name: String,
    pub short_name: String,
    pub contact_email: Option<String>,
}

/// A member row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// The person's subject, or a [`PENDING_PREFIX`] placeholder until their first sign-in.
    pub subject: String,
    pub name: String,
    pub role: Role,
    /// Set for members invited by СНИЛС.
    pub snils: Option<Snils>,
}

/// Subject placeholder of a member invited by СНИЛС who has not signed in yet.
pub const PENDING_PREFIX: &str = "pending:";

impl Member {
    /// Whether the member has not signed in since being invited.
    pub fn is_pending(&self) -> bool {
        self.subject.starts_with(PENDING_PREFIX)
    }
}

/// A delegation row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegationRow {
    pub id: String,
    pub ogrn: Ogrn,
    pub subject: String,
    pub power_code: String,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub issued_by: String,
    /// The holder's name as a member of the organization (read only).
    pub holder_name: Option<String>,
}

impl DelegationRow {
    /// The state at `now`.
    pub fn state(&self, now: DateTime<Utc>) -> DelegationState {
        if self.revoked_at.is_some_and(|r| r <= now) {
            DelegationState::Revoked
        } else if now < self.valid_from {
            DelegationState::NotYetValid
        } else if now >= self.valid_until {
            DelegationState::Expired
        } else {
            DelegationState::Active
        }
    }
}

fn decode_err(e: impl std::error::Error + Send + Sync + 'static) -> sqlx::Error {
    sqlx::Error::Decode(Box::new(e))
}

fn ogrn_of(row: &AnyRow) -> Result<Ogrn, sqlx::Error> {
    Ogrn::parse(&row.try_get::<String, _>("ogrn")?).map_err(decode_err)
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Admin => "admin",
        Role::Staff | Role::Participant => "staff",
    }
}

fn organization_of(row: &AnyRow) -> Result<Organization, sqlx::Error> {
    Ok(Organization {
        ogrn: ogrn_of(row)?,
        full_name: row.try_get("full_name")?,
        short_name: row.try_get("short_name")?,
        contact_email: row.try_get("contact_email")?,
    })
}

fn delegation_of(row: &AnyRow) -> Result<DelegationRow, sqlx::Error> {
    Ok(DelegationRow {
        id: row.try_get("id")?,
        ogrn: ogrn_of(row)?,
        subject: row.try_get("subject")?,
        power_code: row.try_get("power_code")?,
        valid_from: from_millis(row.try_get("valid_from")?),
        valid_until: from_millis(row.try_get("valid_until")?),
        revoked_at: row
            .try_get::<Option<i64>, _>("revoked_at")?
            .map(from_millis),
        issued_by: row.try_get("issued_by")?,
        holder_name: row.try_get("holder_name")?,
    })
}

/// Adds the organization unless one with its OGRN exists (existing data is kept).
#[tracing::instrument(skip(db, org), fields(ogrn = %org.ogrn))]
pub async fn insert_if_absent(
    db: &Db,
    org: &Organization,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    insert(db, org, now, "DO NOTHING").await
}

/// Adds the organization, or updates its names and e-mail (the operator's `orgs add`; an
/// e-mail not given keeps the one set).
#[tracing::instrument(skip(db, org), fields(ogrn = %org.ogrn))]
pub async fn upsert(db: &Db, org: &Organization, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    insert(
        db,
        org,
        now,
        "DO UPDATE SET full_name = $2, short_name = $3, \
         contact_email = COALESCE($4, organizations.contact_email)",
    )
    .await
}

async fn insert(
    db: &Db,
    org: &Organization,
    now: DateTime<Utc>,
    on_conflict: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(&format!(
        "INSERT INTO organizations (ogrn, full_name, short_name, contact_email, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ogrn) {on_conflict}"
    ))
    .bind(org.ogrn.as_str())
    .bind(&org.full_name)
    .bind(&org.short_name)
    .bind(org.contact_email.as_deref())
    .bind(to_millis(now))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// One organization by OGRN.
#[tracing::instrument(skip(db))]
pub async fn find(db: &Db, ogrn: &Ogrn) -> Result<Option<Organization>, sqlx::Error> {
    sqlx::query(
        "SELECT ogrn, full_name, short_name, contact_email FROM organizations WHERE ogrn = $1",
    )
    .bind(ogrn.as_str())
    .fetch_optional(db.pool())
    .await?
    .as_ref()
    .map(organization_of)
    .transpose()
}

/// Every organization (for the report job).
#[tracing::instrument(skip(db))]
pub async fn all(db: &Db) -> Result<Vec<Organization>, sqlx::Error> {
    sqlx::query(
        "SELECT ogrn, full_name, short_name, contact_email FROM organizations ORDER BY ogrn",
    )
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(organization_of)
    .collect()
}

/// Organizations where `subject` has `role`.
#[tracing::instrument(skip(db, subject))]
pub async fn of_member(
    db: &Db,
    subject: &str,
    role: Role,
) -> Result<Vec<Organization>, sqlx::Error> {
    sqlx::query(
        "SELECT o.ogrn, o.full_name, o.short_name, o.contact_email FROM organizations o \
         JOIN members m ON m.ogrn = o.ogrn WHERE m.subject = $1 AND m.role = $2 ORDER BY o.ogrn",
    )
    .bind(subject)
    .bind(role_name(role))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(organization_of)
    .collect()
}

/// Sets the contact e-mail.
#[tracing::instrument(skip(db, email))]
pub async fn set_contact_email(db: &Db, ogrn: &Ogrn, email: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE organizations SET contact_email = $1 WHERE ogrn = $2")
        .bind(email)
        .bind(ogrn.as_str())
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Whether `subject` has `role` in the organization.
#[tracing::instrument(skip(db, subject))]
pub async fn is_member(
    db: &Db,
    ogrn: &Ogrn,
    subject: &str,
    role: Role,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM members WHERE ogrn = $1 AND subject = $2 AND role = $3",
    )
    .bind(ogrn.as_str())
    .bind(subject)
    .bind(role_name(role))
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Adds a member (no-op if present).
#[tracing::instrument(skip(db, member), fields(role = ?member.role))]
pub async fn add_member(
    db: &Db,
    ogrn: &Ogrn,
    member: &Member,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO members (ogrn, subject, name, role, added_at, snils) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (ogrn, subject, role) DO NOTHING",
    )
    .bind(ogrn.as_str())
    .bind(&member.subject)
    .bind(&member.name)
    .bind(role_name(member.role))
    .bind(to_millis(now))
    .bind(member.snils.as_ref().map(Snils::as_str))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Removes every role of `subject` in the organization; returns whether anything was removed.
#[tracing::instrument(skip(db, subject))]
pub async fn remove_member(db: &Db, ogrn: &Ogrn, subject: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM members WHERE ogrn = $1 AND subject = $2")
        .bind(ogrn.as_str())
        .bind(subject)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The members of an organization.
#[tracing::instrument(skip(db))]
pub async fn members(db: &Db, ogrn: &Ogrn) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query(
        "SELECT subject, name, role, snils FROM members WHERE ogrn = $1 ORDER BY name, role",
    )
    .bind(ogrn.as_str())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(Member {
            subject: r.try_get("subject")?,
            name: r.try_get("name")?,
            role: role_of(&r.try_get::<String, _>("role")?),
            snils: r
                .try_get::<Option<String>, _>("snils")?
                .map(|s| Snils::parse(&s))
                .transpose()
                .map_err(decode_err)?,
        })
    })
    .collect()
}

fn role_of(name: &str) -> Role {
    match name {
        "admin" => Role::Admin,
        _ => Role::Staff,
    }
}

/// The roles `subject` holds in any organization (staff, admin).
#[tracing::instrument(skip(db, subject))]
pub async fn roles_of(db: &Db, subject: &str) -> Result<Vec<Role>, sqlx::Error> {
    sqlx::query("SELECT DISTINCT role FROM members WHERE subject = $1")
        .bind(subject)
        .fetch_all(db.pool())
        .await?
        .iter()
        .map(|r| Ok(role_of(&r.try_get::<String, _>("role")?)))
        .collect()
}

/// The subject to file a member invited by `snils` under: the person's real subject when they
/// already signed in as a member somewhere, else their existing placeholder, else a new one.
#[tracing::instrument(skip(db, snils))]
pub async fn subject_for_snils(db: &Db, snils: &Snils) -> Result<String, sqlx::Error> {
    let known: Option<String> = sqlx::query(
        "SELECT subject FROM members WHERE snils = $1 \
         ORDER BY CASE WHEN subject LIKE 'pending:%' THEN 1 ELSE 0 END, added_at LIMIT 1",
    )
    .bind(snils.as_str())
    .fetch_optional(db.pool())
    .await?
    .map(|r| r.try_get("subject"))
    .transpose()?;
    Ok(known.unwrap_or_else(|| format!("{PENDING_PREFIX}{}", uuid::Uuid::new_v4())))
}

/// The subject of the staff member of `ogrn` invited with `snils`, if any.
#[tracing::instrument(skip(db, snils))]
pub async fn staff_subject_by_snils(
    db: &Db,
    ogrn: &Ogrn,
    snils: &Snils,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query(
        "SELECT subject FROM members WHERE ogrn = $1 AND snils = $2 AND role = 'staff' LIMIT 1",
    )
    .bind(ogrn.as_str())
    .bind(snils.as_str())
    .fetch_optional(db.pool())
    .await?
    .map(|r| r.try_get("subject"))
    .transpose()
}

/// At a confirmed person's sign-in: memberships and delegations waiting under a placeholder for
/// their `snils` move to `subject` (an unnamed membership takes `name`). Returns how many
/// memberships were bound. One transaction.
#[tracing::instrument(skip_all)]
pub async fn bind_invitations(
    db: &Db,
    snils: &Snils,
    subject: &str,
    name: &str,
) -> Result<u64, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let placeholders: Vec<String> = sqlx::query(
        "SELECT DISTINCT subject FROM members WHERE snils = $1 AND subject LIKE 'pending:%'",
    )
    .bind(snils.as_str())
    .fetch_all(&mut *tx)
    .await?
    .iter()
    .map(|r| r.try_get("subject"))
    .collect::<Result<_, _>>()?;
    let mut bound = 0;
    for placeholder in &placeholders {
        // A role the person already holds there under the real subject stays as it is.
        sqlx::query(
            "DELETE FROM members WHERE subject = $1 AND EXISTS (SELECT 1 FROM members m \
             WHERE m.ogrn = members.ogrn AND m.role = members.role AND m.subject = $2)",
        )
        .bind(placeholder)
        .bind(subject)
        .execute(&mut *tx)
        .await?;
        bound += sqlx::query(
            "UPDATE members SET subject = $1, name = CASE WHEN name = '' THEN $2 ELSE name END \
             WHERE subject = $3",
        )
        .bind(subject)
        .bind(name)
        .bind(placeholder)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("UPDATE delegations SET subject = $1 WHERE subject = $2")
            .bind(subject)
            .bind(placeholder)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(bound)
}

const DELEGATION_COLUMNS: &str = "id, ogrn, subject, power_code, valid_from, valid_until, \
     revoked_at, issued_by, (SELECT MAX(m.name) FROM members m \
     WHERE m.ogrn = delegations.ogrn AND m.subject = delegations.subject) AS holder_name";

/// Stores a delegation unless one with its id exists.
#[tracing::instrument(skip(db, d), fields(ogrn = %d.ogrn))]
pub async fn insert_delegation(
    db: &Db,
    d: &DelegationRow,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO delegations (id, ogrn, subject, power_code, valid_from, valid_until, \
         revoked_at, issued_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO NOTHING",
    )
    .bind(&d.id)
    .bind(d.ogrn.as_str())
    .bind(&d.subject)
    .bind(&d.power_code)
    .bind(to_millis(d.valid_from))
    .bind(to_millis(d.valid_until))
    .bind(d.revoked_at.map(to_millis))
    .bind(&d.issued_by)
    .bind(to_millis(now))
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Revokes a delegation of the organization; returns whether it existed and was not revoked.
#[tracing::instrument(skip(db))]
pub async fn revoke_delegation(
    db: &Db,
    ogrn: &Ogrn,
    id: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE delegations SET revoked_at = $1 WHERE id = $2 AND ogrn = $3 AND revoked_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(id)
    .bind(ogrn.as_str())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The delegations of an organization, newest first.
#[tracing::instrument(skip(db))]
pub async fn delegations_of_org(db: &Db, ogrn: &Ogrn) -> Result<Vec<DelegationRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE ogrn = $1 ORDER BY valid_from DESC, id"
    ))
    .bind(ogrn.as_str())
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(delegation_of)
    .collect()
}

/// The delegations held by a person (any organization, any state).
#[tracing::instrument(skip(db, subject))]
pub async fn delegations_of_subject(
    db: &Db,
    subject: &str,
) -> Result<Vec<DelegationRow>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT {DELEGATION_COLUMNS} FROM delegations WHERE subject = $1 ORDER BY ogrn, valid_from"
    ))
    .bind(subject)
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(delegation_of)
    .collect()
}

/// The one rule of SPEC §5 for "active at `$now`" (bind `now` as the named parameter), shared by
/// the scan check and the staff member's list so the two cannot disagree.
const ACTIVE_AT_NOW: &str =
    "d.valid_from <= $now AND d.valid_until > $now AND (d.revoked_at IS NULL OR d.revoked_at > $now)";

/// An organization a staff member may scan for now, with the end of the delegation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveDelegation {
    pub ogrn: Ogrn,
    pub short_name: String,
    pub valid_until: DateTime<Utc>,
}

/// The organizations `subject` holds an active delegation with `power_code` for, at `now`.
#[tracing::instrument(skip(db, subject))]
pub async fn active_delegations_of(
    db: &Db,
    subject: &str,
    power_code: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ActiveDelegation>, sqlx::Error> {
    sqlx::query(&format!(
        "SELECT o.ogrn, o.short_name, MAX(d.valid_until) AS valid_until FROM delegations d \
         JOIN organizations o ON o.ogrn = d.ogrn WHERE d.subject = $1 AND d.power_code = $2 \
         AND {} GROUP BY o.ogrn, o.short_name ORDER BY o.short_name",
        ACTIVE_AT_NOW.replace("$now", "$3")
    ))
    .bind(subject)
    .bind(power_code)
    .bind(to_millis(now))
    .fetch_all(db.pool())
    .await?
    .iter()
    .map(|r| {
        Ok(ActiveDelegation {
            ogrn: ogrn_of(r)?,
            short_name: r.try_get("short_name")?,
            valid_until: from_millis(r.try_get("valid_until")?),
        })
    })
    .collect()
}

/// Whether `subject` holds, at `now`, an active delegation of the organization with the power
/// code.
#[tracing::instrument(skip(db, subject))]
pub async fn has_active_delegation(
    db: &Db,
    ogrn: &Ogrn,
    subject: &str,
    power_code: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let row = sqlx::query(&format!(
        "SELECT COUNT(*) AS n FROM delegations d WHERE d.ogrn = $1 AND d.subject = $2 \
         AND d.power_code = $3 AND {}",
        ACTIVE_AT_NOW.replace("$now", "$4")
    ))
    .bind(ogrn.as_str())
    .bind(subject)
    .bind(power_code)
    .bind(to_millis(now))
    .fetch_one(db.pool())
    .await?;
    Ok(row.try_get::<i64, _>("n")? > 0)
}

/// Revokes every unrevoked delegation of `subject` in the organization (when they leave it).
#[tracing::instrument(skip(db, subject))]
pub async fn revoke_all_of(
    db: &Db,
    ogrn: &Ogrn,
    subject: &str,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE delegations SET revoked_at = $1 WHERE ogrn = $2 AND subject = $3 AND revoked_at IS NULL",
    )
    .bind(to_millis(now))
    .bind(ogrn.as_str())
    .bind(subject)
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected())
}
