//! `/v1/tenants`: create, list, get, suspend, resume, delete, and a tenant's jobs.

use actix_web::{HttpResponse, web};
use domain::{DisplayName, Email, Password, Plan, TenantId, TenantSlug, TenantStatus};
use http_api::ApiError;
use provisioner::{CreateTenant, FirstAdmin};
use secrets::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    AppState,
    auth::Operator,
    errors::{catalog_error, lifecycle_error, provision_error},
    routes::tenant_admin::InvitationView,
    views::{JobList, JobView, Page, TenantView},
};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/tenants").route(web::post().to(create_tenant)).route(web::get().to(list_tenants)))
        .service(
            web::resource("/tenants/{tenant}").route(web::get().to(get_tenant)).route(web::delete().to(delete_tenant)),
        )
        .service(web::resource("/tenants/{tenant}/suspend").route(web::post().to(suspend_tenant)))
        .service(web::resource("/tenants/{tenant}/resume").route(web::post().to(resume_tenant)))
        .service(web::resource("/tenants/{tenant}/jobs").route(web::get().to(list_tenant_jobs)))
        .service(
            web::resource("/tenants/{tenant}/storage")
                .route(web::get().to(super::storage::get_storage))
                .route(web::put().to(super::storage::put_storage)),
        )
        .service(
            web::resource("/tenants/{tenant}/admin-invitation")
                .route(web::post().to(super::tenant_admin::invite_owner)),
        )
        .service(
            web::resource("/tenants/{tenant}/branding")
                .route(web::get().to(super::tenant_admin::get_branding))
                .route(web::put().to(super::tenant_admin::put_branding)),
        )
        .service(web::resource("/tenants/{tenant}/move").route(web::post().to(super::moves::move_tenant)))
        .service(web::resource("/tenants/{tenant}/rotate-db-credentials").route(web::post().to(rotate_db_credentials)))
        .service(web::resource("/tenants/{tenant}/rotate-signing-key").route(web::post().to(rotate_signing_key)));
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateTenantBody {
    /// DNS label, 3–63 characters, lower case, not reserved.
    #[schema(example = "acme")]
    slug: String,
    display_name: String,
    plan: Option<String>,
    admin: AdminBody,
    /// Database server to pin the tenant to (its name); default: the shared server with the
    /// fewest tenants.
    server: Option<String>,
}

/// The tenant's first admin (owner): created with a password, or, without one, invited (the
/// answer carries the invitation's one-time token).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminBody {
    email: String,
    password: Option<String>,
}

/// A new tenant; with `adminInvitation` when its first admin was invited.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedTenant {
    #[serde(flatten)]
    tenant: TenantView,
    #[serde(skip_serializing_if = "Option::is_none")]
    admin_invitation: Option<InvitationView>,
}

impl CreateTenantBody {
    /// The request, and the invitation token when the first admin is invited.
    fn parse(self) -> Result<(CreateTenant, Option<SecretString>), ApiError> {
        let (token, admin) = match &self.admin.password {
            Some(password) => {
                let password = Password::parse(password).map_err(|e| ApiError::validation("admin.password", e))?;
                (None, FirstAdmin::Password(password))
            }
            None => {
                let (token, admin) = FirstAdmin::invitation();
                (Some(token), admin)
            }
        };
        let request = CreateTenant {
            slug: TenantSlug::parse(&self.slug).map_err(|e| ApiError::validation("slug", e))?,
            display_name: DisplayName::parse(&self.display_name).map_err(|e| ApiError::validation("displayName", e))?,
            plan: match self.plan {
                Some(plan) => plan.parse::<Plan>().map_err(|e| ApiError::validation("plan", e))?,
                None => Plan::Standard,
            },
            admin_email: Email::parse(&self.admin.email).map_err(|e| ApiError::validation("admin.email", e))?,
            admin,
            server: self.server,
            sandbox: None,
        };
        Ok((request, token))
    }
}

/// Provisions a tenant and answers once it is ready to serve.
#[utoipa::path(post, path = "/v1/tenants", tag = "tenants", security(("bearer" = [])), request_body = CreateTenantBody,
    responses((status = 201, body = CreatedTenant), (status = 422, description = "VALIDATION_FAILED (field `server`: the server does not exist or takes no tenant now)", body = http_api::ErrorBody),
        (status = 409, description = "SLUG_TAKEN", body = http_api::ErrorBody),
        (status = 502, description = "PROVISIONING_FAILED (details: jobId, step, cause)", body = http_api::ErrorBody)))]
