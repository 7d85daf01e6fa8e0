//! `GET /v1/tenant`: the tenant's profile, read from the tenant's own database.

use actix_web::HttpResponse;
use http_api::ApiError;

use crate::TenantCtx;

pub async fn get_tenant(ctx: TenantCtx) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    let row = client
        .query_opt("SELECT tenant_id, slug, display_name, created_at FROM tenant_profile", &[])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("tenant profile"))?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": row.get::<_, uuid::Uuid>(0),
        "slug": row.get::<_, String>(1),
        "displayName": row.get::<_, String>(2),
        "createdAt": row.get::<_, chrono::DateTime<chrono::Utc>>(3),
    })))
}
