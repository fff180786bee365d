//! Organizations (OGRN, names, contact e-mail).

use serde::Deserialize;
use sqlx::Row;
use statuspass_shared::Ogrn;

use super::{to_millis, Db};

/// An organization whose staff may scan on its behalf.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Organization {
    pub ogrn: Ogrn,
    pub full_name: String,
    pub short_name: String,
    pub contact_email: Option<String>,
}

/// Adds the organization unless one with its OGRN exists (existing data is kept).
#[tracing::instrument(skip(db, org), fields(ogrn = %org.ogrn))]
pub async fn insert_if_absent(
    db: &Db,
    org: &Organization,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO organizations (ogrn, full_name, short_name, contact_email, created_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (ogrn) DO NOTHING",
    )
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
    let row = sqlx::query(
        "SELECT ogrn, full_name, short_name, contact_email FROM organizations WHERE ogrn = $1",
    )
    .bind(ogrn.as_str())
    .fetch_optional(db.pool())
    .await?;
    row.map(|r| {
        let ogrn: String = r.try_get("ogrn")?;
        Ok(Organization {
            ogrn: Ogrn::parse(&ogrn).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            full_name: r.try_get("full_name")?,
            short_name: r.try_get("short_name")?,
            contact_email: r.try_get("contact_email")?,
        })
    })
    .transpose()
}
