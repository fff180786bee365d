//! JSON types of the HTTP API (SPEC §10). The server produces them, the PWA consumes them.

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::dynamic::DynamicSecret;
use crate::ids::{Ogrn, PassId};
use crate::status::StatusKind;

#[cfg(feature = "server")]
use utoipa::ToSchema;

/// What a signed-in person may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Gets a pass proving their status.
    Participant,
    /// Scans passes at a ticket desk.
    Staff,
    /// Manages an organization.
    Admin,
}

/// State of a delegation at the moment of asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DelegationState {
    Active,
    Expired,
    Revoked,
    NotYetValid,
}

/// A delegation as listed for a demo person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DelegationSummary {
    #[cfg_attr(feature = "server", schema(value_type = String, example = "1027700132195"))]
    pub ogrn: Ogrn,
    pub state: DelegationState,
}

/// One entry of `GET /api/auth/demo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DemoPerson {
    pub key: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub confirmed: bool,
    pub delegations: Vec<DelegationSummary>,
}

/// Body of `POST /api/auth/demo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DemoSignIn {
    pub key: String,
}

/// `GET /api/me`: who is signed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Me {
    pub key: String,
    pub name: String,
    pub roles: Vec<Role>,
    pub confirmed: bool,
}

/// Answer of `POST /api/auth/logout` after an OpenID Connect sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Logout {
    /// Send the browser here to end the session at the identity provider too.
    pub end_session_url: Option<String>,
}

/// Body of `POST /api/pass` (optional: no body at all asks for `svo_participant`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PassRequest {
    /// The status to show; default `svo_participant`.
    #[serde(default)]
    pub status: Option<StatusKind>,
}

/// What the holder's device needs to show a dynamic code (see [`crate::dynamic`]): the screen
/// shows `{link}#{step}-{code}`, recomputed every `step_secs`, also offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct DynamicCode {
    /// The per-pass secret, 64 hex digits; kept by this device only, for the pass's lifetime.
    #[cfg_attr(feature = "server", schema(value_type = String, example = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"))]
    pub secret: DynamicSecret,
    /// Seconds per step (30).
    pub step_secs: u64,
}

/// Answer of `POST /api/pass`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum PassResponse {
    /// The source confirms the status: here is the pass (the same one while it is valid).
    Issued {
        #[cfg_attr(feature = "server", schema(value_type = String, format = Uuid))]
        id: PassId,
        /// The whole text of the QR code: `{PUBLIC_URL}/somc2/{id}#T…` (the link and the
        /// signed offline token, see `statuspass_shared::token`); for a dynamic pass the device
        /// puts the rotating part before the token (`dynamic::code_link`).
        link: String,
        /// RFC 3339 with offset.
        #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
        #[serde(deserialize_with = "crate::rfc3339::deserialize")]
        expires_at: DateTime<FixedOffset>,
        /// The status this pass proves.
        status: StatusKind,
        /// The status as the checker reads it («студент»).
        title: String,
        /// Present for a dynamic pass: how the device computes the rotating part.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dynamic: Option<DynamicCode>,
    },
    /// The source does not confirm the status for this person.
    NotFound {
        /// The status asked for.
        status: StatusKind,
        /// Where (which form or office) this status is confirmed.
        confirm_url: String,
        /// СВО statuses: where to request a paper certificate (the same as `confirm_url`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        certificate_form_url: Option<String>,
    },
}

/// One status the service offers (`GET /api/statuses`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct StatusOffer {
    pub kind: StatusKind,
    /// «студент».
    pub title: String,
    /// Whether its code rotates every 30 s (screenshots stop working).
    pub dynamic: bool,
    /// A «Цифровой ID» status: the checker sees the status alone.
    pub digital_id: bool,
    /// Where a person who does not hold it gets it confirmed.
    pub confirm_url: String,
}

/// Body of `POST /api/scan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScanRequest {
    /// The decoded QR text exactly as read.
    pub code: String,
    /// Scan on behalf of this organization (requires an active delegation).
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, pattern = r"^[0-9]{13}$"))]
    pub on_behalf_of: Option<Ogrn>,
    /// With `on_behalf_of`: the scanner's id of this scan (UUID v4, the same on every retry):
    /// the organization's ledger gets at most one row for it, and a retry the first verdict.
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = Uuid))]
    pub event_id: Option<uuid::Uuid>,
}

