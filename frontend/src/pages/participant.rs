//! `/`: the participant page. Sign in, choose the status to show (`GET /api/statuses`; one
//! button each, `data-status`), show its QR code with a countdown — for a dynamic status the
//! code rotates every 30 s, computed on the phone. The pass is kept in localStorage so that,
//! offline, reopening the app still shows it (and keeps rotating it) until it expires.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{Me, PassResponse, Role, StatusOffer};
use statuspass_shared::StatusKind;

use super::Account;
use crate::api::{self, ApiFailure};
use crate::browser::wake_lock::ScreenAwake;
use crate::browser::{self, storage, storage::StoredPass};
use crate::components::{AccountBar, DemoSignIn, PassCard};
use crate::text;

#[derive(Debug, Clone, PartialEq)]
enum PassState {
    None,
    Issuing(StatusKind),
    Shown(StoredPass),
    /// The source does not confirm the status: where to get it confirmed.
    NotFound(StatusKind, String),
    Unavailable,
    Unconfirmed,
    /// Refused with the server's own message (e.g. no birth date for the adult status).
    Refused(String, String),
    Offline,
    Failed,
}

/// Device-clock expiry of a pass, corrected by the server's clock when they disagree by more
/// than two seconds (a phone with a wrong clock must still count down correctly).
fn device_expiry(expires_at_ms: f64, server_now_ms: Option<f64>, device_now_ms: f64) -> f64 {
    match server_now_ms {
        // The Date header is truncated to the second: take the middle of that second.
        Some(server) if (server + 500.0 - device_now_ms).abs() > 2_000.0 => {
            expires_at_ms - (server + 500.0 - device_now_ms)
        }
        _ => expires_at_ms,
    }
}

fn is_offline_now() -> bool {
    browser::window().is_some_and(|w| !w.navigator().on_line())
}

