//! Liveness and readiness.

use actix_web::{HttpResponse, web};
use http_api::ApiError;

use crate::AppState;

/// `GET /health`: the process is up.
pub async fn health() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// `GET /ready`: the catalog answers.
pub async fn ready(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.catalog().ping().await.map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "status": "ready" })))
}
