//! Route table of the control plane.

pub(crate) mod audit;
pub(crate) mod health;
pub(crate) mod jobs;
pub(crate) mod moves;
pub(crate) mod operators;
pub(crate) mod sandboxes;
pub(crate) mod servers;
pub(crate) mod storage;
pub(crate) mod tenant_admin;
pub(crate) mod tenants;

use actix_web::web;

use crate::auth;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/health").route(web::get().to(health::health)))
        .service(web::resource("/ready").route(web::get().to(health::ready)))
        .service(web::resource("/openapi.json").route(web::get().to(crate::openapi::openapi_json)))
        .service(
            web::scope("/v1")
                .service(web::resource("/bootstrap").route(web::post().to(auth::bootstrap)))
                .service(web::resource("/auth/login").route(web::post().to(auth::login)))
                .service(web::resource("/auth/logout").route(web::post().to(auth::logout)))
                .configure(tenants::config)
                .configure(jobs::config)
                .configure(servers::config)
                .configure(operators::config)
                .configure(sandboxes::config)
                .configure(audit::config),
        );
}
