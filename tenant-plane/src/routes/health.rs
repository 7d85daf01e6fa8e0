//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use http_api::ApiError;

use crate::AppState;

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, description = "Up")))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Ready to serve. A worker stays ready while the catalog is unreachable, because it keeps
/// serving warm tenants from their last known routes (static stability): taking every worker
/// out of rotation on a catalog outage would turn it into a data-plane outage. The body says
/// `degraded` then, for operators and alerts.
#[utoipa::path(get, path = "/ready", tag = "health", responses((status = 200, description = "Ready or degraded")))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let catalog_ok = state.catalog().ping().await.is_ok();
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "status": if catalog_ok { "ready" } else { "degraded" },
        "catalog": if catalog_ok { "ok" } else { "unreachable" },
        "listening": state.is_listening(),
        "tenantPools": state.pools().pool_count(),
        "connectionsInUse": state.pools().connections_in_use(),
    })))
}
