//! The pass on screen: its status, QR code (for a dynamic code, redrawn every 30 s on the phone
//! itself, offline too), live countdown, and the offline mark.

use std::time::Duration;

use leptos::prelude::*;

use statuspass_shared::StatusKind;

use crate::browser::{self, storage, storage::StoredPass};
use crate::components::QrCode;
use crate::text;

/// `m:ss`.
pub fn format_remaining(secs: u64) -> String {
    format!("{}:{:02}", secs / 60, secs % 60)
}

/// The QR code of a pass and the time it has left; once that is zero, the pass is dropped from
/// storage and an «expired» note replaces the code.
#[component]
pub fn PassCard(
    /// The pass to show.
    pass: StoredPass,
    /// True when the phone has no network (the pass comes from storage).
    offline: Signal<bool>,
) -> impl IntoView {
    let now = RwSignal::new(browser::now_ms());
    if let Ok(handle) = set_interval_with_handle(
        move || now.set(browser::now_ms()),
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let remaining = {
        let pass = pass.clone();
        Memo::new(move |_| pass.remaining_secs(now.get()))
    };
    Effect::new(move |_| {
        if remaining.get() == 0 {
            storage::forget_pass();
        }
    });
    // The code's text changes only at a step boundary; the memo keeps the QR from redrawing
    // on every tick.
    let code = {
        let pass = pass.clone();
        Memo::new(move |_| pass.code_at(now.get()))
    };
    let dynamic = pass.is_dynamic();
    let refresh_in = {
        let pass = pass.clone();
        move || (pass.next_rotation_in_ms(now.get()) / 1000.0).ceil() as u64
    };
    let heading = if pass.title.is_empty() || pass.status == StatusKind::SvoParticipant {
        text::PASS_TITLE.to_owned()
    } else {
        format!("{} {}", text::PASS_TITLE_FOR, pass.title)
    };
    let kind = pass.status.as_str();
    let short_id = pass.id.chars().take(8).collect::<String>();
    view! {
        <section class="card pass" aria-labelledby="pass-title" data-offline=move || offline.get().to_string()
            data-status=kind data-dynamic=dynamic.to_string()>
            <h2 id="pass-title">
                {heading}
                <Show when=move || offline.get()>
                    " "<span class="badge offline" data-testid="offline">{text::OFFLINE_BADGE}</span>
                </Show>
            </h2>
            <Show
                when=move || { remaining.get() > 0 }
                fallback=|| view! { <p class="expired" role="alert">{text::PASS_EXPIRED}</p> }
            >
                <QrCode text=code label=text::PASS_QR_LABEL />
                {dynamic.then(|| view! {
                    <p class="refresh" data-testid="refresh">
                        {text::DYNAMIC_REFRESH}" "<strong>{refresh_in.clone()}</strong>" "{text::SECONDS_SHORT}
                    </p>
                })}
                <p class="countdown" role="timer" data-remaining=move || remaining.get().to_string()>
                    {text::PASS_REMAINING}" "<strong>{move || format_remaining(remaining.get())}</strong>
                </p>
                <p class="pass-id">{text::PASS_NUMBER}" "<code>{short_id.clone()}"…"</code></p>
                <Show when=move || offline.get()>
                    <p class="note">{text::OFFLINE_PASS_NOTE}</p>
                </Show>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_time_reads_as_minutes_and_seconds() {
        assert_eq!(format_remaining(300), "5:00");
        assert_eq!(format_remaining(61), "1:01");
        assert_eq!(format_remaining(9), "0:09");
    }
}
