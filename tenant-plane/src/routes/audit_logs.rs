//! `GET /v1/audit-logs`: the tenant's audit log, newest first, cursor-paginated, filtered by
//! actor, action and time.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::{Deserialize, Serialize};

use crate::auth::{Can, perm};

const PAGE_MAX: i64 = 200;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// 1–200, default 50.
    limit: Option<i64>,
    /// `nextCursor` of the previous page.
    cursor: Option<i64>,
    /// Actor id (a user or API key id).
    actor: Option<String>,
    /// Exact action, e.g. `user.invited`, or a prefix ending in `.`, e.g. `auth.`.
    action: Option<String>,
    /// Events at or after this time.
    from: Option<DateTime<Utc>>,
    /// Events before this time.
    to: Option<DateTime<Utc>>,
}

/// One audit event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventView {
    seq: i64,
    occurred_at: DateTime<Utc>,
    /// `user`, `api_key`, `system` or `anonymous`.
    actor_type: String,
    actor_id: Option<String>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    ip: Option<String>,
    request_id: Option<String>,
    #[schema(value_type = Object)]
    metadata: serde_json::Value,
    /// SHA-256 chaining this event to the previous one (`tenantry audit verify` checks it).
    hash: String,
}

/// A page of audit events.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditEventList {
    items: Vec<AuditEventView>,
    next_cursor: Option<i64>,
}

/// Reads the audit log.
#[utoipa::path(get, path = "/v1/audit-logs", tag = "audit", params(AuditQuery), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = AuditEventList), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn list_audit_logs(
    caller: Can<perm::AuditRead>,
    query: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = super::fields::limit(query.limit, PAGE_MAX)?;
    for (field, value) in [("actor", &query.actor), ("action", &query.action)] {
        if value.as_ref().is_some_and(|v| v.is_empty() || v.len() > 100 || v.chars().any(char::is_control)) {
            return Err(ApiError::validation(field, "must be 1 to 100 characters without control characters"));
        }
    }
    let (action, action_prefix) = match &query.action {
        Some(a) if a.ends_with('.') => {
            (None, Some(format!("{}%", a.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))))
        }
        other => (other.clone(), None),
    };
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            "SELECT seq, occurred_at, actor_type, actor_id, action, target_type, target_id, ip, request_id, metadata, hash \
             FROM audit.events WHERE ($1::bigint IS NULL OR seq < $1) AND ($2::text IS NULL OR actor_id = $2) \
             AND ($3::text IS NULL OR action = $3) AND ($4::text IS NULL OR action LIKE $4) \
             AND ($5::timestamptz IS NULL OR occurred_at >= $5) AND ($6::timestamptz IS NULL OR occurred_at < $6) \
             ORDER BY seq DESC LIMIT $7",
            &[&query.cursor, &query.actor, &action, &action_prefix, &query.from, &query.to, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = super::fields::page(
        &rows,
        limit,
        |r| {
            Ok(AuditEventView {
                seq: r.get(0),
                occurred_at: r.get(1),
                actor_type: r.get(2),
                actor_id: r.get(3),
                action: r.get(4),
                target_type: r.get(5),
                target_id: r.get(6),
                ip: r.get(7),
                request_id: r.get(8),
                metadata: r.get(9),
                hash: r.get(10),
            })
        },
        |e| e.seq,
    )?;
    Ok(HttpResponse::Ok().json(AuditEventList { items, next_cursor }))
}
