//! `/org`: the organization page for its admins. Choose the organization (when there are
//! several), then: successful scans, reports, the contact e-mail, delegations, staff.
//! Anyone else gets a clear refusal.

use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{Me, OrgSummary, Role};
use statuspass_shared::Ogrn;

use super::Account;
use crate::api::{self, ApiFailure};
use crate::components::org::{
    fetch_into, ContactEmailForm, Delegations, Load, OrgCtx, Reports, Staff, Stats,
};
use crate::components::{AccountBar, DemoSignIn};
use crate::text;

fn is_admin(account: &Account) -> bool {
    matches!(account, Account::SignedIn(me) if me.roles.contains(&Role::Admin))
}

#[component]
pub fn OrgPage() -> impl IntoView {
    let account = RwSignal::new(Account::Loading);
    spawn_local(async move {
        account.set(match api::me().await {
            Ok(me) => Account::SignedIn(me),
            Err(ApiFailure::Network) => Account::Offline,
            Err(_) => Account::SignedOut,
        });
    });
    let on_signed_in = Callback::new(move |me: Me| account.set(Account::SignedIn(me)));
    let on_signed_out = Callback::new(move |()| account.set(Account::SignedOut));

    let body = move || match account.get() {
        Account::Loading => view! { <p class="hint">{text::LOADING}</p> }.into_any(),
        Account::Offline => view! {
            <p class="card problem" data-problem="network" role="alert">{text::SCAN_NETWORK}</p>
        }
        .into_any(),
        Account::SignedOut => view! { <DemoSignIn role=Role::Admin on_signed_in /> }.into_any(),
        Account::SignedIn(me) => {
            let admin = is_admin(&Account::SignedIn(me.clone()));
            view! {
                <AccountBar me on_signed_out />
                {if admin {
                    view! { <OrgChooser /> }.into_any()
                } else {
                    view! {
                        <p class="card problem" data-problem="not-admin" role="alert">{text::ORG_ADMIN_ONLY}</p>
                    }
                    .into_any()
                }}
            }
            .into_any()
        }
    };

    view! {
        <main class="page org">
            <header class="bar"><h1>{text::ORG_TITLE}</h1></header>
            {body}
            <nav class="links">
                <a href="/scan">{text::OPEN_SCANNER}</a>
                " · "
                <a href="/">{text::OPEN_PARTICIPANT}</a>
            </nav>
        </main>
    }
}

/// The organizations the admin administers; the chosen one's sections below.
#[component]
fn OrgChooser() -> impl IntoView {
    let orgs = RwSignal::new(Load::Loading);
    let chosen = RwSignal::new(None::<Ogrn>);
    fetch_into(orgs, api::orgs());
    Effect::new(move |_| {
        if let Load::Ready(list) = orgs.get() {
            if chosen.get_untracked().is_none() {
                chosen.set(list.first().map(|o: &OrgSummary| o.ogrn.clone()));
            }
        }
    });
    let choice = move || {
        match orgs.get() {
        Load::Loading => view! { <p class="hint">{text::LOADING}</p> }.into_any(),
        Load::Failed(m) => view! { <p class="card problem" role="alert" data-error="">{m}</p> }.into_any(),
        Load::Ready(list) if list.is_empty() => {
            view! { <p class="card problem" data-problem="no-org" role="alert">{text::ORG_NONE}</p> }.into_any()
        }
        Load::Ready(list) if list.len() == 1 => ().into_any(),
        Load::Ready(list) => view! {
            <label class="field org-choice">
                <span>{text::ORG_CHOICE}</span>
                <select id="org-choice" on:change=move |ev| {
                    chosen.set(Ogrn::parse(&event_target_value(&ev)).ok());
                }>
                    {list.into_iter().map(|o| {
                        let selected = chosen.get_untracked().as_ref() == Some(&o.ogrn);
                        view! { <option value=o.ogrn.to_string() selected=selected>{o.short_name}</option> }
                    }).collect_view()}
                </select>
            </label>
        }
        .into_any(),
    }
    };
    // Rebuilt from scratch when another organization is chosen.
    let admin = move || {
        let ogrn = chosen.get()?;
        let org = orgs.with_untracked(|o| match o {
            Load::Ready(list) => list.iter().find(|x| x.ogrn == ogrn).cloned(),
            _ => None,
        })?;
        Some(view! { <OrgAdmin org orgs /> })
    };
    view! {
        {choice}
        {admin}
    }
}

/// Everything about one organization.
#[component]
fn OrgAdmin(
    /// The organization as listed.
    org: OrgSummary,
    /// The list it comes from (kept in step when the e-mail changes).
    orgs: RwSignal<Load<Vec<OrgSummary>>>,
) -> impl IntoView {
    let ctx = OrgCtx::new(&org);
    // Keep the list's copy in step, so choosing this organization again shows the new e-mail.
    Effect::new(move |_| {
        let email = ctx.email.get();
        let ogrn = ctx.ogrn();
        orgs.update_untracked(|o| {
            if let Load::Ready(list) = o {
                if let Some(x) = list.iter_mut().find(|x| x.ogrn == ogrn) {
                    x.contact_email = email;
                }
            }
        });
    });
    view! {
        <section class="card org-head" data-org=org.ogrn.to_string() aria-labelledby="org-name">
            <h2 id="org-name">{org.short_name.clone()}</h2>
            <p>{org.full_name.clone()}</p>
            <p class="meta">{text::OGRN}" "<code>{org.ogrn.to_string()}</code></p>
        </section>
        <Stats ctx />
        <Reports ctx />
        <ContactEmailForm ctx />
        <Delegations ctx />
        <Staff ctx />
    }
}
