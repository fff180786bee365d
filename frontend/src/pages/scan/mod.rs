//! `/scan`: the staff scanner. Rear camera, frames decoded in a Web Worker, the verdict from
//! the server (foreign codes answered locally), a full-screen result that one tap dismisses.
//! Also: torch, a one-tap lens switch (the lens remembered), decode from a photo, manual entry.
//! Without network the verdict is decided on the device from the code's signed token and the
//! cached key list ([`offline`]).
//!
//! Layout (a cheap 360×640 phone first): the organization switch as a compact bar, then the
//! camera, whole on screen; notices, tools, the account and links below it. The camera stops
//! while the page is hidden and starts again when it is shown; the screen is kept awake while
//! it runs.

mod engine;
mod entry;
pub(crate) mod offline;
mod on_behalf;
pub(crate) mod queue;
mod state;

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{Me, Role};
use wasm_bindgen::JsCast;

use self::engine::{CameraState, Scanner, Screen};
use self::on_behalf::{OnBehalf, OnBehalfHint};
use super::Account;
use crate::api::{self, ApiFailure};
use crate::browser::camera::CameraProblem;
use crate::browser::storage;
use crate::components::{AccountBar, DemoSignIn, ScanResultCard};
use crate::text;

/// The window event the browser tests dispatch to make the decode worker panic.
pub const TEST_PANIC_EVENT: &str = "statuspass:worker-panic";

fn is_staff(account: &Account) -> bool {
    matches!(account, Account::SignedIn(me) if me.roles.contains(&Role::Staff))
}

#[component]
pub fn ScanPage() -> impl IntoView {
    let scanner = Scanner::new();
    let account = scanner.account;
    scanner.load_config();
    scanner.load_keys();
    spawn_local(async move {
        account.set(match api::me().await {
            Ok(me) => Account::SignedIn(me),
            // Without network the scanner opens for the staff member last signed in here: it
            // checks codes by their signature and queues organization scans.
            Err(ApiFailure::Network) => storage::load_scanner_start()
                .and_then(|s| s.me)
                .map_or(Account::Offline, Account::SignedIn),
            Err(_) => {
                storage::forget_scanner_person();
                Account::SignedOut
            }
        });
    });
    // Start once a staff member is known; the video element exists by then (rendered below).
    Effect::new(move |started: Option<bool>| {
        let current = account.get();
        let staff = is_staff(&current);
        if let (true, Account::SignedIn(me)) = (staff, current) {
            // Kept for opening offline (also after a sign-in on this page).
            storage::update_scanner_start(|s| s.me = Some(me));
        }
        if staff && started != Some(true) {
            request_animation_frame(move || scanner.start());
            return true;
        }
        started.unwrap_or(false)
    });
    let panic_hook =
        window_event_listener_untyped(TEST_PANIC_EVENT, move |_| scanner.provoke_worker_panic());
    let visibility = window_event_listener_untyped("visibilitychange", move |_| {
        if crate::browser::page_hidden() {
            scanner.pause_camera();
        } else {
            scanner.resume_camera();
        }
    });
    on_cleanup(move || {
        panic_hook.remove();
        visibility.remove();
        scanner.shutdown();
    });

    let on_signed_in = Callback::new(move |me: Me| account.set(Account::SignedIn(me)));
    let on_signed_out = Callback::new(move |()| {
        if let Some(w) = crate::browser::window() {
            let _ = w.location().reload();
        }
    });

    let header_account = move || match account.get() {
        Account::SignedIn(me) => view! { <AccountBar me on_signed_out /> }.into_any(),
        _ => ().into_any(),
    };
    let gate = move || {
        match account.get() {
        Account::Loading => Some(view! { <p class="hint">{text::LOADING}</p> }.into_any()),
        Account::Offline => Some(
            view! { <p class="card problem" data-problem="network" role="alert">{text::SCAN_NETWORK}</p> }
                .into_any(),
        ),
        Account::SignedOut => Some(view! { <DemoSignIn role=Role::Staff on_signed_in /> }.into_any()),
        Account::SignedIn(me) if !me.roles.contains(&Role::Staff) => Some(
            view! { <p class="card problem" data-problem="not-staff" role="alert">{text::SCAN_STAFF_ONLY}</p> }
                .into_any(),
        ),
        Account::SignedIn(_) => None,
    }
    };

    view! {
        <main
            class="page scan"
            data-camera=move || camera_key(&scanner.camera.get())
            data-worker-restarts=move || scanner.restarts.get().to_string()
            data-decode-ms=move || format!("{:.1}", scanner.last_decode_ms.get())
            data-decode-mean-ms=move || format!("{:.1}", scanner.mean_decode_ms.get())
            data-decode-fast-ms=move || format!("{:.1}", scanner.mean_fast_ms.get())
            data-decode-thorough-ms=move || format!("{:.1}", scanner.mean_thorough_ms.get())
            data-decoded-frames=move || scanner.decoded_frames.get().to_string()
            data-frame-size=move || scanner.frame_size.get().map(|(w, h)| format!("{w}x{h}"))
            data-first-frame-ms=move || scanner.first_frame_ms.get().map(|t| format!("{t:.1}"))
            data-keys-fetched-at=move || scanner.keys_fetched_at.get().map(|t| format!("{t:.0}"))
            data-network=move || if scanner.online.get() { "online" } else { "offline" }
            data-awake=move || scanner.awake.get().to_string()
            data-checks-today=move || scanner.checks_today.get().to_string()
        >
            // While scanning the title is for screen readers only: the camera comes first.
            <header class="bar" class:visually-hidden=move || is_staff(&account.get())>
                <h1>{text::SCAN_TITLE}</h1>
            </header>
            {gate}
            <Show when=move || is_staff(&account.get())>
                <OnBehalf scanner />
                <Viewport scanner />
                <OnBehalfHint scanner />
                <Pending scanner />
                {move || (!scanner.online.get()).then(|| view! {
                    <p class="offline-start" role="status">{text::SCAN_OFFLINE_START}</p>
                })}
                {move || scanner.keys_stale().then(|| view! {
                    <p class="keys-stale" data-keys-stale="" role="status">{text::KEYS_STALE}</p>
                })}
                <p class="hint">{text::SCAN_HINT}</p>
                <p class="checks-today">
                    {text::CHECKS_TODAY}" "<strong>{move || scanner.checks_today.get()}</strong>
                </p>
                <Tools scanner />
            </Show>
            {header_account}
            <nav class="links"><a href="/">{text::OPEN_PARTICIPANT}</a></nav>
        </main>
    }
}

