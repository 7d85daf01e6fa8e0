//! The control plane's OpenAPI 3.1 document, generated from the handlers' annotations and
//! served at `/openapi.json`; the web client is generated from it.

use actix_web::HttpResponse;
use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{auth, routes};

#[derive(OpenApi)]
#[openapi(
    info(title = "Tenantry control plane", description = "The system owner's API: operators, tenants, provisioning jobs, audit."),
    paths(
        auth::bootstrap, auth::login, auth::logout,
        routes::tenants::create_tenant, routes::tenants::list_tenants, routes::tenants::get_tenant,
        routes::storage::get_storage, routes::storage::put_storage,
        routes::tenant_admin::invite_owner, routes::tenant_admin::get_branding, routes::tenant_admin::put_branding,
        routes::moves::move_tenant, routes::moves::evacuate_server,
        routes::tenants::suspend_tenant, routes::tenants::resume_tenant, routes::tenants::delete_tenant,
        routes::tenants::list_tenant_jobs, routes::tenants::rotate_db_credentials, routes::tenants::rotate_signing_key,
        routes::jobs::list_jobs, routes::jobs::get_job, routes::jobs::retry_job, routes::jobs::compensate_job,
        routes::audit::list_audit_events,
        routes::servers::list_servers, routes::servers::register_server, routes::servers::get_server,
        routes::servers::update_server, routes::servers::remove_server, routes::servers::check_server,
        routes::servers::rotate_server_password,
        routes::operators::list_operators, routes::operators::add_operator,
        routes::operators::list_api_tokens, routes::operators::create_api_token, routes::operators::revoke_api_token,
        routes::sandboxes::create_sandbox, routes::sandboxes::list_sandboxes, routes::sandboxes::destroy_sandbox,
        routes::health::health, routes::health::ready,
    ),
    components(schemas(http_api::ErrorBody)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `GET /openapi.json`
pub async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
