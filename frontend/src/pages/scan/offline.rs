//! The scanner's verdict without network (issue 12): decided on the device from the scanned
//! text, the cached key list (`GET /api/keys`) and the device clock corrected by the server's.
//! Pure (no browser calls), so it is unit-tested natively; the engine calls it when
//! `POST /api/scan` gets no answer or the device is offline. Online the server's answer wins.
//!
//! The order: the link is classified as online; a link of ours without a token part is an
//! old-style link (the network is needed); a token that does not decode is forged; a key id
//! missing from the cached list cannot be checked offline; a bad signature (or a key that had
//! stopped signing by the token's issue time) is forged; then the expiry against the corrected
//! clock. Revocations since the last sync and the rotating part of a dynamic code cannot be
//! checked offline: the view says so.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use statuspass_shared::api::Holder;
use statuspass_shared::keys::KeyList;
use statuspass_shared::link::fragment_parts;
use statuspass_shared::token::Unvouched;
use statuspass_shared::{token, PassId, PassLinks, ScannedCode, StatusKind};

/// The key list is fetched again after a scan answer once it is older than this (ms).
pub const KEYS_REFRESH_MS: f64 = 60.0 * 60.0 * 1000.0;
/// Older than this, the scanner says the list is stale (ms).
pub const KEYS_STALE_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;
/// How long a checked pass id is remembered for «уже проверен на этом устройстве» (ms).
pub const SEEN_KEEP_MS: f64 = 24.0 * 60.0 * 60.0 * 1000.0;

/// The key list as cached on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeyCache {
    pub keys: KeyList,
    /// When it was fetched, device clock, ms since the epoch.
    pub fetched_at_ms: f64,
}

impl KeyCache {
    /// Whether it is time to fetch the list again (older than an hour, or from the future).
    pub fn needs_refresh(&self, now_ms: f64) -> bool {
        !(0.0..KEYS_REFRESH_MS).contains(&(now_ms - self.fetched_at_ms))
    }
}

/// Whether the scanner should say «ключи проверки устарели»: no list at all
/// (`fetched_at_ms` is `None`), or one older than a day.
pub fn keys_stale(fetched_at_ms: Option<f64>, now_ms: f64) -> bool {
    fetched_at_ms.is_none_or(|at| now_ms - at > KEYS_STALE_MS)
}

/// Pass ids this device found valid, with when (device ms): the seen-list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SeenList {
    ids: BTreeMap<String, f64>,
}

impl SeenList {
    pub fn contains(&self, id: &PassId) -> bool {
        self.ids.contains_key(&id.to_string())
    }

    /// Remembers a valid check of `id` at `now_ms` and forgets entries older than
    /// [`SEEN_KEEP_MS`].
    pub fn record(&mut self, id: &PassId, now_ms: f64) {
        self.ids.retain(|_, at| now_ms - *at <= SEEN_KEEP_MS);
        self.ids.insert(id.to_string(), now_ms);
    }

    /// Adds the entries of `other` (the later time where both have one).
    pub fn merge(&mut self, other: &SeenList) {
        for (id, at) in &other.ids {
            let entry = self.ids.entry(id.clone()).or_insert(*at);
            *entry = entry.max(*at);
        }
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// Why the network is needed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeedsNetwork {
    /// An old-style link: no token in the fragment.
    NoToken,
    /// The token's key id is not in the cached list (a key published after the last sync).
    UnknownKey,
}

impl NeedsNetwork {
    /// The `data-reason` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoToken => "no_token",
            Self::UnknownKey => "unknown_key",
        }
    }
}

/// The offline verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Signed by a key of the list, not expired by the corrected clock.
    Valid {
        kind: StatusKind,
        /// Only when the token carries it (never for «Цифровой ID»).
        holder: Option<Holder>,
        /// A dynamic code (a rotating part in the fragment, or a «Цифровой ID» kind): its
        /// rotation is not checked offline.
        dynamic: bool,
    },
    /// A genuine token whose lifetime is over.
    Expired,
    /// Bad signature, or a token that does not decode.
    Forged,
    NeedsNetwork(NeedsNetwork),
    /// A broken link of ours (no pass can have it; the server answers «unknown» as well).
    Unknown,
    /// Not a code of this service.
    Foreign,
}

