//! The organization's members: list, add (by СНИЛС before their first sign-in, or a demo person
//! as a convenience when demo sign-in is on), remove (after a second tap; removing also revokes their delegations).

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{AddStaff, DemoPerson, Role, StaffMember};

use super::{load_view, problem_line, role_text, OrgCtx};
use crate::api;
use crate::text;

#[component]
pub fn Staff(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let error = RwSignal::new(None::<String>);
    // The subject whose removal waits for the second tap.
    let confirming = RwSignal::new(None::<String>);
    let remove = move |subject: String| {
        error.set(None);
        let ogrn = ctx.ogrn();
        spawn_local(async move {
            match api::remove_staff(&ogrn, &subject).await {
                Ok(()) => {
                    confirming.set(None);
                    ctx.reload_staff();
                    ctx.delegations_changed();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let row = move |m: StaffMember| {
        let subject = m.subject.clone();
        let asking = {
            let subject = subject.clone();
            move || confirming.get().as_deref() == Some(subject.as_str())
        };
        let ask = {
            let subject = subject.clone();
            move |_| confirming.set(Some(subject.clone()))
        };
        let confirm = {
            let subject = subject.clone();
            move |_| remove(subject.clone())
        };
        view! {
            <li class="item" data-subject=subject.clone() data-role=role_text(m.role)>
                <div class="item-main">
                    <strong>{m.name}</strong>
                    <span class="badge">{role_text(m.role)}</span>
                    {m.pending.then(|| view! { <span class="badge pending">{text::STAFF_PENDING}</span> })}
                    {m.snils_masked.clone().map(|s| view! { <span class="meta">{text::STAFF_SNILS_SHORT}" "{s}</span> })}
                </div>
                <Show
                    when=asking
                    fallback=move || view! {
                        <button type="button" class="button secondary small" on:click=ask.clone()>
                            {text::STAFF_REMOVE}
                        </button>
                    }
                >
                    <p class="warning">{text::STAFF_REMOVE_CONFIRM}</p>
                    <div class="row">
                        <button type="button" class="button danger small" on:click=confirm.clone()>
                            {text::STAFF_REMOVE_YES}
                        </button>
                        <button type="button" class="button secondary small"
                            on:click=move |_| confirming.set(None)>
                            {text::CANCEL}
                        </button>
                    </div>
                </Show>
            </li>
        }
    };
    view! {
        <section class="card staff" aria-labelledby="staff-title">
            <h2 id="staff-title">{text::STAFF_TITLE}</h2>
            {load_view(ctx.staff, move |list: Vec<StaffMember>| {
                if list.is_empty() {
                    view! { <p class="hint">{text::STAFF_EMPTY}</p> }.into_any()
                } else {
                    view! { <ul class="list">{list.into_iter().map(row).collect_view()}</ul> }.into_any()
                }
            })}
            {move || problem_line(error.get())}
            <AddStaffForm ctx />
        </section>
    }
}

/// СНИЛС, name and role (the person is bound at their first sign-in); a demo person can be
/// picked instead.
#[component]
fn AddStaffForm(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    // A demo person picked from the list is added by subject; anyone else by СНИЛС.
    let subject = RwSignal::new(String::new());
    let snils = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let demo = RwSignal::new(Vec::<DemoPerson>::new());
    spawn_local(async move {
        // Only when demo sign-in is on (404 otherwise): a convenience, not a requirement.
        if let Ok(people) = api::demo_people().await {
            demo.set(
                people
                    .into_iter()
                    .filter(|p| {
                        p.roles
                            .iter()
                            .any(|r| matches!(r, Role::Staff | Role::Admin))
                    })
                    .collect(),
            );
        }
    });
    let pick = move |ev: ev::Event| {
        let key = event_target_value(&ev);
        let person = demo.with_untracked(|d| d.iter().find(|p| p.key == key).cloned());
        if let Some(p) = person {
            subject.set(format!("demo:{}", p.key));
            snils.set(String::new());
            name.set(p.name);
        }
    };
    let submit = move |event: ev::SubmitEvent| {
        event.prevent_default();
        busy.set(true);
        error.set(None);
        let ogrn = ctx.ogrn();
        let picked = subject.get_untracked().trim().to_owned();
        let body = AddStaff {
            snils: picked
                .is_empty()
                .then(|| snils.get_untracked().trim().to_owned()),
            subject: (!picked.is_empty()).then_some(picked),
            name: name.get_untracked().trim().to_owned(),
            role: Some(if admin.get_untracked() {
                Role::Admin
            } else {
                Role::Staff
            }),
        };
        spawn_local(async move {
            match api::add_staff(&ogrn, &body).await {
                Ok(_) => {
                    subject.set(String::new());
                    snils.set(String::new());
                    name.set(String::new());
                    ctx.reload_staff();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="stack add-staff" on:submit=submit>
            <h3>{text::STAFF_ADD_TITLE}</h3>
            {move || {
                let people = demo.get();
                (!people.is_empty()).then(|| view! {
                    <label class="field" for="staff-demo">{text::STAFF_DEMO_PICK}</label>
                    <select id="staff-demo" on:change=pick>
                        <option value="">{text::STAFF_DEMO_NONE}</option>
                        {people.into_iter().map(|p| view! {
                            <option value=p.key.clone()>{p.name}</option>
                        }).collect_view()}
                    </select>
                })
            }}
            <label class="field" for="staff-snils">{text::STAFF_SNILS}</label>
            <input id="staff-snils" type="text" inputmode="numeric" autocomplete="off"
                placeholder="123-456-789 01" aria-describedby="staff-snils-hint"
                required=move || subject.get().is_empty()
                prop:value=move || snils.get()
                on:input=move |ev| {
                    subject.set(String::new());
                    snils.set(event_target_value(&ev));
                } />
            <p id="staff-snils-hint" class="hint">{text::STAFF_SNILS_HINT}</p>
            <label class="field" for="staff-name">{text::STAFF_NAME}</label>
            <input id="staff-name" type="text" autocomplete="off" required=true
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev)) />
            <label class="field" for="staff-role">{text::ROLE_LABEL}</label>
            <select id="staff-role" on:change=move |ev| admin.set(event_target_value(&ev) == "admin")>
                <option value="staff" selected=move || !admin.get()>{text::ROLE_STAFF}</option>
                <option value="admin" selected=move || admin.get()>{text::ROLE_ADMIN}</option>
            </select>
            <button class="button primary" type="submit" disabled=move || busy.get()>{text::STAFF_ADD}</button>
            {move || problem_line(error.get())}
        </form>
    }
}
