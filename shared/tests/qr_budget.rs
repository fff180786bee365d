//! The QR budget of issue 12: the whole code (link, rotating part, offline token with the
//! largest disclosure) stays at or below version 10 at error-correction level M for the longest
//! production origin. Prints the figures:
//!
//! ```text
//! cargo test -p statuspass-shared --test qr_budget -- --nocapture
//! ```

#![allow(clippy::unwrap_used)] // tests may panic

use ed25519_dalek::SigningKey;
use qrcode::{EcLevel, QrCode, Version};
use statuspass_shared::api::Holder;
use statuspass_shared::token::{self, Fields, TokenHolder};
use statuspass_shared::{dynamic, DynamicSecret, KeyId, PassId, PassLinks, StatusKind};

/// The largest version allowed.
const BUDGET: i16 = 10;

/// The demo (the default `http://{bind}`), the README's example deployment and the longest
/// production alias.
const ORIGINS: [&str; 3] = [
    "http://127.0.0.1:8080",
    "https://pass.example.ru",
    "https://www.gosuslugi.ru",
];

fn version(text: &str) -> i16 {
    match QrCode::with_error_correction_level(text, EcLevel::M)
        .map(|c| c.version())
        .unwrap_or(Version::Normal(41))
    {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

/// The widest token: an СВО kind with initials and birth year (three Cyrillic letters, the
/// largest a real holder has), the largest key id and times.
fn widest_link(origin: &str, id: &PassId) -> String {
    let holder = TokenHolder::from_holder(&Holder {
        initials: "Щ. Щ. Щ.".into(),
        birth_year: 1999,
    });
    let fields = Fields {
        kind: StatusKind::SvoFamily,
        kid: KeyId(u16::MAX),
        issued_at: u32::MAX - 300,
        expires_at: u32::MAX,
        holder,
    };
    let part = token::encode(&fields, id, &SigningKey::from_bytes(&[9; 32]));
    let links = PassLinks::new(origin, &[] as &[&str]).unwrap();
    format!("{}#{part}", links.link(id))
}

#[test]
fn the_code_with_the_token_fits_version_10_at_level_m() {
    let id = PassId::new_random();
    let secret = DynamicSecret::from_bytes([3; 32]);
    // A far-future step: the longest rotating part for decades.
    let far_future_ms = 4_102_444_800_000; // 2100-01-01
    println!("QR versions at EC level M (budget: {BUDGET}):");
    for origin in ORIGINS {
        let link = widest_link(origin, &id);
        let shown = dynamic::code_link(&link, &secret, far_future_ms);
        let (static_v, dynamic_v) = (version(&link), version(&shown));
        println!(
            "  {origin:<26} static {static_v:>2} ({} chars)  dynamic {dynamic_v:>2} ({} chars)",
            link.len(),
            shown.len()
        );
        assert!(static_v <= BUDGET, "{link}");
        assert!(dynamic_v <= BUDGET, "{shown}");
    }
}