pub async fn create_tenant(
    state: web::Data<AppState>,
    operator: Operator,
    body: web::Json<CreateTenantBody>,
) -> Result<HttpResponse, ApiError> {
    let (request, token) = body.into_inner().parse()?;
    let invitation = match (&request.admin, token) {
        (FirstAdmin::Invitation { expires_at, .. }, Some(token)) => {
            Some(InvitationView::new(request.admin_email.as_str(), token, *expires_at))
        }
        _ => None,
    };
    let tenant = state.provisioner().create_tenant(request, &operator.actor()).await.map_err(provision_error)?;
    let tenant = view(&state, TenantId::from_uuid(tenant.id)).await?;
    Ok(HttpResponse::Created().json(CreatedTenant { tenant, admin_invitation: invitation }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// 1–100, default 20.
    limit: Option<u64>,
    /// `nextCursor` of the previous page.
    cursor: Option<Uuid>,
    /// Only tenants in this status.
    status: Option<String>,
}

/// Lists tenants, newest first.
#[utoipa::path(get, path = "/v1/tenants", tag = "tenants", security(("bearer" = [])), params(ListQuery),
    responses((status = 200, body = Page<TenantView>), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn list_tenants(
    state: web::Data<AppState>,
    _operator: Operator,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let limit = query.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 100"));
    }
    let status =
        query.status.map(|s| s.parse::<TenantStatus>()).transpose().map_err(|e| ApiError::validation("status", e))?;
    let page = state.catalog().list_tenants(query.cursor, limit, status).await.map_err(catalog_error)?;
    let ids: Vec<_> = page.items.iter().map(|t| t.id).collect();
    let placements = state.catalog().placements_of(&ids).await.map_err(catalog_error)?;
    let servers = state.catalog().servers().await.map_err(catalog_error)?;
    let items = page.items.into_iter().map(|t| {
        let url = state.tenant_url(&t.slug);
        let placement = placements.iter().find(|p| p.tenant_id == t.id).cloned();
        let server = placement.as_ref().and_then(|p| servers.iter().find(|s| s.id == p.server_id));
        TenantView::new(t, url, placement, server)
    });
    Ok(HttpResponse::Ok().json(Page { items: items.collect(), next_cursor: page.next_cursor }))
}

/// Resolves `{tenant}`: a tenant id, or the slug of a live tenant.
pub(crate) async fn resolve(state: &AppState, key: &str) -> Result<TenantId, ApiError> {
    if let Ok(id) = key.parse::<TenantId>() {
        return Ok(id);
    }
    let slug = TenantSlug::parse(key).map_err(|_| ApiError::not_found("tenant"))?;
    let tenant = state.catalog().tenant_by_slug(slug.as_str()).await.map_err(catalog_error)?;
    Ok(TenantId::from_uuid(tenant.id))
}

pub(crate) async fn view(state: &AppState, id: TenantId) -> Result<TenantView, ApiError> {
    let tenant = state.catalog().tenant(id).await.map_err(catalog_error)?;
    let placement = state.catalog().placement(id).await.map_err(catalog_error)?;
    let server = match &placement {
        Some(p) => Some(state.catalog().server(p.server_id).await.map_err(catalog_error)?),
        None => None,
    };
    let url = state.tenant_url(&tenant.slug);
    Ok(TenantView::new(tenant, url, placement, server.as_ref()))
}

/// One tenant, with its database placement.
#[utoipa::path(get, path = "/v1/tenants/{tenant}", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = TenantView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_tenant(
    state: web::Data<AppState>,
    _operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    Ok(HttpResponse::Ok().json(view(&state, id).await?))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendBody {
    /// Shown to operators; at most 500 characters.
    reason: Option<String>,
}

/// Suspends an active tenant: its requests get 403 TENANT_SUSPENDED at once. The body is optional.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/suspend", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")), request_body(content = Option<SuspendBody>),
    responses((status = 200, body = TenantView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE", body = http_api::ErrorBody)))]
pub async fn suspend_tenant(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: SuspendBody = optional_json(&body)?.unwrap_or_default();
    if body.reason.as_ref().is_some_and(|r| r.chars().any(char::is_control)) {
        return Err(ApiError::validation("reason", "must not contain control characters"));
    }
    if body.reason.as_ref().is_some_and(|r| r.chars().count() > 500) {
        return Err(ApiError::validation("reason", "must be at most 500 characters"));
    }
    let id = resolve(&state, &path).await?;
    provisioner::suspend_tenant(state.provisioner(), id, body.reason, &operator.actor())
        .await
        .map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(view(&state, id).await?))
}

/// Resumes a suspended tenant.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/resume", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = TenantView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE", body = http_api::ErrorBody)))]
pub async fn resume_tenant(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    provisioner::resume_tenant(state.provisioner(), id, &operator.actor()).await.map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(view(&state, id).await?))
}

/// Offboards a tenant: drops its database and role, keeps a tombstone.
#[utoipa::path(delete, path = "/v1/tenants/{tenant}", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = TenantView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE", body = http_api::ErrorBody)))]
pub async fn delete_tenant(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    let tenant =
        provisioner::delete_tenant(state.provisioner(), id, &operator.actor()).await.map_err(lifecycle_error)?;
    let url = state.tenant_url(&tenant.slug);
    Ok(HttpResponse::Ok().json(TenantView::new(tenant, url, None, None)))
}

/// A tenant's provisioning jobs, newest first.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/jobs", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = JobList), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn list_tenant_jobs(
    state: web::Data<AppState>,
    _operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    let jobs = state.catalog().jobs_for_tenant(id.as_uuid()).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(JobList { items: jobs.into_iter().map(JobView::from).collect() }))
}

/// The version of a rotated credential.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RotatedView {
    pub version: u32,
}

/// Rotates the tenant's database password with no failed request: new version stored first,
/// then set on the role; tenant planes pick it up on their next login.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/rotate-db-credentials", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = RotatedView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn rotate_db_credentials(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    let version = provisioner::rotate_db_credentials(state.provisioner(), id, &operator.actor())
        .await
        .map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(RotatedView { version }))
}

/// The id of a new signing key.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SigningKeyView {
    pub kid: String,
}

/// Adds a new token-signing key: published in the tenant's JWKS at once, signing five minutes
/// later; the previous key keeps verifying until the longest token it signed has expired.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/rotate-signing-key", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = SigningKeyView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn rotate_signing_key(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    let kid =
        provisioner::rotate_signing_key(state.provisioner(), id, &operator.actor()).await.map_err(lifecycle_error)?;
    Ok(HttpResponse::Ok().json(SigningKeyView { kid }))
}

/// Parses a body that may be empty; a non-empty one must be valid JSON of `T`.
fn optional_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<Option<T>, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(body).map(Some).map_err(|e| {
        let code = if e.is_data() { http_api::ErrorCode::VALIDATION_FAILED } else { http_api::ErrorCode::INVALID_JSON };
        ApiError::new(code, e.to_string())
    })
}