/// The verdict and the pass it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// The scanned pass id, when the link is ours.
    pub id: Option<PassId>,
    pub verdict: Verdict,
    /// A valid pass this device has found valid before.
    pub seen_before: bool,
}

/// Decides on `code` without network. `server_now_secs`: the device clock corrected by the
/// offset seen from the server, Unix seconds.
pub fn check(
    links: &PassLinks,
    code: &str,
    keys: Option<&KeyList>,
    server_now_secs: i64,
    seen: &SeenList,
) -> Check {
    let (id, fragment) = match links.classify(code) {
        ScannedCode::Ours { id, fragment } => (id, fragment),
        ScannedCode::Malformed => return without_id(Verdict::Unknown),
        ScannedCode::Foreign => return without_id(Verdict::Foreign),
    };
    let verdict = verdict(&id, fragment, keys, server_now_secs);
    let seen_before = matches!(verdict, Verdict::Valid { .. }) && seen.contains(&id);
    Check {
        id: Some(id),
        verdict,
        seen_before,
    }
}

fn without_id(verdict: Verdict) -> Check {
    Check {
        id: None,
        verdict,
        seen_before: false,
    }
}

fn verdict(
    id: &PassId,
    fragment: Option<&str>,
    keys: Option<&KeyList>,
    server_now_secs: i64,
) -> Verdict {
    let fields = match token::vouched(id, fragment, keys.map_or(&[][..], |k| &k.keys)) {
        Ok(fields) => fields,
        Err(Unvouched::NoToken) => return Verdict::NeedsNetwork(NeedsNetwork::NoToken),
        Err(Unvouched::UnknownKey) => return Verdict::NeedsNetwork(NeedsNetwork::UnknownKey),
        Err(Unvouched::Forged) => return Verdict::Forged,
    };
    let fields = &fields;
    if server_now_secs >= i64::from(fields.expires_at) {
        return Verdict::Expired;
    }
    let rotating = fragment
        .is_some_and(|f| fragment_parts(f).any(|p| p.starts_with(|c: char| c.is_ascii_digit())));
    Verdict::Valid {
        kind: fields.kind,
        holder: fields
            .holder
            .as_ref()
            .map(token::TokenHolder::to_holder)
            .filter(|_| !fields.kind.is_digital_id()),
        dynamic: rotating || fields.kind.is_digital_id(),
    }
}