#[component]
pub fn ParticipantPage() -> impl IntoView {
    let account = RwSignal::new(Account::Loading);
    let pass = RwSignal::new(match storage::load_pass(browser::now_ms()) {
        Some(p) => PassState::Shown(p),
        None => PassState::None,
    });
    let offline = RwSignal::new(is_offline_now());
    let _ = window_event_listener(ev::online, move |_| offline.set(false));
    let _ = window_event_listener(ev::offline, move |_| offline.set(true));

    // The statuses offered; until they are known (or offline) the СВО button alone.
    let offers = RwSignal::new(Vec::<StatusOffer>::new());
    spawn_local(async move {
        if let Ok(list) = api::statuses().await {
            offers.set(list);
        }
    });

    spawn_local(async move {
        match api::me().await {
            Ok(me) => {
                offline.set(false);
                account.set(Account::SignedIn(me));
            }
            Err(ApiFailure::Network) => {
                offline.set(true);
                account.set(Account::Offline);
            }
            Err(_) => account.set(Account::SignedOut),
        }
    });

    let get_pass = move |kind: StatusKind| {
        pass.set(PassState::Issuing(kind));
        spawn_local(async move {
            let next = match api::get_pass(kind).await {
                Ok((
                    PassResponse::Issued {
                        id,
                        link,
                        expires_at,
                        status,
                        title,
                        dynamic,
                    },
                    server_now,
                )) => {
                    let device_now = browser::now_ms();
                    let stored = StoredPass {
                        id: id.to_string(),
                        link,
                        expires_at_ms: device_expiry(
                            expires_at.timestamp_millis() as f64,
                            server_now,
                            device_now,
                        ),
                        status,
                        title,
                        dynamic_secret: dynamic.map(|d| d.secret.to_hex()),
                        clock_offset_ms: clock_offset(server_now, device_now),
                    };
                    storage::save_pass(&stored);
                    offline.set(false);
                    PassState::Shown(stored)
                }
                Ok((
                    PassResponse::NotFound {
                        status,
                        confirm_url,
                        ..
                    },
                    _,
                )) => {
                    storage::forget_pass();
                    PassState::NotFound(status, confirm_url)
                }
                Err(ApiFailure::Network) => {
                    offline.set(true);
                    PassState::Offline
                }
                Err(ApiFailure::Unauthorized) => {
                    account.set(Account::SignedOut);
                    PassState::None
                }
                Err(e) if e.code() == Some("account_not_confirmed") => PassState::Unconfirmed,
                Err(e) if e.status() == Some(503) => PassState::Unavailable,
                Err(e) if matches!(e.status(), Some(400 | 422 | 429)) => {
                    PassState::Refused(e.code().unwrap_or("error").to_owned(), e.user_message())
                }
                Err(_) => PassState::Failed,
            };
            pass.set(next);
        });
    };

    let on_signed_in = Callback::new(move |me: Me| {
        // A pass kept on this phone may be someone else's.
        storage::forget_pass();
        pass.set(PassState::None);
        offline.set(false);
        account.set(Account::SignedIn(me));
    });
    let on_signed_out = Callback::new(move |()| {
        storage::forget_pass();
        pass.set(PassState::None);
        account.set(Account::SignedOut);
    });

    let account_view = move || match account.get() {
        Account::Loading => view! { <p class="hint">{text::LOADING}</p> }.into_any(),
        Account::Offline => ().into_any(),
        Account::SignedOut => {
            view! { <DemoSignIn role=Role::Participant on_signed_in /> }.into_any()
        }
        Account::SignedIn(me) => {
            let participant = me.roles.contains(&Role::Participant);
            view! {
                <AccountBar me on_signed_out />
                {if participant {
                    let issuing = move || matches!(pass.get(), PassState::Issuing(_));
                    let button = move |kind: StatusKind, title: String| {
                        let label = move || match pass.get() {
                            PassState::Issuing(k) if k == kind => text::GETTING_PASS.to_owned(),
                            _ => title.clone(),
                        };
                        view! {
                            <li>
                                <button
                                    class="button primary big"
                                    data-status=kind.as_str()
                                    data-testid=(kind == StatusKind::SvoParticipant).then_some("get-pass")
                                    disabled=issuing
                                    on:click=move |_| get_pass(kind)
                                >
                                    {label}
                                </button>
                            </li>
                        }
                    };
                    view! {
                        <section class="card get-pass">
                            <p>{text::PARTICIPANT_LEAD}</p>
                            {move || {
                                let list = offers.get();
                                if list.len() > 1 {
                                    view! {
                                        <h2 class="choose">{text::CHOOSE_STATUS}</h2>
                                        <ul class="statuses">
                                            {list.into_iter().map(|o| button(o.kind, capitalized(&o.title))).collect_view()}
                                        </ul>
                                    }.into_any()
                                } else {
                                    let kind = list.first().map_or(StatusKind::SvoParticipant, |o| o.kind);
                                    view! { <ul class="statuses">{button(kind, text::GET_PASS.to_owned())}</ul> }.into_any()
                                }
                            }}
                        </section>
                    }.into_any()
                } else {
                    view! {
                        <section class="card">
                            <p>{text::NOT_A_PARTICIPANT}</p>
                            <a class="button secondary" href="/scan">{text::OPEN_SCANNER}</a>
                        </section>
                    }.into_any()
                }}
            }
            .into_any()
        }
    };

    let pass_view = move || {
        match pass.get() {
        PassState::None | PassState::Issuing(_) => {
            if account.get() == Account::Offline {
                view! { <p class="card problem" data-problem="offline" role="alert">{text::OFFLINE_NO_PASS}</p> }.into_any()
            } else {
                ().into_any()
            }
        }
        PassState::Shown(p) => view! { <PassCard pass=p offline=offline.into() /> }.into_any(),
        PassState::NotFound(kind, url) if !kind.is_svo() => view! {
            <section class="card not-found" data-outcome="not_found" data-status=kind.as_str() role="alert">
                <h2>{text::STATUS_NOT_HELD_TITLE}": "{kind.title()}</h2>
                <p>{text::STATUS_NOT_HELD_TEXT}</p>
                <p><a class="button secondary" href=url rel="noopener" target="_blank">{text::STATUS_WHERE_TO_CONFIRM}</a></p>
            </section>
        }.into_any(),
        PassState::Refused(code, message) => view! {
            <p class="card problem" data-problem=code role="alert">{message}</p>
        }.into_any(),
        PassState::NotFound(_, url) => view! {
            <section class="card not-found" data-outcome="not_found" role="alert">
                <h2>{text::NOT_FOUND_TITLE}</h2>
                <p>{text::NOT_FOUND_TEXT}</p>
                <p><a class="button secondary" href=url rel="noopener" target="_blank">{text::NOT_FOUND_LINK}</a></p>
                <p class="note">{text::PAPER_STILL_ACCEPTED}</p>
            </section>
        }.into_any(),
        PassState::Unavailable => problem("unavailable", text::UNAVAILABLE),
        PassState::Unconfirmed => problem("unconfirmed", text::UNCONFIRMED),
        PassState::Offline => problem("offline", text::OFFLINE_NO_PASS),
        PassState::Failed => problem("error", text::GENERIC_ERROR),
    }
    };

    // The screen stays on while a pass is shown (the checker may take a while to scan it),
    // taken again when the page is shown again.
    let awake = StoredValue::new_local(ScreenAwake::new(|_| {}));
    Effect::new(move |_| {
        let shown = matches!(pass.get(), PassState::Shown(_));
        awake.with_value(|a| if shown { a.keep() } else { a.release() });
    });
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        let shown = pass.try_with_untracked(|p| matches!(p, PassState::Shown(_)));
        if shown == Some(true) && !browser::page_hidden() {
            awake.try_with_value(ScreenAwake::keep);
        }
    });
    on_cleanup(move || {
        visibility.remove();
        awake.try_with_value(ScreenAwake::release);
    });

    // The pass first: the account card arriving later (the sign-in check) goes below it, so
    // the code does not jump on a phone that reopens the app.
    view! {
        <main class="page participant">
            <header class="bar">
                <h1>{text::APP_TITLE}</h1>
                <Show when=move || offline.get()>
                    <span class="badge offline">{text::OFFLINE_BADGE}</span>
                </Show>
            </header>
            {pass_view}
            {account_view}
            <nav class="links"><a href="/scan">{text::OPEN_SCANNER}</a></nav>
        </main>
    }
}

