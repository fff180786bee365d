//! Scanning on behalf of an organization: the staff member's active delegations, the choice
//! above the camera, and the fall-back to private scanning when a delegation stops counting.

use leptos::prelude::*;
use leptos::task::spawn_local;
use statuspass_shared::Ogrn;

use super::engine::Scanner;
use crate::api::{self, ApiFailure};
use crate::browser::storage;
use crate::text;

impl Scanner {
    /// Asks which organizations the staff member may scan for now. Until the answer (or a
    /// failure) is in, camera frames are not decoded.
    pub fn load_delegations(self) {
        spawn_local(async move {
            let list = match api::my_delegations().await {
                Ok(list) => {
                    storage::update_scanner_start(|s| s.delegations = list.clone());
                    Some(list)
                }
                // Without network: the list last seen online, those not ended by now (the server
                // checks each queued scan against the delegation at its time anyway).
                Err(ApiFailure::Network) => storage::load_scanner_start().map(|s| {
                    let now = crate::browser::now_ms();
                    s.delegations
                        .into_iter()
                        .filter(|d| d.valid_until.timestamp_millis() as f64 > now)
                        .collect()
                }),
                Err(_) => None,
            };
            if let Some(list) = list {
                // A chosen organization that is no longer offered is dropped; after a reload the
                // last chosen one is restored while it is still offered.
                let chosen = self
                    .on_behalf_of
                    .get_untracked()
                    .or_else(|| storage::load_scanner_start().and_then(|s| s.on_behalf_of));
                let offered = chosen.filter(|c| list.iter().any(|d| d.ogrn == *c));
                if offered != self.on_behalf_of.get_untracked() {
                    self.on_behalf_of.set(offered);
                }
                self.delegations.set(list);
            }
            self.delegations_loaded.set(true);
        });
    }

    /// The server refused a scan on behalf of an organization (revoked or expired delegation):
    /// back to private scanning, and the list asked again.
    pub fn delegation_lost(self) {
        self.choose_org(None);
        self.load_delegations();
    }

    /// The short name of an organization of the list (the OGRN if it is not there).
    pub fn org_name(&self, ogrn: &Ogrn) -> String {
        self.delegations
            .with_untracked(|list| {
                list.iter()
                    .find(|d| &d.ogrn == ogrn)
                    .map(|d| d.short_name.clone())
            })
            .unwrap_or_else(|| ogrn.to_string())
    }

    /// One tap on an organization: scan on its behalf; a tap on the chosen one: back to private.
    fn toggle_org(self, ogrn: Ogrn) {
        let current = self.on_behalf_of.get_untracked();
        self.choose_org((current.as_ref() != Some(&ogrn)).then_some(ogrn));
    }

    /// Scan for `ogrn` (or privately), remembered for the next opening of the scanner.
    fn choose_org(self, ogrn: Option<Ogrn>) {
        storage::update_scanner_start(|s| s.on_behalf_of = ogrn.clone());
        self.on_behalf_of.set(ogrn);
    }
}

/// Above the camera, one compact bar: for a staff member with delegations the organizations
/// (`data-org="{OGRN}"`, scrolled sideways when there are many) and the private choice, then
/// the current mode (always).
#[component]
pub fn OnBehalf(
    /// The scanner whose scans this decides.
    scanner: Scanner,
) -> impl IntoView {
    let mode = move || match scanner.on_behalf_of.get() {
        Some(ogrn) => {
            let name = scanner.org_name(&ogrn);
            view! {
                <p class="mode mode-org" role="status" data-mode="org" data-mode-org=ogrn.to_string()>
                    {text::MODE_ORG}" «"<strong>{name}</strong>"» "{text::MODE_ORG_TAIL}
                </p>
            }
            .into_any()
        }
        None => view! {
            <p class="mode mode-private" role="status" data-mode="private">{text::MODE_PRIVATE}</p>
        }
        .into_any(),
    };
    let choice = move || {
        let list = scanner.delegations.get();
        (!list.is_empty()).then(|| {
            let current = scanner.on_behalf_of.get();
            let private = current.is_none();
            view! {
                <div class="on-behalf" role="group" aria-label=text::ON_BEHALF_OF>
                    {list.into_iter().map(|d| {
                        let chosen = current.as_ref() == Some(&d.ogrn);
                        let ogrn = d.ogrn.clone();
                        view! {
                            <button type="button" class="button small org" class:chosen=chosen
                                aria-pressed=chosen.to_string()
                                data-org=d.ogrn.to_string()
                                on:click=move |_| scanner.toggle_org(ogrn.clone())>
                                {d.short_name}
                            </button>
                        }
                    }).collect_view()}
                    <button type="button" class="button secondary small private" class:chosen=private
                        aria-pressed=private.to_string() data-private=""
                        on:click=move |_| scanner.choose_org(None)>
                        {text::ON_BEHALF_PRIVATE}
                    </button>
                </div>
            }
        })
    };
    view! {
        <div class="scan-top">
            {choice}
            {mode}
        </div>
    }
}

/// Below the camera, while scanning privately with delegations at hand: how to switch.
#[component]
pub fn OnBehalfHint(
    /// The scanner whose mode this explains.
    scanner: Scanner,
) -> impl IntoView {
    move || {
        let show =
            scanner.on_behalf_of.get().is_none() && scanner.delegations.with(|l| !l.is_empty());
        show.then(|| view! { <p class="hint">{text::ON_BEHALF_TAP_HINT}</p> })
    }
}
