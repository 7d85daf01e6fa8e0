//! `POST /v1/tenants/{tenant}/move`: moves a tenant's database to another server (to drain a
//! server, or to give a tenant one of its own). Returns once it is served from there.

use actix_web::{HttpResponse, web};
use http_api::ApiError;
use serde::Deserialize;

use crate::{
    AppState,
    auth::Operator,
    errors::provision_error,
    routes::tenants::{resolve, view},
    views::TenantView,
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveTenantBody {
    /// The database server's name.
    server: String,
}

/// Moves an active or suspended tenant to another database server. Meanwhile (seconds for a
/// small tenant; the copy's time for a big one) its API answers `503 TENANT_MOVING`. A failure
/// before the switch is undone: the tenant is served from its old server again.
#[utoipa::path(post, path = "/v1/tenants/{tenant}/move", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")), request_body = MoveTenantBody,
    responses((status = 200, description = "Moved; `database.server` names the new server", body = TenantView),
        (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE: the tenant is not active or suspended (or already moving)", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED (`details.field` = `server`): no such server, the tenant is already there, the server takes no more tenants, or the tenant's schema is behind", body = http_api::ErrorBody),
        (status = 502, description = "PROVISIONING_FAILED: the move failed at a step (`details.undone` says whether it was undone)", body = http_api::ErrorBody)))]
pub async fn move_tenant(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
    body: web::Json<MoveTenantBody>,
) -> Result<HttpResponse, ApiError> {
    let id = resolve(&state, &path).await?;
    state.provisioner().move_tenant(id, &body.server, &operator.actor()).await.map_err(provision_error)?;
    Ok(HttpResponse::Ok().json(view(&state, id).await?))
}
