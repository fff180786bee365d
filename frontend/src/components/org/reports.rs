//! The organization's reports (newest first): period, rows, where it was sent, and the zip.
//! A report kept for want of a contact e-mail is flagged, with a link to the e-mail field.

use leptos::prelude::*;
use statuspass_shared::api::{ReportStatus, ReportSummary};
use statuspass_shared::Ogrn;

use super::contact::EMAIL_INPUT_ID;
use super::{dates, fetch_into, load_view, Load, OrgCtx};
use crate::api;
use crate::text;

fn status_key(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Sent => "sent",
        ReportStatus::Pending => "pending",
        ReportStatus::NoContactEmail => "no_contact_email",
    }
}

fn status_text(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Sent => text::REPORT_SENT,
        ReportStatus::Pending => text::REPORT_PENDING,
        ReportStatus::NoContactEmail => text::REPORT_NO_EMAIL,
    }
}

fn report_row(ogrn: &Ogrn, r: ReportSummary) -> impl IntoView {
    let download = r.file_name.clone().map(|name| {
        let href = api::report_archive_url(ogrn, &r.id);
        view! {
            <a class="button secondary small" href=href download=name data-action="download">
                {text::REPORT_DOWNLOAD}
            </a>
        }
    });
    let no_email = r.status == ReportStatus::NoContactEmail;
    view! {
        <li class="item" class:flagged=no_email data-report-id=r.id.clone() data-status=status_key(r.status)>
            <div class="item-main">
                <strong>{text::REPORT_PERIOD}": "{dates::period(&r.period_start, &r.period_end)}</strong>
                <span class=format!("badge status-{}", status_key(r.status))>{status_text(r.status)}</span>
            </div>
            {r.rows.map(|n| view! { <p class="meta">{text::REPORT_ROWS}": "{n}</p> })}
            {r.sent_to.clone().filter(|_| r.status == ReportStatus::Sent).map(|to| view! {
                <p class="meta">{text::REPORT_SENT_TO}" "{to}
                    {r.sent_at.map(|t| format!(" ({})", dates::day_time(&t)))}
                </p>
            })}
            {no_email.then(|| view! {
                <div class="warning" role="alert" data-flag="no-email">
                    <p>{text::REPORT_NO_EMAIL_CALL}</p>
                    <a class="button small" href=format!("#{EMAIL_INPUT_ID}")>{text::REPORT_SET_EMAIL}</a>
                </div>
            })}
            {r.problem.filter(|_| !no_email).map(|p| view! {
                <p class="meta problem-text">{text::REPORT_PROBLEM}": "{p}</p>
            })}
            {download}
        </li>
    }
}

#[component]
pub fn Reports(
    /// The organization.
    ctx: OrgCtx,
) -> impl IntoView {
    let list = RwSignal::new(Load::Loading);
    let reload = move || {
        let ogrn = ctx.ogrn();
        fetch_into(list, async move { api::reports(&ogrn).await });
    };
    reload();
    view! {
        <section class="card reports" aria-labelledby="reports-title">
            <div class="bar">
                <h2 id="reports-title">{text::REPORTS_TITLE}</h2>
                <button type="button" class="button secondary small" on:click=move |_| reload()>
                    {text::REFRESH}
                </button>
            </div>
            {load_view(list, move |items: Vec<ReportSummary>| {
                if items.is_empty() {
                    view! { <p class="hint">{text::REPORTS_EMPTY}</p> }.into_any()
                } else {
                    let ogrn = ctx.ogrn();
                    view! {
                        <ul class="list">{items.into_iter().map(|r| report_row(&ogrn, r)).collect_view()}</ul>
                    }.into_any()
                }
            })}
        </section>
    }
}
