//! Successful scans recorded for the organization: today, this month, the last 30 days, and
//! the last 30 days per status.

use leptos::prelude::*;

use super::{fetch_into, load_view, Load, OrgCtx};
use crate::api;
use crate::text;

#[component]
pub fn Stats(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let stats = RwSignal::new(Load::Loading);
    let reload = move || {
        let ogrn = ctx.ogrn();
        fetch_into(stats, async move { api::stats(&ogrn).await });
    };
    reload();
    view! {
        <section class="card stats" aria-labelledby="stats-title">
            <div class="bar">
                <h2 id="stats-title">{text::STATS_TITLE}</h2>
                <button type="button" class="button secondary small" on:click=move |_| reload()>
                    {text::REFRESH}
                </button>
            </div>
            {load_view(stats, |s| view! {
                <dl class="figures">
                    <div data-stat="today"><dt>{text::STATS_TODAY}</dt><dd>{s.today}</dd></div>
                    <div data-stat="this_month"><dt>{text::STATS_MONTH}</dt><dd>{s.this_month}</dd></div>
                    <div data-stat="last_30_days"><dt>{text::STATS_30_DAYS}</dt><dd>{s.last_30_days}</dd></div>
                </dl>
                {(!s.by_kind.is_empty()).then(|| view! {
                    <h3>{text::STATS_BY_KIND}</h3>
                    <dl class="figures by-kind">
                        {s.by_kind.into_iter().map(|(kind, n)| view! {
                            <div data-stat-kind=kind.as_str()><dt>{kind.title()}</dt><dd>{n}</dd></div>
                        }).collect_view()}
                    </dl>
                })}
            })}
        </section>
    }
}
