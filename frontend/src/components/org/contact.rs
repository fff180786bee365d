//! The contact e-mail, where the reports are sent (checked by the server: 400 `invalid_email`).

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{problem_line, OrgCtx};
use crate::api;
use crate::text;

/// The id of the e-mail input (the report list links here when a report waits for it).
pub const EMAIL_INPUT_ID: &str = "contact-email";

#[component]
pub fn ContactEmailForm(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let typed = RwSignal::new(ctx.email.get_untracked().unwrap_or_default());
    let busy = RwSignal::new(false);
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        saved.set(false);
        error.set(None);
        let ogrn = ctx.ogrn();
        let email = typed.get_untracked();
        spawn_local(async move {
            match api::set_contact_email(&ogrn, &email).await {
                Ok(org) => {
                    ctx.email.set(org.contact_email);
                    saved.set(true);
                }
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card contact" aria-labelledby="contact-title">
            <h2 id="contact-title">{text::EMAIL_TITLE}</h2>
            {move || ctx.email.get().is_none().then(|| view! {
                <p class="warning" data-flag="no-email" role="status">{text::EMAIL_MISSING}</p>
            })}
            // The server checks the address (and says why it refuses); the browser's own
            // check would hide that message.
            <form class="stack" novalidate=true on:submit=submit>
                <label class="field" for=EMAIL_INPUT_ID>{text::EMAIL_LABEL}</label>
                <input id=EMAIL_INPUT_ID type="email" inputmode="email" autocomplete="email"
                    aria-describedby="contact-hint"
                    prop:value=move || typed.get()
                    on:input=move |ev| typed.set(event_target_value(&ev)) />
                <p id="contact-hint" class="hint">{text::EMAIL_HINT}</p>
                <button class="button primary" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { text::SAVING } else { text::SAVE }}
                </button>
            </form>
            {move || saved.get().then(|| view! { <p class="ok" role="status" data-saved="">{text::SAVED}</p> })}
            {move || problem_line(error.get())}
        </section>
    }
}
