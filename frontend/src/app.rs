//! The root components, one per wasm binary, and their mounting. Each page is a full load (no
//! client-side router), so the app is chosen by the path before any wasm is fetched (the loader
//! in `Trunk.toml`): [`ParticipantApp`] (`src/main.rs`) for `/`, the page most people open,
//! [`ScanApp`] (`src/bin/scan.rs`) for `/scan` and [`OrgApp`] (`src/bin/org.rs`) for `/org`:
//! the participant's phone never loads the camera, the decoder bridge, the offline verifier or
//! the organization forms, and a desk's scanner not the organization forms.

use leptos::prelude::*;

use crate::browser;
use crate::pages::{OrgPage, ParticipantPage, ScanPage};

/// Registers the service worker and mounts `app` in place of the static shell of `index.html`.
pub fn mount<F, N>(app: F)
where
    F: FnOnce() -> N + 'static,
    N: IntoView + 'static,
{
    if let Some(shell) = browser::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("shell"))
    {
        shell.remove();
    }
    browser::sw::register();
    leptos::mount::mount_to_body(app);
}

/// `/` (and any other path but `/scan` and `/org`): the participant's pass.
#[component]
pub fn ParticipantApp() -> impl IntoView {
    view! { <ParticipantPage /> }
}

/// `/scan`: the scanner.
#[component]
pub fn ScanApp() -> impl IntoView {
    view! { <ScanPage /> }
}

/// `/org`: the organization pages.
#[component]
pub fn OrgApp() -> impl IntoView {
    view! { <OrgPage /> }
}