/// Most events in one `POST /api/scan/batch`.
pub const MAX_BATCH_EVENTS: usize = 100;

/// Body of `POST /api/scan/batch`: organization scans a scanner made without network,
/// uploaded when it is back (issue 12).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ScanBatch {
    /// At most [`MAX_BATCH_EVENTS`].
    pub events: Vec<QueuedScan>,
}

/// One organization scan made without network, as the scanner queued it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QueuedScan {
    /// The scan's idempotency key (UUID v4): recorded once, however often uploaded.
    #[cfg_attr(feature = "server", schema(value_type = String, format = Uuid))]
    pub event_id: uuid::Uuid,
    /// The organization's OGRN (checked per event: a bad one refuses only this event).
    pub on_behalf_of: String,
    /// The decoded QR text exactly as read (the link with its signed token).
    pub code: String,
    /// The device clock at the scan, ms since the epoch.
    #[serde(deserialize_with = "json_integer::signed")]
    #[cfg_attr(feature = "server", schema(minimum = -9007199254740991_i64, maximum = 9007199254740991_i64))]
    pub device_time_ms: i64,
    /// Server clock minus device clock (ms) as the scanner last saw it; the scan time is
    /// `device_time_ms + clock_offset_ms`.
    #[serde(default, deserialize_with = "json_integer::signed")]
    #[cfg_attr(feature = "server", schema(minimum = -9007199254740991_i64, maximum = 9007199254740991_i64))]
    pub clock_offset_ms: i64,
    /// The device's running number of its queued scans (for the device's own order).
    #[serde(default, deserialize_with = "json_integer::non_negative")]
    #[cfg_attr(
        feature = "server",
        schema(minimum = 0, maximum = 9007199254740991_i64)
    )]
    pub device_seq: u64,
}

/// The largest integer a JavaScript client holds exactly (2^53 − 1): the bound of the queued
/// scans' numbers, in the description and in the parser alike.
pub const MAX_SAFE_INTEGER: i64 = 9_007_199_254_740_991;

/// Integers as JSON Schema counts them: `19180.0` is the integer 19180 (a JavaScript client
/// may send either), within ±[`MAX_SAFE_INTEGER`]; a fraction or a value beyond is refused.
mod json_integer {
    use serde::de::{Deserializer, Error, Visitor};

    use super::MAX_SAFE_INTEGER;

    struct Integer;

    fn bounded<E: Error>(v: i128) -> Result<i64, E> {
        if (-i128::from(MAX_SAFE_INTEGER)..=i128::from(MAX_SAFE_INTEGER)).contains(&v) {
            Ok(v as i64)
        } else {
            Err(E::custom("integer out of range (±9007199254740991)"))
        }
    }

    impl Visitor<'_> for Integer {
        type Value = i64;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: Error>(self, v: i64) -> Result<i64, E> {
            bounded(i128::from(v))
        }

        fn visit_u64<E: Error>(self, v: u64) -> Result<i64, E> {
            bounded(i128::from(v))
        }

        fn visit_f64<E: Error>(self, v: f64) -> Result<i64, E> {
            // Within ±2^53 every integral float is exact.
            if v.fract() == 0.0 && v.abs() <= MAX_SAFE_INTEGER as f64 {
                Ok(v as i64)
            } else {
                Err(E::custom("expected an integer within ±9007199254740991"))
            }
        }
    }

    pub fn signed<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        d.deserialize_any(Integer)
    }

    pub fn non_negative<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        let v = d.deserialize_any(Integer)?;
        u64::try_from(v).map_err(|_| D::Error::custom("expected a non-negative integer"))
    }
}

/// What became of one uploaded event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueuedOutcome {
    /// Written to the ledger now, at the scan time.
    Recorded,
    /// The event was recorded before (a replay or a retry): nothing written.
    Duplicate,
    /// Not recorded, for `reason`; nothing written.
    Refused,
}