/// In organization mode (and whenever scans wait): how many organization scans made offline
/// wait to be sent (`data-pending="{n}"`), with a button to send them now.
#[component]
fn Pending(
    /// The scanner whose queue this is.
    scanner: Scanner,
) -> impl IntoView {
    move || {
        let n = scanner.pending.get();
        (scanner.on_behalf_of.get().is_some() || n > 0).then(|| {
            view! {
                <p class="pending" data-pending=n.to_string() role="status">
                    {if n == 0 {
                        text::PENDING_NONE.to_owned()
                    } else {
                        format!("{} {n}", text::PENDING_SOME)
                    }}
                    {(n > 0 && scanner.online.get()).then(|| view! {
                        <button type="button" class="button secondary small"
                            on:click=move |_| scanner.flush_queue()>
                            {text::PENDING_SEND}
                        </button>
                    })}
                </p>
            }
        })
    }
}

fn camera_key(state: &CameraState) -> &'static str {
    match state {
        CameraState::Off => "off",
        CameraState::Starting => "starting",
        CameraState::On => "on",
        CameraState::Problem(p) => p.key(),
    }
}

fn camera_problem_text(problem: &CameraProblem) -> &'static str {
    match problem {
        CameraProblem::Insecure => text::CAMERA_INSECURE,
        CameraProblem::Denied => text::CAMERA_DENIED,
        CameraProblem::Missing => text::CAMERA_MISSING,
        CameraProblem::Busy => text::CAMERA_BUSY,
        CameraProblem::Failed(_) => text::CAMERA_FAILED,
    }
}

