//! Moving tenants between database servers: one (`POST /v1/tenants/{tenant}/move`, to give a
//! tenant a server of its own or to rebalance), or every tenant off a draining server
//! (`POST /v1/servers/{name}/evacuate`). Both return when the moves are done.

use actix_web::{HttpResponse, web};
use http_api::ApiError;
use serde::Deserialize;

use crate::{
    AppState,
    auth::Operator,
    errors::{catalog_error, provision_error},
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

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EvacuateBody {
    /// Move every tenant to this server; default: spread over the active shared servers,
    /// fewest tenants first, within their capacity.
    to: Option<String>,
    /// Moves at once, 1–8 (default 2).
    concurrency: Option<usize>,
}

/// Moves every active or suspended tenant off a draining server. `200` with what moved and
/// what did not, even when some moves failed (those tenants stay where they were).
#[utoipa::path(post, path = "/v1/servers/{name}/evacuate", tag = "servers", security(("bearer" = [])),
    params(("name" = String, Path)), request_body = EvacuateBody,
    responses((status = 200, body = provisioner::EvacuationReport),
        (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE: the server is not draining", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED: `to` is not another active server, or `concurrency` is out of range", body = http_api::ErrorBody)))]
pub async fn evacuate_server(
    state: web::Data<AppState>,
    operator: Operator,
    name: web::Path<String>,
    body: web::Json<EvacuateBody>,
) -> Result<HttpResponse, ApiError> {
    let concurrency = body.concurrency.unwrap_or(provisioner::DEFAULT_EVACUATION_CONCURRENCY);
    if !(1..=8).contains(&concurrency) {
        return Err(ApiError::validation("concurrency", "1–8 moves at once"));
    }
    state.catalog().server_by_name(&name).await.map_err(catalog_error)?;
    let report = state
        .provisioner()
        .evacuate_server(&name, body.to.as_deref(), concurrency, &operator.actor())
        .await
        .map_err(provision_error)?;
    Ok(HttpResponse::Ok().json(report))
}
