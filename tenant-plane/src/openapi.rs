//! The tenant API's OpenAPI 3.1 document, generated from the handlers' annotations and served
//! at `/openapi.json` on every tenant host; web and mobile clients are generated from it.

use actix_web::HttpResponse;
use utoipa::OpenApi;

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tenantry tenant API",
        description = "The shared API every tenant serves at `https://<slug>.<base-domain>`. The tenant is \
                       resolved from the host, `/t/<slug>/` (when path routing is on) or `x-tenant-id`."
    ),
    paths(
        routes::profile::get_tenant,
        routes::profile::update_tenant,
        routes::jwks::get_jwks,
        routes::auth::login,
        routes::auth::refresh,
        routes::auth::logout,
        routes::signup::register,
        routes::signup::accept_invitation,
        routes::auth::me,
        routes::password::change_password,
        routes::users::list_users,
        routes::users::get_user,
        routes::users::update_user,
        routes::users::delete_user,
        routes::invitations::create_invitation,
        routes::invitations::list_invitations,
        routes::invitations::revoke_invitation,
        routes::api_keys::create_api_key,
        routes::api_keys::list_api_keys,
        routes::api_keys::revoke_api_key,
        routes::audit_logs::list_audit_logs,
        routes::modules::list_modules,
        routes::modules::get_module,
        routes::modules::enable_module,
        routes::modules::disable_module,
        routes::modules::get_module_config,
        routes::modules::put_module_config,
        routes::crm::create_contact,
        routes::crm::list_contacts,
        routes::crm::get_contact,
        routes::crm::update_contact,
        routes::crm::delete_contact,
        routes::support::create_ticket,
        routes::support::list_tickets,
        routes::support::get_ticket,
        routes::support::update_ticket,
        routes::support::delete_ticket,
        routes::webhooks::create_webhook,
        routes::webhooks::list_webhooks,
        routes::webhooks::get_webhook,
        routes::webhooks::update_webhook,
        routes::webhooks::delete_webhook,
        routes::webhooks::rotate_webhook_secret,
        routes::webhooks::test_webhook,
        routes::webhooks::list_deliveries,
        routes::connectors::list_connectors,
        routes::connectors::get_connector,
        routes::connectors::put_connector,
        routes::connectors::delete_connector,
        routes::connectors::test_connector,
        routes::files::upload_file,
        routes::files::list_files,
        routes::files::download_file,
        routes::files::head_file,
        routes::files::delete_file,
        routes::files::sign_url,
        routes::files::signed_download,
        routes::files::signed_upload,
        routes::files::storage_status,
        routes::notes::create_note,
        routes::notes::list_notes,
        routes::notes::get_note,
        routes::notes::delete_note,
        routes::health::health,
        routes::health::ready,
    ),
    components(schemas(http_api::ErrorBody)),
    modifiers(&BearerAuth)
)]
pub struct ApiDoc;

/// Access tokens from `/v1/auth/login`, as `Authorization: Bearer <jwt>`, and API keys.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        );
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-api-key",
                "An API key from `POST /v1/api-keys`; its prefix names the tenant.",
            ))),
        );
    }
}

/// `GET /docs`: an interactive page over `/openapi.json` (no external scripts: it works offline).
pub async fn docs_page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            "content-security-policy",
            "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
        ))
        .body(include_str!("../static/api-docs.html"))
}

/// `GET /openapi.json`
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