/// The camera picture with the aim frame, and whatever covers it (result, notice, problem).
#[component]
fn Viewport(
    /// The scanner whose camera this is.
    scanner: Scanner,
) -> impl IntoView {
    let resume = Callback::new(move |()| scanner.resume());
    let camera_overlay = move || match scanner.camera.get() {
        CameraState::Starting | CameraState::Off => {
            Some(view! { <p class="overlay-note">{text::CAMERA_STARTING}</p> }.into_any())
        }
        CameraState::On => None,
        CameraState::Problem(p) => Some(
            view! {
                <div class="overlay problem-card" data-problem=p.key() role="alert">
                    <p class="problem-title">{camera_problem_text(&p)}</p>
                    <p>{text::CAMERA_ALTERNATIVES}</p>
                    <button class="button secondary" on:click=move |_| scanner.start_camera(None)>
                        {text::RETRY_CAMERA}
                    </button>
                </div>
            }
            .into_any(),
        ),
    };
    let screen_overlay = move || match scanner.screen.get() {
        Screen::Scanning => None,
        Screen::Checking(label) => {
            Some(view! { <p class="overlay-note checking" role="status">{label}</p> }.into_any())
        }
        Screen::Result(outcome) => {
            Some(view! { <ScanResultCard outcome on_resume=resume /> }.into_any())
        }
        Screen::Notice(notice) => Some(
            view! {
                <section class="result result-problem" data-problem=notice.key() role="alert"
                    on:click=move |_| scanner.resume()>
                    <p class="result-icon" aria-hidden="true">"!"</p>
                    <h2 class="result-title">{notice.message()}</h2>
                    {notice.detail().map(|d| view! { <p>{d}</p> })}
                    <button class="button resume" type="button">{text::RESUME}</button>
                </section>
            }
            .into_any(),
        ),
    };
    view! {
        <div class="viewport">
            <video node_ref=scanner.video class="camera" autoplay=true playsinline=true muted=true
                aria-label=text::SCAN_HINT></video>
            <div class="aim" aria-hidden="true"></div>
            {camera_overlay}
            {screen_overlay}
        </div>
    }
}

/// Torch, camera choice, photo, manual entry.
#[component]
fn Tools(
    /// The scanner these tools drive.
    scanner: Scanner,
) -> impl IntoView {
    let typed = RwSignal::new(String::new());
    let on_photo = move |event: ev::Event| {
        let input = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                scanner.check_photo(file);
            }
            // Allow choosing the same file again.
            input.set_value("");
        }
    };
    let on_manual = move |event: ev::SubmitEvent| {
        event.prevent_default();
        scanner.check_typed(typed.get_untracked());
    };
    view! {
        <div class="tools">
            {move || scanner.torch.get().map(|on| view! {
                <button class="button secondary" aria-pressed=on.to_string()
                    on:click=move |_| scanner.toggle_torch()>
                    {if on { text::TORCH_OFF } else { text::TORCH_ON }}
                </button>
            })}
            {move || (scanner.cameras.with(Vec::len) > 1).then(|| {
                // The lens in use, by its label (before permission labels are empty: numbered).
                let current = move || {
                    let id = scanner.current_camera.get();
                    scanner.cameras.with(|cameras| {
                        cameras
                            .iter()
                            .enumerate()
                            .find(|(_, (c, _))| Some(c) == id.as_ref())
                            .map(|(i, (_, label))| match label.is_empty() {
                                true => format!("{} {}", text::CAMERA_DEFAULT_NAME, i + 1),
                                false => label.clone(),
                            })
                            .unwrap_or_default()
                    })
                };
                view! {
                    <button type="button" class="button secondary" data-switch-camera=""
                        on:click=move |_| scanner.switch_camera()>
                        {text::CAMERA_SWITCH}
                        <span class="camera-name">{current}</span>
                    </button>
                }
            })}
            <label class="button secondary file">
                {text::PHOTO}
                <input type="file" accept="image/*" class="visually-hidden" data-testid="photo" on:change=on_photo />
            </label>
            <form class="manual" on:submit=on_manual>
                <label class="field" for="manual-code">{text::MANUAL_LABEL}</label>
                <div class="row">
                    <input id="manual-code" type="text" inputmode="text" autocomplete="off"
                        autocapitalize="off" spellcheck="false" placeholder=text::MANUAL_PLACEHOLDER
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <button class="button primary" type="submit">{text::MANUAL_SUBMIT}</button>
                </div>
            </form>
        </div>
    }
}
