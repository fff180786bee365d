//! HTTP routes: where each request goes. [`configure`] is the whole map.

pub mod auth;
pub mod health;
pub mod openapi;
pub mod pass;
pub mod scan;
pub mod somc2;
pub mod web;

use actix_web::web::{get, post, resource, scope, ServiceConfig};

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
                        .route(post().to(auth::demo_sign_in)),
                )
                .route("/auth/logout", post().to(auth::sign_out))
                .route("/me", get().to(auth::me))
                .route("/pass", post().to(pass::get_pass))
                .route("/scan", post().to(scan::scan))
                .default_service(actix_web::web::to(web::api_not_found)),
        );
}
