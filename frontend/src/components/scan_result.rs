//! The result of a check, filling the scanner view; one tap anywhere resumes scanning.

use leptos::prelude::*;
use statuspass_shared::api::{Holder, ScanResult};
use statuspass_shared::StatusKind;

use crate::pages::scan::offline::NeedsNetwork;
use crate::text;

/// The verdict the card shows: the server's, plus two that only the offline check gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Unknown,
    Expired,
    Foreign,
    Stale,
    /// Offline: a bad signature or a token that does not decode.
    Forged,
    /// Offline: an old-style link or a key this device does not have yet.
    NeedsNetwork(NeedsNetwork),
}

impl From<ScanResult> for Verdict {
    fn from(r: ScanResult) -> Self {
        match r {
            ScanResult::Valid => Self::Valid,
            ScanResult::Unknown => Self::Unknown,
            ScanResult::Expired => Self::Expired,
            ScanResult::Foreign => Self::Foreign,
            ScanResult::Stale => Self::Stale,
        }
    }
}

impl Verdict {
    /// The `data-result` attribute value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Unknown => "unknown",
            Self::Expired => "expired",
            Self::Foreign => "foreign",
            Self::Stale => "stale",
            Self::Forged => "forged",
            Self::NeedsNetwork(_) => "needs_network",
        }
    }
}

/// How a verdict decided on the device without network is marked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OfflineMark {
    /// This device found the pass valid before («уже проверен на этом устройстве»).
    pub seen_before: bool,
    /// A dynamic code: its rotation could not be checked.
    pub rotation_unchecked: bool,
    /// An organization scan kept in the offline queue, to be sent when the network is back.
    pub queued: bool,
}

/// What the scanner shows after a code was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOutcome {
    pub result: Verdict,
    pub status: Option<String>,
    /// The kind of a valid pass («Цифровой ID» kinds show nothing personal).
    pub status_kind: Option<StatusKind>,
    pub holder: Option<Holder>,
    pub recorded: bool,
    /// The short name of the organization the scan was made for; `None`: a private scan.
    pub on_behalf: Option<String>,
    /// 1 for the first result of this page, then 2, 3, … (lets tests tell results apart).
    pub seq: u32,
    /// Set when the verdict was decided on the device without network.
    pub offline: Option<OfflineMark>,
}

/// A full-size, colour-coded result card.
#[component]
pub fn ScanResultCard(
    /// The result to show.
    outcome: ScanOutcome,
    /// Called on the tap that resumes scanning.
    on_resume: Callback<()>,
) -> impl IntoView {
    let valid = outcome.result == Verdict::Valid;
    let valid_kind = outcome.status_kind.filter(|_| valid);
    let (title, detail) = match outcome.result {
        // The kind in large type: «Подтверждено: студент».
        Verdict::Valid => match valid_kind {
            Some(kind) if kind != StatusKind::SvoParticipant => {
                (format!("{} {}", text::CONFIRMED_STATUS, kind.title()), None)
            }
            _ => (text::VALID_TITLE.to_owned(), None),
        },
        Verdict::Unknown => (text::UNKNOWN_TITLE.to_owned(), Some(text::UNKNOWN_TEXT)),
        Verdict::Expired => (text::EXPIRED_TITLE.to_owned(), Some(text::EXPIRED_TEXT)),
        Verdict::Foreign => (text::FOREIGN_TITLE.to_owned(), Some(text::FOREIGN_TEXT)),
        Verdict::Stale => (text::STALE_TITLE.to_owned(), Some(text::STALE_TEXT)),
        Verdict::Forged => (text::FORGED_TITLE.to_owned(), Some(text::FORGED_TEXT)),
        Verdict::NeedsNetwork(NeedsNetwork::NoToken) => (
            text::NEEDS_NETWORK_TITLE.to_owned(),
            Some(text::NO_TOKEN_TEXT),
        ),
        Verdict::NeedsNetwork(NeedsNetwork::UnknownKey) => (
            text::UNKNOWN_KEY_TITLE.to_owned(),
            Some(text::UNKNOWN_KEY_TEXT),
        ),
    };
    // Nothing personal for a «Цифровой ID» status, whatever the answer held.
    let digital_id = valid_kind.is_some_and(StatusKind::is_digital_id);
    let kind = outcome.result.as_str();
    let reason = match outcome.result {
        Verdict::NeedsNetwork(why) => Some(why.as_str()),
        _ => None,
    };
    let holder = outcome.holder.clone().filter(|_| !digital_id);
    let offline = outcome.offline;
    // For a valid pass: was it written to the organization's report (or is this private)?
    let ledger = valid.then(|| match (&outcome.on_behalf, outcome.recorded) {
        (Some(org), true) => format!("{} «{org}».", text::RECORDED.trim_end_matches('.')),
        (Some(_), false) if offline.is_some_and(|m| m.queued) => text::OFFLINE_QUEUED.to_owned(),
        (Some(_), false) if offline.is_some() => text::OFFLINE_NOT_RECORDED.to_owned(),
        (Some(_), false) => text::NOT_RECORDED.to_owned(),
        (None, _) => text::PRIVATE_NOT_RECORDED.to_owned(),
    });
    // Offline, a valid verdict says what could not be checked.
    let offline_notes = offline.filter(|_| valid).map(|mark| {
        view! {
            {mark.seen_before.then(|| view! { <p class="seen-before" role="status">{text::OFFLINE_SEEN_BEFORE}</p> })}
            <p class="offline-note">{text::OFFLINE_VALID_NOTE}</p>
            {mark.rotation_unchecked.then(|| view! { <p class="offline-note rotation">{text::OFFLINE_ROTATION}</p> })}
        }
    });
    view! {
        <section
            class=format!("result result-{kind}")
            data-result=kind
            data-status-kind=valid_kind.map(StatusKind::as_str)
            data-scan-seq=outcome.seq.to_string()
            data-recorded=outcome.recorded.to_string()
            data-mode=if outcome.on_behalf.is_some() { "org" } else { "private" }
            data-offline=offline.map(|_| "true")
            data-reason=reason
            data-seen-before=offline.filter(|_| valid).map(|m| m.seen_before.to_string())
            data-queued=offline.filter(|_| valid).map(|m| m.queued.to_string())
            role="alert"
            on:click=move |_| on_resume.run(())
        >
            <p class="result-icon" aria-hidden="true">{if valid { "✓" } else { "✕" }}</p>
            <h2 class="result-title">{title}</h2>
            {offline.filter(|_| reason.is_none()).map(|_| view! { <p class="badge offline">{text::OFFLINE_VERIFIED}</p> })}
            {outcome.status.filter(|_| valid && !digital_id).map(|s| view! { <p class="result-status">{s}</p> })}
            {holder.filter(|_| valid).map(|h| view! {
                <dl class="holder">
                    <dt>{text::HOLDER}</dt><dd class="initials">{h.initials}</dd>
                    <dt>{text::BIRTH_YEAR}</dt><dd class="birth-year">{h.birth_year}</dd>
                </dl>
                <p class="hint">{text::COMPARE_WITH_ID}</p>
            })}
            {offline_notes}
            {ledger.map(|l| view! { <p class="ledger">{l}</p> })}
            {detail.map(|d| view! { <p>{d}</p> })}
            <button class="button resume" type="button">{text::RESUME}</button>
        </section>
    }
}