/// Server clock minus phone clock (ms), from the `Date` header of the issue answer; 0 when the
/// two agree within the header's one-second resolution.
fn clock_offset(server_now_ms: Option<f64>, device_now_ms: f64) -> f64 {
    match server_now_ms {
        Some(server) if (server + 500.0 - device_now_ms).abs() > 1_000.0 => {
            server + 500.0 - device_now_ms
        }
        _ => 0.0,
    }
}

/// «студент» → «Студент» (button labels).
fn capitalized(title: &str) -> String {
    let mut chars = title.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn problem(key: &'static str, message: &'static str) -> AnyView {
    view! { <p class="card problem" data-problem=key role="alert">{message}</p> }.into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_offset_follows_the_server() {
        assert_eq!(clock_offset(None, 5.0), 0.0);
        assert_eq!(clock_offset(Some(40_000.0), 40_300.0), 0.0);
        assert_eq!(clock_offset(Some(100_000.0), 40_500.0), 60_000.0);
        assert_eq!(capitalized("студент"), "Студент");
        assert_eq!(capitalized(""), "");
    }

    #[test]
    fn a_right_clock_is_left_alone_and_a_wrong_one_corrected() {
        assert_eq!(
            device_expiry(100_000.0, Some(40_000.0), 40_200.0),
            100_000.0
        );
        assert_eq!(device_expiry(100_000.0, None, 0.0), 100_000.0);
        // The phone is 60 s ahead: the pass ends 60 s later by the phone's clock.
        assert_eq!(
            device_expiry(100_000.0, Some(40_000.0), 100_500.0),
            160_000.0
        );
    }
}
