//! `GET /v1/tenant`: the tenant's profile, read from the tenant's own database.

use actix_web::HttpResponse;
use http_api::ApiError;

use crate::TenantCtx;

/// The tenant's profile, read from the tenant's own database.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub id: uuid::Uuid,
    pub slug: String,
    pub display_name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// The tenant this host serves.
#[utoipa::path(get, path = "/v1/tenant", tag = "tenant", params(("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")),
    responses((status = 200, body = ProfileView), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 403, description = "TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn get_tenant(ctx: TenantCtx) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    let row = client
        .query_opt("SELECT tenant_id, slug, display_name, created_at FROM tenant_profile", &[])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("tenant profile"))?;
    Ok(HttpResponse::Ok().json(ProfileView {
        id: row.get(0),
        slug: row.get(1),
        display_name: row.get(2),
        created_at: row.get(3),
    }))
}
