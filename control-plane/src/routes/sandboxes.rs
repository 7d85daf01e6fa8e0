//! `/v1/sandboxes`: throwaway tenants for CI pipelines. Callable with a `sandbox` API token.
//! A sandbox's credentials are returned once; it is removed — database, role, storage,
//! secrets and catalog rows — when it expires or on `DELETE`.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{Plan, TenantId};
use http_api::ApiError;
use provisioner::{SandboxError, SandboxRequest};
use secrets::ExposeSecret;
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    auth::SandboxCaller,
    errors::{catalog_error, lifecycle_error, provision_error},
};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/sandboxes").route(web::get().to(list_sandboxes)).route(web::post().to(create_sandbox)))
        .service(web::resource("/sandboxes/{sandbox}").route(web::delete().to(destroy_sandbox)));
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewSandboxBody {
    /// Lifetime in seconds, 60 to 604800 (default 1800).
    ttl_seconds: Option<u64>,
    /// Default `standard`.
    plan: Option<String>,
    /// Pin to a database server (by name).
    server: Option<String>,
    /// Shown in its name, e.g. the CI job (up to 60 characters).
    label: Option<String>,
}

/// A sandbox as listed.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxView {
    id: Uuid,
    slug: String,
    display_name: String,
    status: String,
    /// The tenant's base URL (its portal and API).
    url: String,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SandboxList {
    items: Vec<SandboxView>,
}

/// A new sandbox and its credentials, shown this once.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedSandbox {
    #[serde(flatten)]
    sandbox: SandboxView,
    /// Send as `x-api-key`: every permission of the sandbox's owner; expires with it.
    api_key: String,
    admin: SandboxAdmin,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SandboxAdmin {
    email: String,
    password: String,
}

fn view(state: &AppState, t: catalog::entity::tenant::Model) -> SandboxView {
    SandboxView {
        url: state.tenant_url(&t.slug),
        id: t.id,
        slug: t.slug,
        display_name: t.display_name,
        status: t.status,
        created_at: t.created_at,
        expires_at: t.sandbox_expires_at,
    }
}

fn sandbox_error(err: SandboxError) -> ApiError {
    match err {
        SandboxError::Invalid { field, message } => ApiError::validation(field, message),
        SandboxError::NotASandbox => ApiError::not_found("sandbox"),
        SandboxError::Provision(err) => provision_error(err),
        SandboxError::Lifecycle(err) => lifecycle_error(err),
        SandboxError::Catalog(err) => catalog_error(err),
    }
}

/// Creates a sandbox from the migrated template; answers once it is ready to serve.
#[utoipa::path(post, path = "/v1/sandboxes", tag = "sandboxes", security(("bearer" = [])), request_body = NewSandboxBody,
    responses((status = 201, body = CreatedSandbox), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody),
        (status = 502, description = "PROVISIONING_FAILED", body = http_api::ErrorBody)))]
pub async fn create_sandbox(
    state: web::Data<AppState>,
    caller: SandboxCaller,
    body: web::Json<NewSandboxBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let plan = match body.plan {
        Some(plan) => plan.parse::<Plan>().map_err(|e| ApiError::validation("plan", e))?,
        None => Plan::Standard,
    };
    let request = SandboxRequest {
        ttl: Duration::from_secs(body.ttl_seconds.unwrap_or(1800)),
        plan,
        server: body.server,
        label: body.label,
    };
    let created = state.provisioner().create_sandbox(request, &caller.0.actor()).await.map_err(sandbox_error)?;
    let body = CreatedSandbox {
        api_key: created.api_key.expose_secret().to_owned(),
        admin: SandboxAdmin { email: created.admin_email, password: created.admin_password.expose_secret().to_owned() },
        sandbox: view(&state, created.tenant),
    };
    Ok(HttpResponse::Created().json(body))
}

/// Live sandboxes, soonest expiry first.
#[utoipa::path(get, path = "/v1/sandboxes", tag = "sandboxes", security(("bearer" = [])),
    responses((status = 200, body = SandboxList)))]
pub async fn list_sandboxes(state: web::Data<AppState>, _caller: SandboxCaller) -> Result<HttpResponse, ApiError> {
    let items = state.catalog().sandboxes().await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(SandboxList { items: items.into_iter().map(|t| view(&state, t)).collect() }))
}

/// Removes a sandbox now (id or slug); any other tenant is `404`.
#[utoipa::path(delete, path = "/v1/sandboxes/{sandbox}", tag = "sandboxes", security(("bearer" = [])),
    params(("sandbox" = String, Path, description = "Sandbox id or slug")),
    responses((status = 204), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn destroy_sandbox(
    state: web::Data<AppState>,
    caller: SandboxCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = match path.parse::<TenantId>() {
        Ok(id) => id,
        Err(_) => {
            let tenant = state.catalog().tenant_by_slug(&path).await.map_err(|_| ApiError::not_found("sandbox"))?;
            TenantId::from_uuid(tenant.id)
        }
    };
    match state.provisioner().destroy_sandbox(id, &caller.0.actor()).await {
        Ok(()) => Ok(HttpResponse::NoContent().finish()),
        Err(SandboxError::Catalog(catalog::CatalogError::NotFound(_))) => Err(ApiError::not_found("sandbox")),
        Err(err) => Err(sandbox_error(err)),
    }
}
