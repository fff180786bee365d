//! Delegations (МЧД) of the organization: the list with each one's state, revoking, and the
//! form that issues one to a staff member for a period.

use leptos::ev;
use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{
    Delegation, DelegationState, NewDelegation, Role, StaffMember, POWER_DELEGATE_SCAN,
};

use super::{dates, fetch_into, load_view, problem_line, Load, OrgCtx};
use crate::api;
use crate::text;

/// A new delegation runs this long by default.
const DEFAULT_DAYS: u64 = 365;

fn state_key(state: DelegationState) -> &'static str {
    match state {
        DelegationState::Active => "active",
        DelegationState::Expired => "expired",
        DelegationState::Revoked => "revoked",
        DelegationState::NotYetValid => "not_yet_valid",
    }
}

fn state_text(state: DelegationState) -> &'static str {
    match state {
        DelegationState::Active => text::STATE_ACTIVE,
        DelegationState::Expired => text::STATE_EXPIRED,
        DelegationState::Revoked => text::STATE_REVOKED,
        DelegationState::NotYetValid => text::STATE_NOT_YET_VALID,
    }
}

fn power_text(code: &str) -> String {
    if code == POWER_DELEGATE_SCAN {
        format!("{} ({code})", text::DELEGATION_SCAN_POWER)
    } else {
        code.to_owned()
    }
}

#[component]
pub fn Delegations(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let list = RwSignal::new(Load::Loading);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        ctx.delegations_changed.track();
        let ogrn = ctx.ogrn();
        fetch_into(list, async move { api::delegations(&ogrn).await });
    });
    let revoke = move |id: String| {
        error.set(None);
        let ogrn = ctx.ogrn();
        spawn_local(async move {
            match api::revoke_delegation(&ogrn, &id).await {
                Ok(()) => ctx.delegations_changed(),
                Err(e) => error.set(Some(e.user_message())),
            }
        });
    };
    let row = move |d: Delegation| {
        let who = {
            let subject = d.subject.clone();
            let holder = d.holder_name.clone();
            move || {
                holder
                    .clone()
                    .or_else(|| ctx.name_of(&subject))
                    .unwrap_or_else(|| text::DELEGATION_FORMER_MEMBER.to_owned())
            }
        };
        let revocable = matches!(
            d.state,
            DelegationState::Active | DelegationState::NotYetValid
        );
        let id = d.id.clone();
        view! {
            <li class="item" data-delegation-id=d.id.clone() data-subject=d.subject.clone()
                data-state=state_key(d.state)>
                <div class="item-main">
                    <strong>{who}</strong>
                    <span class=format!("badge state-{}", state_key(d.state))>{state_text(d.state)}</span>
                </div>
                <p class="meta">{text::DELEGATION_PERIOD}": "{dates::period(&d.valid_from, &d.valid_until)}</p>
                <p class="meta">{text::DELEGATION_POWER}": "{power_text(&d.power_code)}</p>
                {d.revoked_at.map(|t| view! {
                    <p class="meta">{text::DELEGATION_REVOKED_AT}": "{dates::day_time(&t)}</p>
                })}
                {revocable.then(|| view! {
                    <button type="button" class="button danger small" data-action="revoke"
                        on:click=move |_| revoke(id.clone())>
                        {text::DELEGATION_REVOKE}
                    </button>
                })}
            </li>
        }
    };
    view! {
        <section class="card delegations" aria-labelledby="delegations-title">
            <h2 id="delegations-title">{text::DELEGATIONS_TITLE}</h2>
            {load_view(list, move |items: Vec<Delegation>| {
                if items.is_empty() {
                    view! { <p class="hint">{text::DELEGATIONS_EMPTY}</p> }.into_any()
                } else {
                    view! { <ul class="list">{items.into_iter().map(row).collect_view()}</ul> }.into_any()
                }
            })}
            {move || problem_line(error.get())}
            <IssueForm ctx />
        </section>
    }
}

/// Who (a staff member of the organization), from, until (whole days, the phone's calendar).
#[component]
fn IssueForm(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let today = crate::browser::local_day();
    let subject = RwSignal::new(String::new());
    let from = RwSignal::new(today.clone());
    let until = RwSignal::new(dates::add_days(&today, DEFAULT_DAYS).unwrap_or_default());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    // Staff members (one entry per person, even when they are also admins).
    let candidates = Memo::new(move |_| match ctx.staff.get() {
        Load::Ready(list) => list
            .into_iter()
            .filter(|m| m.role == Role::Staff)
            .collect::<Vec<StaffMember>>(),
        _ => Vec::new(),
    });
    let submit =
        move |event: ev::SubmitEvent| {
            event.prevent_default();
            error.set(None);
            let chosen = subject.get_untracked();
            let chosen = if chosen.is_empty() {
                candidates.with_untracked(|c| c.first().map(|m| m.subject.clone()))
            } else {
                Some(chosen)
            };
            let Some(chosen) = chosen else {
                return error.set(Some(text::DELEGATION_NO_STAFF.to_owned()));
            };
            let period = dates::local_moment(&from.get_untracked(), 0, 0, 0)
                .zip(dates::local_moment(&until.get_untracked(), 23, 59, 59));
            let Some((valid_from, valid_until)) = period else {
                return error.set(Some(text::DELEGATION_BAD_DATES.to_owned()));
            };
            let body = NewDelegation {
                subject: Some(chosen),
                snils: None,
                valid_from,
                valid_until,
                power_code: None,
            };
            busy.set(true);
            let ogrn = ctx.ogrn();
            spawn_local(async move {
                match api::issue_delegation(&ogrn, &body).await {
                    Ok(_) => ctx.delegations_changed(),
                    Err(e) => error.set(Some(e.user_message())),
                }
                busy.set(false);
            });
        };
    view! {
        <form class="stack issue-delegation" on:submit=submit>
            <h3>{text::DELEGATION_NEW_TITLE}</h3>
            <label class="field" for="delegation-subject">{text::DELEGATION_WHO}</label>
            <select id="delegation-subject" on:change=move |ev| subject.set(event_target_value(&ev))>
                {move || candidates.get().into_iter().map(|m| {
                    let selected = subject.get_untracked() == m.subject;
                    let label = match &m.snils_masked {
                        Some(s) => format!("{} ({} {s})", m.name, text::STAFF_SNILS_SHORT),
                        None => m.name.clone(),
                    };
                    view! { <option value=m.subject selected=selected>{label}</option> }
                }).collect_view()}
            </select>
            <div class="row dates">
                <label class="field">
                    <span>{text::DELEGATION_FROM}</span>
                    <input id="delegation-from" type="date" required=true prop:value=move || from.get()
                        on:input=move |ev| from.set(event_target_value(&ev)) />
                </label>
                <label class="field">
                    <span>{text::DELEGATION_UNTIL}</span>
                    <input id="delegation-until" type="date" required=true prop:value=move || until.get()
                        on:input=move |ev| until.set(event_target_value(&ev)) />
                </label>
            </div>
            <p class="hint">{text::DELEGATION_POWER}": "{power_text(POWER_DELEGATE_SCAN)}</p>
            <button class="button primary" type="submit" disabled=move || busy.get()>{text::DELEGATION_ISSUE}</button>
            {move || problem_line(error.get())}
        </form>
    }
}
