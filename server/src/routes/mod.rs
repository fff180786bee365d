//! HTTP routes: where each request goes. [`configure`] is the whole map.

pub mod auth;
pub mod health;
pub mod keys;
pub mod openapi;
pub mod orgs;
pub mod pass;
pub mod reports;
pub mod scan;
pub mod scan_batch;
pub mod somc2;
pub mod web;

use actix_web::web::{delete, get, post, put, resource, scope, to, ServiceConfig};

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.route("/healthz", get().to(health::healthz))
        .route("/somc2/{id}", get().to(somc2::pass_page))
        .service(
            scope("/api")
                .route("/config", get().to(health::client_config))
                .route("/openapi.json", get().to(openapi::openapi_json))
                .service(
                    resource("/auth/demo")
                        .route(get().to(auth::demo_people))
                        .route(post().to(auth::demo_sign_in))
                        .default_service(to(web::api_not_found)),
                )
                .route("/auth/oidc/start", get().to(auth::oidc_start))
                .route("/auth/oidc/callback", get().to(auth::oidc_callback))
                .route("/auth/logout", post().to(auth::sign_out))
                .route("/me", get().to(auth::me))
                .route("/me/delegations", get().to(orgs::my_delegations))
                .route("/orgs", get().to(orgs::list))
                .route("/orgs/{ogrn}", get().to(orgs::get))
                .route(
                    "/orgs/{ogrn}/contact-email",
                    put().to(orgs::set_contact_email),
                )
                .service(
                    resource("/orgs/{ogrn}/staff")
                        .route(get().to(orgs::staff))
                        .route(post().to(orgs::add_staff))
                        .default_service(to(web::api_not_found)),
                )
                .route(
                    "/orgs/{ogrn}/staff/{subject}",
                    delete().to(orgs::remove_staff),
                )
                .service(
                    resource("/orgs/{ogrn}/delegations")
                        .route(get().to(orgs::delegations))
                        .route(post().to(orgs::issue_delegation))
                        .default_service(to(web::api_not_found)),
                )
                .route(
                    "/orgs/{ogrn}/delegations/{id}/revoke",
                    post().to(orgs::revoke_delegation),
                )
                .route("/orgs/{ogrn}/stats", get().to(orgs::stats))
                .route("/orgs/{ogrn}/reports", get().to(reports::list))
                .route(
                    "/orgs/{ogrn}/reports/{id}/archive",
                    get().to(reports::download),
                )
                .route("/pass", post().to(pass::get_pass))
                .route("/statuses", get().to(pass::statuses))
                .route("/keys", get().to(keys::keys))
                .route("/scan", post().to(scan::scan))
                .service(
                    resource("/scan/batch")
                        // 100 queued scans need more than one scan's body limit.
                        .app_data(
                            actix_web::web::JsonConfig::default()
                                .limit(scan_batch::BODY_LIMIT)
                                .error_handler(crate::startup::json_error),
                        )
                        .route(post().to(scan_batch::upload))
                        .default_service(to(web::api_not_found)),
                )
                .default_service(to(web::api_not_found)),
        );
}
