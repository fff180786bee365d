//! The result of a check, filling the scanner view; one tap anywhere resumes scanning.

use leptos::prelude::*;
use statuspass_shared::api::{Holder, ScanResult};
use statuspass_shared::StatusKind;

use crate::text;

/// What the scanner shows after a code was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOutcome {
    pub result: ScanResult,
    pub status: Option<String>,
    /// The kind of a valid pass («Цифровой ID» kinds show nothing personal).
    pub status_kind: Option<StatusKind>,
    pub holder: Option<Holder>,
    pub recorded: bool,
    /// The short name of the organization the scan was made for; `None`: a private scan.
    pub on_behalf: Option<String>,
    /// 1 for the first result of this page, then 2, 3, … (lets tests tell results apart).
    pub seq: u32,
}

/// A full-size, colour-coded result card.
#[component]
pub fn ScanResultCard(
    /// The result to show.
    outcome: ScanOutcome,
    /// Called on the tap that resumes scanning.
    on_resume: Callback<()>,
) -> impl IntoView {
    let valid_kind = outcome
        .status_kind
        .filter(|_| outcome.result == ScanResult::Valid);
    let (title, detail) = match outcome.result {
        // The kind in large type: «Подтверждено: студент».
        ScanResult::Valid => match valid_kind {
            Some(kind) if kind != StatusKind::SvoParticipant => {
                (format!("{} {}", text::CONFIRMED_STATUS, kind.title()), None)
            }
            _ => (text::VALID_TITLE.to_owned(), None),
        },
        ScanResult::Unknown => (text::UNKNOWN_TITLE.to_owned(), Some(text::UNKNOWN_TEXT)),
        ScanResult::Expired => (text::EXPIRED_TITLE.to_owned(), Some(text::EXPIRED_TEXT)),
        ScanResult::Foreign => (text::FOREIGN_TITLE.to_owned(), Some(text::FOREIGN_TEXT)),
        ScanResult::Stale => (text::STALE_TITLE.to_owned(), Some(text::STALE_TEXT)),
    };
    // Nothing personal for a «Цифровой ID» status, whatever the answer held.
    let digital_id = valid_kind.is_some_and(StatusKind::is_digital_id);
    let kind = outcome.result.as_str();
    let holder = outcome.holder.clone().filter(|_| !digital_id);
    let valid = outcome.result == ScanResult::Valid;
    // For a valid pass: was it written to the organization's report (or is this private)?
    let ledger = valid.then(|| match (&outcome.on_behalf, outcome.recorded) {
        (Some(org), true) => format!("{} «{org}».", text::RECORDED.trim_end_matches('.')),
        (Some(_), false) => text::NOT_RECORDED.to_owned(),
        (None, _) => text::PRIVATE_NOT_RECORDED.to_owned(),
    });
    view! {
        <section
            class=format!("result result-{kind}")
            data-result=kind
            data-status-kind=valid_kind.map(StatusKind::as_str)
            data-scan-seq=outcome.seq.to_string()
            data-recorded=outcome.recorded.to_string()
            data-mode=if outcome.on_behalf.is_some() { "org" } else { "private" }
            role="alert"
            on:click=move |_| on_resume.run(())
        >
            <p class="result-icon" aria-hidden="true">{if valid { "✓" } else { "✕" }}</p>
            <h2 class="result-title">{title}</h2>
            {outcome.status.filter(|_| valid && !digital_id).map(|s| view! { <p class="result-status">{s}</p> })}
            {holder.filter(|_| valid).map(|h| view! {
                <dl class="holder">
                    <dt>{text::HOLDER}</dt><dd class="initials">{h.initials}</dd>
                    <dt>{text::BIRTH_YEAR}</dt><dd class="birth-year">{h.birth_year}</dd>
                </dl>
                <p class="hint">{text::COMPARE_WITH_ID}</p>
            })}
            {ledger.map(|l| view! { <p class="ledger">{l}</p> })}
            {detail.map(|d| view! { <p>{d}</p> })}
            <button class="button resume" type="button">{text::RESUME}</button>
        </section>
    }
}
