//! Who is signed in, and the sign-out button.

use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::Me;

use crate::api;
use crate::text;

/// A one-line bar: name and «Выйти».
#[component]
pub fn AccountBar(
    /// The signed-in person.
    me: Me,
    /// Called after signing out.
    on_signed_out: Callback<()>,
) -> impl IntoView {
    let sign_out = move |_| {
        spawn_local(async move {
            // Signed out locally even if the server cannot be reached; after a real sign-in the
            // provider's session ends too (it sends the browser back to the home page).
            crate::browser::storage::forget_scanner_person();
            // The service worker sends nobody's queued scans until someone queues again.
            crate::browser::idb::save_owner(None).await;
            match api::sign_out().await {
                Ok(Some(end_session)) => {
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&end_session);
                    }
                }
                _ => on_signed_out.run(()),
            }
        });
    };
    view! {
        <div class="account">
            <span>{text::SIGNED_IN_AS}" "<strong>{me.name}</strong></span>
            <button class="button secondary small" on:click=sign_out>{text::SIGN_OUT}</button>
        </div>
    }
}
