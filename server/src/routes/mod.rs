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
use actix_web::Resource;

/// `path` with a JSON 405 (and `Allow: {allow}`) for every method it does not take; `allow`
/// lists the methods of the routes added to it, next to them in [`configure`].
fn at(path: &str, allow: &'static str) -> Resource {
    resource(path).default_service(to(move || web::method_not_allowed(allow)))
}

/// Registers every route.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(at("/healthz", "GET").route(get().to(health::healthz)))
        .service(at("/somc2/{id}", "GET").route(get().to(somc2::pass_page)))
        .service(
            scope("/api")
                .service(at("/config", "GET").route(get().to(health::client_config)))
                .service(at("/openapi.json", "GET").route(get().to(openapi::openapi_json)))
                .service(
                    at("/auth/demo", "GET, POST")
                        .route(get().to(auth::demo_people))
                        .route(post().to(auth::demo_sign_in)),
                )
                .service(at("/auth/oidc/start", "GET").route(get().to(auth::oidc_start)))
                .service(at("/auth/oidc/callback", "GET").route(get().to(auth::oidc_callback)))
                .service(at("/auth/logout", "POST").route(post().to(auth::sign_out)))
                .service(at("/me", "GET").route(get().to(auth::me)))
                .service(at("/me/delegations", "GET").route(get().to(orgs::my_delegations)))
                .service(at("/orgs", "GET").route(get().to(orgs::list)))
                .service(at("/orgs/{ogrn}", "GET").route(get().to(orgs::get)))
                .service(
                    at("/orgs/{ogrn}/contact-email", "PUT")
                        .route(put().to(orgs::set_contact_email)),
                )
                .service(
                    at("/orgs/{ogrn}/staff", "GET, POST")
                        .route(get().to(orgs::staff))
                        .route(post().to(orgs::add_staff)),
                )
                .service(
                    at("/orgs/{ogrn}/staff/{subject}", "DELETE")
                        .route(delete().to(orgs::remove_staff)),
                )
                .service(
                    at("/orgs/{ogrn}/delegations", "GET, POST")
                        .route(get().to(orgs::delegations))
                        .route(post().to(orgs::issue_delegation)),
                )
                .service(
                    at("/orgs/{ogrn}/delegations/{id}/revoke", "POST")
                        .route(post().to(orgs::revoke_delegation)),
                )
                .service(at("/orgs/{ogrn}/stats", "GET").route(get().to(orgs::stats)))
                .service(at("/orgs/{ogrn}/reports", "GET").route(get().to(reports::list)))
                .service(
                    at("/orgs/{ogrn}/reports/{id}/archive", "GET")
                        .route(get().to(reports::download)),
                )
                .service(at("/pass", "POST").route(post().to(pass::get_pass)))
                .service(at("/statuses", "GET").route(get().to(pass::statuses)))
                .service(at("/keys", "GET").route(get().to(keys::keys)))
                .service(at("/scan", "POST").route(post().to(scan::scan)))
                .service(
                    at("/scan/batch", "POST")
                        // 100 queued scans need more than one scan's body limit.
                        .app_data(
                            actix_web::web::JsonConfig::default()
                                .limit(scan_batch::BODY_LIMIT)
                                .error_handler(crate::startup::json_error),
                        )
                        .route(post().to(scan_batch::upload)),
                )
                .default_service(to(web::api_not_found)),
        );
}
