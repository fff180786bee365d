//! localStorage: the last pass (so it stays visible offline until it expires), the chosen
//! camera, and what the scanner needs to open without network (the deployment's origins, the
//! signed-in staff member and their delegations, as last seen online; forgotten at sign-out).
//! Storage can be missing or full (private mode); then nothing is remembered.

use serde::{Deserialize, Serialize};
use statuspass_shared::{dynamic, DynamicSecret, StatusKind};

const PASS_KEY: &str = "statuspass.pass";
const CAMERA_KEY: &str = "statuspass.camera";
const SCANNER_KEY: &str = "statuspass.scanner";
const CHECKS_KEY: &str = "statuspass.checks";

/// How many codes this device checked on one day (the scanner's «сегодня» count).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub day: String,
    pub count: u32,
}

impl DayCount {
    /// The count on `day` (a count of another day is yesterday's: zero today).
    pub fn on(stored: Option<&Self>, day: &str) -> u32 {
        stored.filter(|c| c.day == day).map_or(0, |c| c.count)
    }

    /// The count after one more check on `day`.
    pub fn after_check(stored: Option<Self>, day: &str) -> Self {
        Self {
            day: day.to_owned(),
            count: Self::on(stored.as_ref(), day).saturating_add(1),
        }
    }
}

/// What the scanner saw online, to open without network: the deployment's origins, the staff
/// member and their delegations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScannerStart {
    pub config: Option<statuspass_shared::api::ClientConfig>,
    pub me: Option<statuspass_shared::api::Me>,
    #[serde(default)]
    pub delegations: Vec<statuspass_shared::api::MyDelegation>,
    /// The organization the scanner was scanning for (restored after a reload while it is
    /// still among the delegations).
    #[serde(default)]
    pub on_behalf_of: Option<statuspass_shared::Ogrn>,
}

/// A pass as kept on the phone. No personal data: the link, the status, the expiry and, for a
/// dynamic code, its per-pass secret (kept by this device and the server only, until expiry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPass {
    pub id: String,
    pub link: String,
    /// Expiry by the phone's clock (corrected by the server's clock at issue), ms since epoch.
    pub expires_at_ms: f64,
    /// The status the pass proves (passes stored before statuses existed are СВО passes).
    #[serde(default = "svo_participant")]
    pub status: StatusKind,
    /// The status as the checker reads it.
    #[serde(default)]
    pub title: String,
    /// The secret of a dynamic code (64 hex digits), `None` for a static one.
    #[serde(default)]
    pub dynamic_secret: Option<String>,
    /// Server clock minus phone clock at issue (ms): the rotating part follows the server's time
    /// even on a phone whose clock is off.
    #[serde(default)]
    pub clock_offset_ms: f64,
}

fn svo_participant() -> StatusKind {
    StatusKind::SvoParticipant
}

impl StoredPass {
    /// The text the QR code shows at `now_ms` (device clock): the link, and for a dynamic pass
    /// the rotating part computed on this device (offline too).
    pub fn code_at(&self, now_ms: f64) -> String {
        match self
            .dynamic_secret
            .as_deref()
            .and_then(DynamicSecret::from_hex)
        {
            Some(secret) => {
                dynamic::code_link(&self.link, &secret, (now_ms + self.clock_offset_ms) as i64)
            }
            None => self.link.clone(),
        }
    }

    /// Whether the code rotates.
    pub fn is_dynamic(&self) -> bool {
        self.dynamic_secret.is_some()
    }

    /// Milliseconds (device clock) until the rotating part changes next.
    pub fn next_rotation_in_ms(&self, now_ms: f64) -> f64 {
        let server_ms = (now_ms + self.clock_offset_ms) as i64;
        let step_ms = (dynamic::STEP_SECS * 1000) as i64;
        let next = (dynamic::step_at(server_ms) as i64 + 1) * step_ms;
        (next - server_ms) as f64
    }

    /// Whole seconds left at `now_ms` (device clock), never negative.
    pub fn remaining_secs(&self, now_ms: f64) -> u64 {
        let left = ((self.expires_at_ms - now_ms) / 1000.0).ceil();
        if left.is_finite() && left > 0.0 {
            left as u64
        } else {
            0
        }
    }
}

fn local() -> Option<web_sys::Storage> {
    super::window()?.local_storage().ok().flatten()
}

/// The stored pass, if it has not expired yet.
pub fn load_pass(now_ms: f64) -> Option<StoredPass> {
    let raw = local()?.get_item(PASS_KEY).ok().flatten()?;
    let pass: StoredPass = serde_json::from_str(&raw).ok()?;
    if pass.remaining_secs(now_ms) > 0 {
        Some(pass)
    } else {
        forget_pass();
        None
    }
}

pub fn save_pass(pass: &StoredPass) {
    if let (Some(storage), Ok(json)) = (local(), serde_json::to_string(pass)) {
        let _ = storage.set_item(PASS_KEY, &json);
    }
}

pub fn forget_pass() {
    if let Some(storage) = local() {
        let _ = storage.remove_item(PASS_KEY);
    }
}

pub fn load_camera() -> Option<String> {
    local()?
        .get_item(CAMERA_KEY)
        .ok()
        .flatten()
        .filter(|s| !s.is_empty())
}

pub fn save_camera(device_id: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(CAMERA_KEY, device_id);
    }
}

