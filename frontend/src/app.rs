//! The root component: registers the service worker and picks the page by path (each page is a
//! full load, so there is no client-side router).

use leptos::prelude::*;

use crate::browser;
use crate::pages::{OrgPage, ParticipantPage, ScanPage};

#[component]
pub fn App() -> impl IntoView {
    browser::sw::register();
    let path = browser::window()
        .and_then(|w| w.location().pathname().ok())
        .unwrap_or_default();
    match path.trim_end_matches('/') {
        "/scan" => view! { <ScanPage /> }.into_any(),
        "/org" => view! { <OrgPage /> }.into_any(),
        _ => view! { <ParticipantPage /> }.into_any(),
    }
}
