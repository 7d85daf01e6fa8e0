//! `/v1/audit-events`: the control-plane audit log, newest first.

use actix_web::{HttpResponse, web};
use http_api::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    auth::Operator,
    errors::catalog_error,
    views::{AuditView, Page},
};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/audit-events").route(web::get().to(list_audit_events)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    tenant_id: Option<Uuid>,
    cursor: Option<Uuid>,
    limit: Option<u64>,
}

/// The control-plane audit log, newest first.
#[utoipa::path(get, path = "/v1/audit-events", tag = "audit", security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, body = Page<AuditView>), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    _operator: Operator,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 200"));
    }
    let events = state.catalog().audit_events(query.tenant_id, query.cursor, limit).await.map_err(catalog_error)?;
    let next_cursor = (events.len() as u64 == limit).then(|| events.last().map(|e| e.id)).flatten();
    Ok(HttpResponse::Ok().json(Page { items: events.into_iter().map(AuditView::from).collect(), next_cursor }))
}