/// Why an uploaded event is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum QueuedRefusal {
    /// The event id is not a UUID v4.
    InvalidEventId,
    /// `on_behalf_of` is not a valid OGRN.
    InvalidOgrn,
    /// The event id was recorded for another organization.
    EventIdReused,
    /// The uploader held no active delegation of the organization at the scan time.
    NoActiveDelegation,
    /// Not a code of this service, or a broken link of ours.
    NotAPass,
    /// A link without the signed token (it cannot be checked after the fact).
    NoToken,
    /// The token is not signed by a key of this service for this pass.
    Forged,
    /// The scan time is ahead of the server's clock.
    ScannedInFuture,
    /// The scan time is before the pass was issued.
    BeforeIssue,
    /// The pass had expired at the scan time.
    ExpiredAtScan,
    /// The scan time is older than the ledger keeps rows.
    TooOld,
}

/// The answer for one event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct QueuedScanResult {
    #[cfg_attr(feature = "server", schema(value_type = String, format = Uuid))]
    pub event_id: uuid::Uuid,
    pub outcome: QueuedOutcome,
    /// Set when `outcome` is `refused`.
    pub reason: Option<QueuedRefusal>,
    /// The scan time the ledger holds (recorded), or would hold.
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub scanned_at: Option<DateTime<Utc>>,
}

/// Answer of `POST /api/scan/batch`: one result per event, in the order sent. Every event
/// with a result is settled (the scanner deletes it); on any other answer it keeps them all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ScanBatchResults {
    pub results: Vec<QueuedScanResult>,
}

/// The verdict on a scanned code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScanResult {
    /// A live pass of this service.
    Valid,
    /// A link of this service whose id is not known (forged, mistyped, long gone).
    Unknown,
    /// A pass that was issued but whose lifetime is over.
    Expired,
    /// Not a code of this service.
    Foreign,
    /// A live dynamic pass whose rotating part is too old, from too far ahead, or missing (a
    /// screenshot, a photo, the bare link): «Код устарел: попросите обновить экран».
    Stale,
}

impl ScanResult {
    /// The `data-result` attribute value / wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Unknown => "unknown",
            Self::Expired => "expired",
            Self::Foreign => "foreign",
            Self::Stale => "stale",
        }
    }
}

/// What the checker may see of the bearer (SPEC §7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Holder {
    /// «Иванов И. И.»
    pub initials: String,
    pub birth_year: i32,
}

/// Answer of `POST /api/scan`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ScanResponse {
    pub result: ScanResult,
    /// The confirmed status, for a valid pass («участник СВО», «студент»).
    pub status: Option<String>,
    /// The bearer's initials and birth year, for a valid pass of an СВО status unless the
    /// service discloses the status only; never for a «Цифровой ID» status.
    pub holder: Option<Holder>,
    /// True only when a valid scan was written to the organization's ledger.
    pub recorded: bool,
    /// The confirmed status kind, for a valid pass.
    #[serde(default)]
    pub status_kind: Option<StatusKind>,
}

/// `GET /api/config`: what the PWA needs to know about this deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ClientConfig {
    /// Pass links point here.
    pub public_url: String,
    /// Other origins whose pass links are accepted.
    pub alias_origins: Vec<String>,
    /// Pass lifetime in seconds.
    pub pass_ttl_secs: u64,
    /// Whether demo sign-in is enabled.
    pub demo_auth: bool,
    /// Set when people sign in through an OpenID provider (`GET /api/auth/oidc/start`):
    /// the provider's name for the button («Войти через Госуслуги»).
    #[serde(default)]
    pub sign_in_provider: Option<String>,
}

/// `GET /api/orgs/{ogrn}/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct OrgStats {
    /// Since midnight (service time zone).
    pub today: u64,
    /// The last 30 × 24 hours.
    pub last_30_days: u64,
    /// Since the first of this month (service time zone).
    pub this_month: u64,
    /// The last 30 × 24 hours per status kind (kinds without scans are left out).
    #[serde(default)]
    #[cfg_attr(feature = "server", schema(value_type = BTreeMap<String, u64>, example = json!({"svo_participant": 2, "student": 3})))]
    pub by_kind: BTreeMap<StatusKind, u64>,
}

