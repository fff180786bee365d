//! The two root components, one per wasm binary, and their mounting. Each page is a full load
//! (no client-side router), so the app is chosen by the path before any wasm is fetched (the
//! loader in `Trunk.toml`): [`ParticipantApp`] (`src/main.rs`) for `/`, the page most people
//! open, and [`StaffApp`] (`src/bin/staff.rs`) for `/scan` and `/org`, whose camera, decoder
//! bridge, offline verification and organization forms the participant's phone never loads.

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

/// `/` (and any other path but the staff ones): the participant's pass.
#[component]
pub fn ParticipantApp() -> impl IntoView {
    view! { <ParticipantPage /> }
}

/// `/scan` and `/org` (the paths the loader in `Trunk.toml` sends here): the scanner and the
/// organization pages.
#[component]
pub fn StaffApp() -> impl IntoView {
    let path = browser::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    match path.trim_end_matches('/') {
        "/org" => view! { <OrgPage /> }.into_any(),
        _ => view! { <ScanPage /> }.into_any(),
    }
}