/// Server clock in Unix seconds from the device clock (ms) and the offset (server − device).
pub fn server_now_secs(device_now_ms: f64, clock_offset_ms: f64) -> i64 {
    ((device_now_ms + clock_offset_ms) / 1000.0).floor() as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;
    use ed25519_dalek::SigningKey;
    use statuspass_shared::keys::{public_key_hex, PublishedKey};
    use statuspass_shared::token::{Fields, TokenHolder};
    use statuspass_shared::KeyId;

    const ISSUED: u32 = 1_750_000_000;
    const TTL: u32 = 300;

    fn links() -> PassLinks {
        PassLinks::new("https://pass.example.ru", &["https://www.gosuslugi.ru"]).unwrap()
    }

    fn id() -> PassId {
        PassId::parse("3f2b8c1e-9d4a-4e6b-8f0a-1c2d3e4f5a6b").unwrap()
    }

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7; 32])
    }

    fn key_list() -> KeyList {
        KeyList {
            keys: vec![PublishedKey {
                kid: KeyId(3),
                public_key: public_key_hex(&key().verifying_key()),
                valid_from: DateTime::from_timestamp(i64::from(ISSUED) - 3600, 0),
                valid_until: None,
            }],
            current: KeyId(3),
            next: KeyId(4),
        }
    }

    fn fields(kind: StatusKind, holder: Option<TokenHolder>) -> Fields {
        Fields {
            kind,
            kid: KeyId(3),
            issued_at: ISSUED,
            expires_at: ISSUED + TTL,
            holder,
        }
    }

    fn ivanov() -> Option<TokenHolder> {
        Some(TokenHolder {
            initials: "ИИИ".into(),
            birth_year: 1985,
        })
    }

    /// The QR text the server issues: `…/somc2/{id}#T…`.
    fn code(fields: &Fields) -> String {
        format!(
            "{}#{}",
            links().link(&id()),
            token::encode(fields, &id(), &key())
        )
    }

    fn at(code: &str, now: u32) -> Check {
        check(
            &links(),
            code,
            Some(&key_list()),
            i64::from(now),
            &SeenList::default(),
        )
    }

    #[test]
    fn a_fresh_token_is_valid_with_its_kind_and_holder() {
        let c = at(
            &code(&fields(StatusKind::SvoParticipant, ivanov())),
            ISSUED + 10,
        );
        assert_eq!(c.id, Some(id()));
        assert!(!c.seen_before);
        let Verdict::Valid {
            kind,
            holder,
            dynamic,
        } = c.verdict
        else {
            panic!("{:?}", c.verdict)
        };
        assert_eq!(kind, StatusKind::SvoParticipant);
        assert!(!dynamic);
        let holder = holder.unwrap();
        assert_eq!(holder.initials, "И. И. И.");
        assert_eq!(holder.birth_year, 1985);
    }

    #[test]
    fn a_digital_id_code_shows_no_holder_and_its_rotation_is_unchecked() {
        let token = token::encode(&fields(StatusKind::Student, None), &id(), &key());
        let shown = format!("{}#12345-01234567~{token}", links().link(&id()));
        assert_eq!(
            at(&shown, ISSUED + 10).verdict,
            Verdict::Valid {
                kind: StatusKind::Student,
                holder: None,
                dynamic: true
            }
        );
    }

    #[test]
    fn expiry_follows_the_clock_corrected_by_the_server_offset() {
        let code = code(&fields(StatusKind::SvoParticipant, None));
        // The device runs 10 minutes behind the server: by its own clock the token is fresh.
        let device_ms = f64::from(ISSUED + 60) * 1000.0 - 600_000.0;
        let corrected = server_now_secs(device_ms, 600_000.0);
        assert_eq!(corrected, i64::from(ISSUED + 60));
        let check_at = |secs| {
            check(
                &links(),
                &code,
                Some(&key_list()),
                secs,
                &SeenList::default(),
            )
            .verdict
        };
        assert!(matches!(check_at(corrected), Verdict::Valid { .. }));
        // The device runs 10 minutes ahead: corrected, the 5-minute token is not expired…
        let ahead = server_now_secs(f64::from(ISSUED + 60) * 1000.0 + 600_000.0, -600_000.0);
        assert!(matches!(check_at(ahead), Verdict::Valid { .. }));
        // …and is at its expiry second and after.
        assert_eq!(check_at(i64::from(ISSUED + TTL)), Verdict::Expired);
        let late = server_now_secs(f64::from(ISSUED) * 1000.0, f64::from(TTL + 1) * 1000.0);
        assert_eq!(check_at(late), Verdict::Expired);
    }

    #[test]
    fn a_changed_character_is_forged() {
        let good = code(&fields(StatusKind::SvoParticipant, ivanov()));
        let t = good.find("#T").unwrap() + 2;
        let mut forged_somewhere = 0;
        for i in t..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(bytes).unwrap();
            let verdict = at(&changed, ISSUED + 10).verdict;
            assert!(
                matches!(
                    verdict,
                    Verdict::Forged | Verdict::NeedsNetwork(NeedsNetwork::UnknownKey)
                ),
                "{i}: {verdict:?}"
            );
            forged_somewhere += usize::from(verdict == Verdict::Forged);
        }
        assert!(forged_somewhere > 100);
        // The signature is over the id: the same token on another pass is forged.
        let other = PassId::parse("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d").unwrap();
        let moved = good.replace(&id().to_string(), &other.to_string());
        assert_eq!(at(&moved, ISSUED + 10).verdict, Verdict::Forged);
        // Not base32 at all.
        let garbage = format!("{}#T0000", links().link(&id()));
        assert_eq!(at(&garbage, ISSUED + 10).verdict, Verdict::Forged);
    }

    #[test]
    fn a_key_that_had_stopped_signing_makes_the_token_forged() {
        let mut keys = key_list();
        keys.keys[0].valid_until = DateTime::from_timestamp(i64::from(ISSUED) - 1, 0);
        let c = check(
            &links(),
            &code(&fields(StatusKind::SvoParticipant, None)),
            Some(&keys),
            i64::from(ISSUED + 10),
            &SeenList::default(),
        );
        assert_eq!(c.verdict, Verdict::Forged);
    }

    #[test]
    fn an_old_style_link_needs_the_network() {
        for code in [
            links().link(&id()),
            format!("{}#", links().link(&id())),
            format!("{}#12345-01234567", links().link(&id())),
        ] {
            assert_eq!(
                at(&code, ISSUED).verdict,
                Verdict::NeedsNetwork(NeedsNetwork::NoToken),
                "{code}"
            );
        }
    }

    #[test]
    fn an_unknown_key_needs_the_network() {
        let mut f = fields(StatusKind::SvoParticipant, None);
        f.kid = KeyId(9);
        assert_eq!(
            at(&code(&f), ISSUED + 10).verdict,
            Verdict::NeedsNetwork(NeedsNetwork::UnknownKey)
        );
        // No list cached at all.
        let c = check(
            &links(),
            &code(&fields(StatusKind::SvoParticipant, None)),
            None,
            i64::from(ISSUED + 10),
            &SeenList::default(),
        );
        assert_eq!(c.verdict, Verdict::NeedsNetwork(NeedsNetwork::UnknownKey));
        assert_eq!(NeedsNetwork::UnknownKey.as_str(), "unknown_key");
    }

    #[test]
    fn a_second_valid_scan_of_the_same_pass_is_seen_before() {
        let code = code(&fields(StatusKind::SvoParticipant, None));
        let mut seen = SeenList::default();
        let first = check(&links(), &code, Some(&key_list()), i64::from(ISSUED), &seen);
        assert!(!first.seen_before);
        seen.record(&first.id.unwrap(), 1_000.0);
        let second = check(&links(), &code, Some(&key_list()), i64::from(ISSUED), &seen);
        assert!(second.seen_before);
        assert!(matches!(second.verdict, Verdict::Valid { .. }));
        // Only valid verdicts carry the warning.
        let late = check(
            &links(),
            &code,
            Some(&key_list()),
            i64::from(ISSUED + TTL),
            &seen,
        );
        assert_eq!((late.verdict, late.seen_before), (Verdict::Expired, false));
        // Entries older than a day are forgotten at the next record.
        let other = PassId::parse("9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d").unwrap();
        seen.record(&other, 1_000.0 + SEEN_KEEP_MS + 1.0);
        assert!(!seen.contains(&id()) && seen.contains(&other) && seen.len() == 1);
    }

    #[test]
    fn broken_and_foreign_codes() {
        assert_eq!(
            at("https://example.com/x", ISSUED).verdict,
            Verdict::Foreign
        );
        let broken = format!("{}/extra", links().link(&id()));
        assert_eq!(at(&broken, ISSUED).verdict, Verdict::Unknown);
    }

    #[test]
    fn the_key_list_is_refreshed_hourly_and_stale_after_a_day() {
        let cache = KeyCache {
            keys: key_list(),
            fetched_at_ms: 1_000_000.0,
        };
        assert!(!cache.needs_refresh(1_000_000.0 + KEYS_REFRESH_MS - 1.0));
        assert!(cache.needs_refresh(1_000_000.0 + KEYS_REFRESH_MS));
        assert!(cache.needs_refresh(0.0), "fetched in the device's future");
        assert!(keys_stale(None, 0.0));
        let at = Some(cache.fetched_at_ms);
        assert!(!keys_stale(at, 1_000_000.0 + KEYS_STALE_MS));
        assert!(keys_stale(at, 1_000_001.0 + KEYS_STALE_MS));
    }
}
