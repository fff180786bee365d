//! `GET /api/openapi.json`: the OpenAPI description of the API.

use actix_web::web;
use statuspass_shared::api;
use utoipa::OpenApi;

/// The API description, assembled from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "statuspass",
        description = "Short-lived QR passes proving one chosen status (SVO participant or family member; «Цифровой ID»: adult, student, large family), and their check. Dynamic passes rotate their code every 30 s in the link's fragment: `{base}#{step}-{code}~T…`. The issued link carries an Ed25519-signed offline token (`#T…`) verified with the keys of `GET /api/keys`."
    ),
    paths(
        super::health::healthz,
        super::health::client_config,
        super::auth::demo_people,
        super::auth::demo_sign_in,
        super::auth::oidc_start,
        super::auth::oidc_callback,
        super::auth::sign_out,
        super::auth::me,
        super::pass::get_pass,
        super::pass::statuses,
        super::keys::keys,
        super::scan::scan,
        super::scan_batch::upload,
        super::somc2::pass_page,
        super::orgs::my_delegations,
        super::orgs::list,
        super::orgs::get,
        super::orgs::set_contact_email,
        super::orgs::staff,
        super::orgs::add_staff,
        super::orgs::remove_staff,
        super::orgs::delegations,
        super::orgs::issue_delegation,
        super::orgs::revoke_delegation,
        super::orgs::stats,
        super::reports::list,
        super::reports::download,
    ),
    modifiers(&CommonAnswers),
    components(schemas(
        api::ApiError,
        api::ClientConfig,
        api::DemoPerson,
        api::DemoSignIn,
        api::DelegationSummary,
        api::DelegationState,
        api::Role,
        api::Me,
        api::PassRequest,
        api::PassResponse,
        api::DynamicCode,
        api::StatusOffer,
        statuspass_shared::keys::KeyList,
        statuspass_shared::keys::PublishedKey,
        statuspass_shared::StatusKind,
        api::ScanRequest,
        api::ScanResponse,
        api::ScanResult,
        api::ScanBatch,
        api::QueuedScan,
        api::QueuedOutcome,
        api::QueuedRefusal,
        api::QueuedScanResult,
        api::ScanBatchResults,
        api::Holder,
        api::OrgStats,
        api::Logout,
    ))
)]
pub struct ApiDoc;

/// Adds the answers every operation of a kind can give, so that the description lists every
/// status the server really sends (generated clients and schemathesis rely on it):
/// - every `/api/` operation: 503 (storage unavailable, or the request deadline);
/// - an operation with a request body: 400 (malformed) and 413 (too large);
/// - every state-changing operation: 403 (`cross_site_request`);
/// - an operation with an `{ogrn}` in its path: 400 (`invalid_ogrn`);
/// - an operation that needs a session (it documents 403 or 401): 401.
struct CommonAnswers;

impl utoipa::Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{path::HttpMethod, ContentBuilder, Ref, ResponseBuilder};
        let error = |what: &str| {
            ResponseBuilder::new()
                .description(what)
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ApiError")))
                        .build(),
                )
                .build()
        };
        for (path, item) in openapi.paths.paths.iter_mut() {
            if !path.starts_with("/api/") {
                continue;
            }
            let ops = [
                (HttpMethod::Get, item.get.as_mut()),
                (HttpMethod::Post, item.post.as_mut()),
                (HttpMethod::Put, item.put.as_mut()),
                (HttpMethod::Delete, item.delete.as_mut()),
            ];
            for (method, op) in ops {
                let Some(op) = op else { continue };
                let has_body = op.request_body.is_some();
                let answers = &mut op.responses.responses;
                let needs_session = answers.contains_key("401") || answers.contains_key("403");
                let mut add = |code: &str, what: &str| {
                    answers
                        .entry(code.to_owned())
                        .or_insert_with(|| error(what).into());
                };
                add(
                    "503",
                    "storage unavailable, or no answer within the request deadline (`Retry-After`)",
                );
                if has_body {
                    add("400", "malformed body");
                    add("413", "body too large");
                }
                if method != HttpMethod::Get {
                    add(
                        "403",
                        "`cross_site_request`: a state-changing call from another site",
                    );
                }
                if path.contains("{ogrn}") {
                    add(
                        "400",
                        "`invalid_ogrn`: not a valid OGRN (13 digits with the check digit)",
                    );
                }
                if needs_session {
                    add("401", "not signed in");
                }
            }
        }
    }
}

/// Serves the description.
pub async fn openapi_json() -> web::Json<utoipa::openapi::OpenApi> {
    web::Json(ApiDoc::openapi())
}