/// The power code a delegation must carry to allow scanning on behalf of an organization.
pub const POWER_DELEGATE_SCAN: &str = "GOSCAN_DELEGATE_SCAN";

/// An organization as its admins and staff see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct OrgSummary {
    #[cfg_attr(feature = "server", schema(value_type = String, example = "1027700132195"))]
    pub ogrn: Ogrn,
    pub full_name: String,
    pub short_name: String,
    pub contact_email: Option<String>,
}

/// An active delegation of the signed-in staff member (`GET /api/me/delegations`): the
/// scanner offers these organizations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct MyDelegation {
    #[cfg_attr(feature = "server", schema(value_type = String))]
    pub ogrn: Ogrn,
    pub short_name: String,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub valid_until: DateTime<FixedOffset>,
}

/// A member of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct StaffMember {
    /// The person's subject id (demo: `demo:{key}`; `pending:…` until an invited person first
    /// signs in). Technical: for removal calls, never shown.
    pub subject: String,
    pub name: String,
    pub role: Role,
    /// Invited by СНИЛС and not signed in yet.
    #[serde(default)]
    pub pending: bool,
    /// The СНИЛС they were invited with, masked but for the last digits (`***-***-445 95`).
    #[serde(default)]
    pub snils_masked: Option<String>,
}

/// Body of `POST /api/orgs/{ogrn}/staff`: a person by СНИЛС (invited before their first
/// sign-in, as an organization cabinet does) or by subject id; exactly one of the two.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AddStaff {
    #[serde(default)]
    pub subject: Option<String>,
    /// `11223344595` or `112-233-445 95`.
    #[serde(default)]
    pub snils: Option<String>,
    pub name: String,
    /// `staff` (default) or `admin`.
    #[serde(default)]
    pub role: Option<Role>,
}

/// A delegation (машиночитаемая доверенность) as the organization admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Delegation {
    pub id: String,
    pub subject: String,
    /// The holder's name as a member of the organization.
    #[serde(default)]
    pub holder_name: Option<String>,
    pub power_code: String,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub valid_from: DateTime<FixedOffset>,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub valid_until: DateTime<FixedOffset>,
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub revoked_at: Option<DateTime<FixedOffset>>,
    pub issued_by: String,
    pub state: DelegationState,
}

/// Body of `POST /api/orgs/{ogrn}/delegations`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// The staff member: by subject id, or by the СНИЛС they were invited with.
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub snils: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    pub valid_from: DateTime<FixedOffset>,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    pub valid_until: DateTime<FixedOffset>,
    /// Default `GOSCAN_DELEGATE_SCAN`.
    #[serde(default)]
    pub power_code: Option<String>,
}

/// Body of `PUT /api/orgs/{ogrn}/contact-email`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactEmail {
    pub email: String,
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Accepted by the mail server.
    Sent,
    /// Waiting to be sent (or retried after a failure).
    Pending,
    /// Kept: the organization has no contact e-mail.
    NoContactEmail,
}

/// A report as listed on the organization page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReportSummary {
    pub id: String,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub period_start: DateTime<FixedOffset>,
    #[cfg_attr(feature = "server", schema(value_type = String, format = DateTime))]
    #[serde(deserialize_with = "crate::rfc3339::deserialize")]
    pub period_end: DateTime<FixedOffset>,
    pub status: ReportStatus,
    /// Successful scans in the report, once built.
    pub rows: Option<u64>,
    /// The zip's file name, once built.
    pub file_name: Option<String>,
    #[cfg_attr(feature = "server", schema(value_type = Option<String>, format = DateTime))]
    #[serde(default, deserialize_with = "crate::rfc3339::deserialize_option")]
    pub sent_at: Option<DateTime<FixedOffset>>,
    pub sent_to: Option<String>,
    /// The last sending problem, if any.
    pub problem: Option<String>,
}

