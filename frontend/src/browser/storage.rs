//! localStorage: the last pass (so it stays visible offline until it expires) and the chosen
//! camera. Storage can be missing or full (private mode); then nothing is remembered.

use serde::{Deserialize, Serialize};

const PASS_KEY: &str = "statuspass.pass";
const CAMERA_KEY: &str = "statuspass.camera";

/// A pass as kept on the phone. No personal data: the link and the expiry only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredPass {
    pub id: String,
    pub link: String,
    /// Expiry by the phone's clock (corrected by the server's clock at issue), ms since epoch.
    pub expires_at_ms: f64,
}

impl StoredPass {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_rounds_up_and_stops_at_zero() {
        let p = StoredPass {
            id: "x".into(),
            link: "y".into(),
            expires_at_ms: 10_000.0,
        };
        assert_eq!(p.remaining_secs(0.0), 10);
        assert_eq!(p.remaining_secs(9_001.0), 1);
        assert_eq!(p.remaining_secs(10_000.0), 0);
        assert_eq!(p.remaining_secs(20_000.0), 0);
    }
}