fn load_checks() -> Option<DayCount> {
    let raw = local()?.get_item(CHECKS_KEY).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

/// Codes checked on this device on `day`.
pub fn checks_today(day: &str) -> u32 {
    DayCount::on(load_checks().as_ref(), day)
}

/// Counts one more check on `day`; the new count.
pub fn count_check(day: &str) -> u32 {
    let next = DayCount::after_check(load_checks(), day);
    if let (Some(storage), Ok(json)) = (local(), serde_json::to_string(&next)) {
        let _ = storage.set_item(CHECKS_KEY, &json);
    }
    next.count
}

/// The scanner's start data as last stored.
pub fn load_scanner_start() -> Option<ScannerStart> {
    let raw = local()?.get_item(SCANNER_KEY).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

/// Changes the stored start data with `change` (starting from nothing stored).
pub fn update_scanner_start(change: impl FnOnce(&mut ScannerStart)) {
    let mut start = load_scanner_start().unwrap_or(ScannerStart {
        config: None,
        me: None,
        delegations: Vec::new(),
        on_behalf_of: None,
    });
    change(&mut start);
    if let (Some(storage), Ok(json)) = (local(), serde_json::to_string(&start)) {
        let _ = storage.set_item(SCANNER_KEY, &json);
    }
}

/// Sign-out: the staff member and their delegations are forgotten (the origins stay).
pub fn forget_scanner_person() {
    let Some(storage) = local() else { return };
    if let Some(kept) = storage
        .get_item(SCANNER_KEY)
        .ok()
        .flatten()
        .and_then(|raw| origins_only(&raw))
    {
        let _ = storage.set_item(SCANNER_KEY, &kept);
    }
}

/// A stored [`ScannerStart`] with only its origins kept. Reads nothing else of it, so the
/// participant's app (it signs out too) links no parsing of delegations and their dates.
fn origins_only(raw: &str) -> Option<String> {
    #[derive(Serialize, Deserialize)]
    struct Origins {
        config: Option<statuspass_shared::api::ClientConfig>,
    }
    let config = serde_json::from_str::<Origins>(raw).ok()?.config;
    serde_json::to_string(&Origins { config }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_out_keeps_the_origins_and_forgets_the_person() {
        let start = ScannerStart {
            config: Some(statuspass_shared::api::ClientConfig {
                public_url: "https://pass.example".into(),
                alias_origins: vec!["https://www.gosuslugi.ru".into()],
                pass_ttl_secs: 300,
                demo_auth: false,
                sign_in_provider: None,
            }),
            me: Some(statuspass_shared::api::Me {
                key: "staff-active".into(),
                name: "Сидорова".into(),
                roles: vec![statuspass_shared::api::Role::Staff],
                confirmed: true,
            }),
            delegations: serde_json::from_str(
                r#"[{"ogrn":"1027700012340","short_name":"Museum","valid_until":"2027-01-01T00:00:00+03:00"}]"#,
            )
            .unwrap(),
            on_behalf_of: statuspass_shared::Ogrn::parse("1027700012340").ok(),
        };
        let raw = serde_json::to_string(&start).unwrap();
        let kept: ScannerStart = serde_json::from_str(&origins_only(&raw).unwrap()).unwrap();
        assert_eq!(kept.config, start.config);
        assert_eq!(
            (kept.me, kept.delegations.len(), kept.on_behalf_of),
            (None, 0, None)
        );
    }

    #[test]
    fn the_day_count_starts_again_on_a_new_day() {
        let first = DayCount::after_check(None, "2026-12-02");
        assert_eq!(first.count, 1);
        let second = DayCount::after_check(Some(first), "2026-12-02");
        assert_eq!(DayCount::on(Some(&second), "2026-12-02"), 2);
        assert_eq!(DayCount::on(Some(&second), "2026-12-03"), 0);
        assert_eq!(DayCount::after_check(Some(second), "2026-12-03").count, 1);
    }

    #[test]
    fn remaining_rounds_up_and_stops_at_zero() {
        let p = StoredPass {
            id: "x".into(),
            link: "y".into(),
            expires_at_ms: 10_000.0,
            status: StatusKind::SvoParticipant,
            title: String::new(),
            dynamic_secret: None,
            clock_offset_ms: 0.0,
        };
        assert_eq!(p.remaining_secs(0.0), 10);
        assert_eq!(p.remaining_secs(9_001.0), 1);
        assert_eq!(p.remaining_secs(10_000.0), 0);
        assert_eq!(p.remaining_secs(20_000.0), 0);
    }

    #[test]
    fn a_dynamic_code_rotates_every_step_on_the_server_clock() {
        let secret = DynamicSecret::from_bytes([7; 32]);
        let p = StoredPass {
            id: "x".into(),
            link: "https://p/somc2/x".into(),
            expires_at_ms: 1e15,
            status: StatusKind::Student,
            title: "студент".into(),
            dynamic_secret: Some(secret.to_hex()),
            // The phone runs 45 s behind the server.
            clock_offset_ms: 45_000.0,
        };
        let phone_now = 1_700_000_000_000.0;
        let server_now = (phone_now + 45_000.0) as i64;
        assert_eq!(
            p.code_at(phone_now),
            dynamic::code_link(&p.link, &secret, server_now)
        );
        assert_ne!(p.code_at(phone_now), p.code_at(phone_now + 30_000.0));
        let wait = p.next_rotation_in_ms(phone_now);
        assert!(wait > 0.0 && wait <= 30_000.0);
        assert_eq!(
            p.code_at(phone_now + wait - 1.0),
            p.code_at(phone_now),
            "same code until the boundary"
        );
        assert_ne!(p.code_at(phone_now + wait), p.code_at(phone_now));
        // A static pass shows its link.
        let fixed = StoredPass {
            dynamic_secret: None,
            ..p
        };
        assert_eq!(fixed.code_at(phone_now), fixed.link);
    }
}
