//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use http_api::ApiError;

use crate::AppState;

/// The process is up.
#[utoipa::path(get, path = "/health", tag = "health", responses((status = 200, description = "Up")))]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// The catalog answers.
#[utoipa::path(get, path = "/ready", tag = "health",
    responses((status = 200, description = "Ready"), (status = 503, description = "SERVICE_UNAVAILABLE", body = http_api::ErrorBody)))]
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.catalog().ping().await.map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
