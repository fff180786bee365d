//! The pieces of the organization page (`/org`), one section per file. They share an
//! [`OrgCtx`]: the organization being administered, its staff (the delegation form needs it)
//! and a counter that makes the delegation list reload after a change elsewhere.

pub mod contact;
pub mod dates;
pub mod delegations;
pub mod reports;
pub mod staff;
pub mod stats;

pub use contact::ContactEmailForm;
pub use delegations::Delegations;
pub use reports::Reports;
pub use staff::Staff;
pub use stats::Stats;

use std::future::Future;

use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::api::{OrgSummary, Role, StaffMember};
use statuspass_shared::Ogrn;

use crate::api::{self, ApiFailure};
use crate::text;

/// Something fetched from the server.
#[derive(Debug, Clone, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    /// The message to show (the server's, when it sent one).
    Failed(String),
}

/// Fetches into `target` (which goes back to `Loading` first only when it failed before, so a
/// reload does not make the list flicker).
pub fn fetch_into<T, F>(target: RwSignal<Load<T>>, call: F)
where
    T: Send + Sync + 'static,
    F: Future<Output = Result<T, ApiFailure>> + 'static,
{
    if target
        .try_with_untracked(|t| matches!(t, Load::Failed(_)))
        .unwrap_or(false)
    {
        target.set(Load::Loading);
    }
    spawn_local(async move {
        target.set(match call.await {
            Ok(value) => Load::Ready(value),
            Err(e) => Load::Failed(e.user_message()),
        });
    });
}

/// The organization being administered, shared by the sections of the page.
#[derive(Clone, Copy)]
pub struct OrgCtx {
    ogrn: StoredValue<Ogrn>,
    /// The contact e-mail (`None`: reports cannot be sent).
    pub email: RwSignal<Option<String>>,
    pub staff: RwSignal<Load<Vec<StaffMember>>>,
    /// Bumped when delegations may have changed (issued, revoked, a member removed).
    pub delegations_changed: RwSignal<u32>,
}

impl OrgCtx {
    pub fn new(org: &OrgSummary) -> Self {
        let ctx = Self {
            ogrn: StoredValue::new(org.ogrn.clone()),
            email: RwSignal::new(org.contact_email.clone()),
            staff: RwSignal::new(Load::Loading),
            delegations_changed: RwSignal::new(0),
        };
        ctx.reload_staff();
        ctx
    }

    pub fn ogrn(&self) -> Ogrn {
        self.ogrn.get_value()
    }

    pub fn reload_staff(self) {
        let ogrn = self.ogrn();
        fetch_into(self.staff, async move { api::staff(&ogrn).await });
    }

    pub fn delegations_changed(self) {
        self.delegations_changed.update(|n| *n += 1);
    }

    /// The name of a member, for lists that only carry the subject (tracked: the staff list
    /// may arrive after the list that asks).
    pub fn name_of(&self, subject: &str) -> Option<String> {
        self.staff.with(|staff| match staff {
            Load::Ready(list) => list
                .iter()
                .find(|m| m.subject == subject)
                .map(|m| m.name.clone()),
            _ => None,
        })
    }
}

pub fn role_text(role: Role) -> &'static str {
    match role {
        Role::Staff => text::ROLE_STAFF,
        Role::Admin => text::ROLE_ADMIN,
        Role::Participant => text::ROLE_PARTICIPANT,
    }
}

/// A failure message under a form or list.
pub fn problem_line(message: Option<String>) -> impl IntoView {
    message.map(|m| view! { <p class="problem inline" role="alert" data-error="">{m}</p> })
}

/// The usual rendering of a [`Load`]: a loading line, the failure, or `ready`.
pub fn load_view<T: Clone + Send + Sync + 'static, V: IntoView + 'static>(
    load: RwSignal<Load<T>>,
    ready: impl Fn(T) -> V + Send + Sync + 'static,
) -> impl IntoView {
    move || match load.get() {
        Load::Loading => view! { <p class="hint">{text::LOADING}</p> }.into_any(),
        Load::Failed(m) => problem_line(Some(m)).into_any(),
        Load::Ready(v) => ready(v).into_any(),
    }
}
