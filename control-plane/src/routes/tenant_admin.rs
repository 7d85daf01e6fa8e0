//! An operator's changes inside an active tenant's database: an owner invitation
//! (`/v1/tenants/{tenant}/admin-invitation`) and the tenant's branding
//! (`/v1/tenants/{tenant}/branding`). Both are recorded in the tenant's own audit log too.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{Branding, Email};
use http_api::{ApiError, ErrorCode};
use provisioner::TenantAdminError;
use secrets::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::{AppState, auth::Operator, errors::catalog_error, routes::tenants::resolve};

/// An owner invitation. The token is shown this once: the new owner pastes it on the
/// portal's "accept invitation" page (`POST /v1/auth/accept-invitation` on the tenant plane).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    email: String,
    token: String,
    expires_at: DateTime<Utc>,
}

impl InvitationView {
    pub(crate) fn new(email: &str, token: SecretString, expires_at: DateTime<Utc>) -> Self {
        Self { email: email.to_owned(), token: token.expose_secret().to_owned(), expires_at }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteOwnerBody {
    email: String,
}

fn tenant_admin_error(err: TenantAdminError) -> ApiError {
    match err {
        TenantAdminError::Catalog(err) => catalog_error(err),
        err @ TenantAdminError::NotActive(_) => ApiError::new(ErrorCode::INVALID_STATE, err.to_string()),
        err @ TenantAdminError::UserExists => {
            ApiError::new(ErrorCode::CONFLICT, err.to_string()).with_details(serde_json::json!({ "field": "email" }))
        }
        TenantAdminError::Other(err) => ApiError::internal(err),
    }
}

/// Invites an owner into an active tenant, replacing any open invitation for that address:
/// for a first admin whose invitation was lost or expired, or a tenant locked out.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/admin-invitation", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")), request_body = InviteOwnerBody,
    responses((status = 201, body = InvitationView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE (the tenant is not active) or CONFLICT (already a user)", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn invite_owner(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
    body: web::Json<InviteOwnerBody>,
) -> Result<HttpResponse, ApiError> {
    let email = Email::parse(&body.email).map_err(|e| ApiError::validation("email", e))?;
    let id = resolve(&state, &path).await?;
    let invitation =
        state.provisioner().invite_owner(id, &email, &operator.actor()).await.map_err(tenant_admin_error)?;
    Ok(HttpResponse::Created().json(InvitationView::new(&invitation.email, invitation.token, invitation.expires_at)))
}

/// The tenant's branding, as its portal shows it.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/branding", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = Branding), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE (the tenant is not active)", body = http_api::ErrorBody)))]
pub async fn get_branding(
    state: web::Data<AppState>,
    _operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    let branding = state.provisioner().tenant_branding(id).await.map_err(tenant_admin_error)?;
    Ok(HttpResponse::Ok().json(branding))
}

/// Replaces the tenant's branding (the tenant's admins can change it again in their portal).
#[utoipa::path(put, path = "/v1/tenants/{tenant}/branding", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")), request_body = Branding,
    responses((status = 200, body = Branding), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE (the tenant is not active)", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED (field primaryColor or logoUrl)", body = http_api::ErrorBody)))]
pub async fn put_branding(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
    body: web::Json<Branding>,
) -> Result<HttpResponse, ApiError> {
    let branding = body.into_inner();
    branding.validate().map_err(|e| ApiError::validation(e.field, e.message))?;
    let id = resolve(&state, &path).await?;
    let saved =
        state.provisioner().set_tenant_branding(id, &branding, &operator.actor()).await.map_err(tenant_admin_error)?;
    Ok(HttpResponse::Ok().json(saved))
}
