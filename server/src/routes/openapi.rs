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

/// Serves the description.
pub async fn openapi_json() -> web::Json<utoipa::openapi::OpenApi> {
    web::Json(ApiDoc::openapi())
}