/// Every error answer: a stable machine code and a short human message (Russian).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ApiError {
    pub error: String,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_response_is_tagged_by_outcome() {
        let r = PassResponse::NotFound {
            status: StatusKind::SvoParticipant,
            confirm_url: "https://x".into(),
            certificate_form_url: Some("https://x".into()),
        };
        assert_eq!(
            serde_json::to_value(&r).unwrap(),
            serde_json::json!({"outcome": "not_found", "status": "svo_participant",
                "confirm_url": "https://x", "certificate_form_url": "https://x"})
        );
    }

    #[test]
    fn an_issued_pass_reads_back_its_expiry_and_refuses_a_non_rfc3339_one() {
        let expires_at = DateTime::parse_from_rfc3339("2026-12-07T15:05:00.123+03:00").unwrap();
        let issued = PassResponse::Issued {
            id: "6f1c2a52-3b8e-4b36-9b8e-2f0f6d7d2a10".parse().unwrap(),
            link: "https://x/somc2/6f1c2a52-3b8e-4b36-9b8e-2f0f6d7d2a10".into(),
            expires_at,
            status: StatusKind::SvoParticipant,
            title: "участник СВО".into(),
            dynamic: None,
        };
        let wire = serde_json::to_value(&issued).unwrap();
        assert_eq!(
            serde_json::from_value::<PassResponse>(wire.clone()).unwrap(),
            issued
        );
        let mut bad = wire;
        bad["expires_at"] = "07.12.2026 15:05".into();
        assert!(serde_json::from_value::<PassResponse>(bad).is_err());
    }

    #[test]
    fn pass_request_is_optional_kind_and_strict() {
        let r: PassRequest = serde_json::from_str("{}").unwrap();
        assert_eq!(r.status, None);
        let r: PassRequest = serde_json::from_str(r#"{"status":"student"}"#).unwrap();
        assert_eq!(r.status, Some(StatusKind::Student));
        assert!(serde_json::from_str::<PassRequest>(r#"{"status":"pensioner"}"#).is_err());
        assert!(serde_json::from_str::<PassRequest>(r#"{"kind":"student"}"#).is_err());
    }

    #[test]
    fn stats_count_per_kind_by_wire_name() {
        let s = OrgStats {
            today: 1,
            last_30_days: 2,
            this_month: 2,
            by_kind: [(StatusKind::Student, 2)].into(),
        };
        assert_eq!(
            serde_json::to_value(&s).unwrap()["by_kind"],
            serde_json::json!({"student": 2})
        );
    }

    #[test]
    fn queued_scan_integers_are_json_schema_integers() {
        let scan = |time: &str, seq: &str| {
            serde_json::from_str::<QueuedScan>(&format!(
                r#"{{"event_id":"0010de42-2792-4e41-87f7-6edd4c137db4","on_behalf_of":"x","code":"",
                "device_time_ms":{time},"device_seq":{seq}}}"#
            ))
        };
        let ok = scan("19180.0", "3").unwrap();
        assert_eq!(
            (ok.device_time_ms, ok.device_seq, ok.clock_offset_ms),
            (19180, 3, 0)
        );
        assert!(scan("1.5", "3").is_err(), "a fraction");
        assert!(scan("-9007199254740992", "3").is_err(), "below -(2^53 - 1)");
        assert!(scan("9007199254740992.0", "3").is_err(), "above 2^53 - 1");
        assert!(scan("1e300", "3").is_err());
        assert!(scan("0", "-1").is_err(), "a negative sequence number");
        assert!(scan("0", "9007199254740992").is_err());
        assert_eq!(
            scan("-9007199254740991", "9007199254740991")
                .unwrap()
                .device_time_ms,
            -MAX_SAFE_INTEGER
        );
        assert_eq!(
            scan("-3329206150659521.0", "0").unwrap().device_time_ms,
            -3_329_206_150_659_521
        );
    }

    #[test]
    fn scan_request_refuses_unknown_fields_and_bad_ogrn() {
        assert!(serde_json::from_str::<ScanRequest>(r#"{"code":"x","extra":1}"#).is_err());
        assert!(
            serde_json::from_str::<ScanRequest>(r#"{"code":"x","on_behalf_of":"123"}"#).is_err()
        );
        let ok: ScanRequest = serde_json::from_str(r#"{"code":"x","on_behalf_of":null}"#).unwrap();
        assert_eq!(ok.on_behalf_of, None);
    }
}
