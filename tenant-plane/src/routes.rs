//! Route table of the tenant plane. Tenant routes are registered at the root (tenant from
//! host, header or API key) and, when path routing is on, under `/t/{tenant_slug}`.

pub(crate) mod api_keys;
pub(crate) mod audit_logs;
pub(crate) mod auth;
pub(crate) mod connectors;
pub(crate) mod crm;
mod fields;
pub(crate) mod files;
pub(crate) mod health;
pub(crate) mod invitations;
pub(crate) mod jwks;
pub(crate) mod modules;
pub(crate) mod notes;
pub(crate) mod password;
pub(crate) mod profile;
pub(crate) mod signup;
pub(crate) mod support;
pub(crate) mod users;
pub(crate) mod webhooks;

use actix_web::web;
use http_api::json_limit;

/// Body limits per route: sign-in bodies are small; settings bodies medium; resources with
/// free text (notes, contacts, tickets) keep the global 64 KiB.
const AUTH_BODY: usize = 8 * 1024;
const SETTINGS_BODY: usize = 16 * 1024;

pub fn config(cfg: &mut web::ServiceConfig, path_routing: bool) {
    cfg.service(web::resource("/health").route(web::get().to(health::health)))
        .service(web::resource("/ready").route(web::get().to(health::ready)))
        .service(web::resource("/openapi.json").route(web::get().to(crate::openapi::openapi_json)))
        .service(web::resource("/docs").route(web::get().to(crate::openapi::docs_page)));
    if path_routing {
        cfg.service(web::scope("/t/{tenant_slug}").configure(tenant_api));
    }
    cfg.configure(tenant_api);
}

fn tenant_api(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/.well-known/jwks.json").route(web::get().to(jwks::get_jwks)))
        .service(web::resource("/v1/auth/login").app_data(json_limit(AUTH_BODY)).route(web::post().to(auth::login)))
        .service(web::resource("/v1/auth/refresh").app_data(json_limit(AUTH_BODY)).route(web::post().to(auth::refresh)))
        .service(web::resource("/v1/auth/logout").app_data(json_limit(AUTH_BODY)).route(web::post().to(auth::logout)))
        .service(
            web::resource("/v1/auth/register").app_data(json_limit(AUTH_BODY)).route(web::post().to(signup::register)),
        )
        .service(
            web::resource("/v1/auth/accept-invitation")
                .app_data(json_limit(AUTH_BODY))
                .route(web::post().to(signup::accept_invitation)),
        )
        .service(web::resource("/v1/me").route(web::get().to(auth::me)))
        .service(
            web::resource("/v1/me/password")
                .app_data(json_limit(AUTH_BODY))
                .route(web::post().to(password::change_password)),
        )
        .service(
            web::resource("/v1/tenant")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::get().to(profile::get_tenant))
                .route(web::patch().to(profile::update_tenant)),
        )
        .service(web::resource("/v1/users").route(web::get().to(users::list_users)))
        .service(
            web::resource("/v1/users/{id}")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::get().to(users::get_user))
                .route(web::patch().to(users::update_user))
                .route(web::delete().to(users::delete_user)),
        )
        .service(
            web::resource("/v1/invitations")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::post().to(invitations::create_invitation))
                .route(web::get().to(invitations::list_invitations)),
        )
        .service(web::resource("/v1/invitations/{id}").route(web::delete().to(invitations::revoke_invitation)))
        .service(
            web::resource("/v1/api-keys")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::post().to(api_keys::create_api_key))
                .route(web::get().to(api_keys::list_api_keys)),
        )
        .service(web::resource("/v1/api-keys/{id}").route(web::delete().to(api_keys::revoke_api_key)))
        .service(web::resource("/v1/audit-logs").route(web::get().to(audit_logs::list_audit_logs)))
        .service(web::resource("/v1/modules").route(web::get().to(modules::list_modules)))
        .service(web::resource("/v1/modules/{key}").route(web::get().to(modules::get_module)))
        .service(web::resource("/v1/modules/{key}/enable").route(web::post().to(modules::enable_module)))
        .service(web::resource("/v1/modules/{key}/disable").route(web::post().to(modules::disable_module)))
        .service(
            web::resource("/v1/modules/{key}/config")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::get().to(modules::get_module_config))
                .route(web::put().to(modules::put_module_config)),
        )
        .service(
            web::resource("/v1/crm/contacts")
                .route(web::post().to(crm::create_contact))
                .route(web::get().to(crm::list_contacts)),
        )
        .service(
            web::resource("/v1/crm/contacts/{id}")
                .route(web::get().to(crm::get_contact))
                .route(web::patch().to(crm::update_contact))
                .route(web::delete().to(crm::delete_contact)),
        )
        .service(
            web::resource("/v1/support/tickets")
                .route(web::post().to(support::create_ticket))
                .route(web::get().to(support::list_tickets)),
        )
        .service(
            web::resource("/v1/support/tickets/{id}")
                .route(web::get().to(support::get_ticket))
                .route(web::patch().to(support::update_ticket))
                .route(web::delete().to(support::delete_ticket)),
        )
        .service(web::resource("/v1/files").route(web::get().to(files::list_files)))
        .service(
            web::resource("/v1/files/{key:.*}")
                .route(web::put().to(files::upload_file))
                .route(web::get().to(files::download_file))
                .route(web::head().to(files::head_file))
                .route(web::delete().to(files::delete_file)),
        )
        .service(
            web::resource("/v1/files-signed")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::post().to(files::sign_url)),
        )
        .service(
            web::resource("/v1/files-signed/{key:.*}")
                .route(web::get().to(files::signed_download))
                .route(web::head().to(files::signed_download))
                .route(web::put().to(files::signed_upload)),
        )
        .service(web::resource("/v1/storage").route(web::get().to(files::storage_status)))
        .service(
            web::resource("/v1/webhooks")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::post().to(webhooks::create_webhook))
                .route(web::get().to(webhooks::list_webhooks)),
        )
        .service(
            web::resource("/v1/webhooks/{id}")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::get().to(webhooks::get_webhook))
                .route(web::patch().to(webhooks::update_webhook))
                .route(web::delete().to(webhooks::delete_webhook)),
        )
        .service(web::resource("/v1/webhooks/{id}/test").route(web::post().to(webhooks::test_webhook)))
        .service(
            web::resource("/v1/webhooks/{id}/rotate-secret").route(web::post().to(webhooks::rotate_webhook_secret)),
        )
        .service(web::resource("/v1/webhooks/{id}/deliveries").route(web::get().to(webhooks::list_deliveries)))
        .service(web::resource("/v1/connectors").route(web::get().to(connectors::list_connectors)))
        .service(
            web::resource("/v1/connectors/{key}")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::get().to(connectors::get_connector))
                .route(web::put().to(connectors::put_connector))
                .route(web::delete().to(connectors::delete_connector)),
        )
        .service(
            web::resource("/v1/connectors/{key}/test")
                .app_data(json_limit(SETTINGS_BODY))
                .route(web::post().to(connectors::test_connector)),
        )
        .service(
            web::resource("/v1/notes")
                .route(web::post().to(notes::create_note))
                .route(web::get().to(notes::list_notes)),
        )
        .service(
            web::resource("/v1/notes/{id}")
                .route(web::get().to(notes::get_note))
                .route(web::delete().to(notes::delete_note)),
        );
}
