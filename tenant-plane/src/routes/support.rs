//! `/v1/support/tickets` (module `support`): tickets with a status workflow and an assignee.
//!
//! Workflow: `open → pending | resolved`, `pending → open | resolved`, `resolved → closed |
//! open` (reopen); `closed` is final. Any other move is `409 INVALID_STATE`. An assignee must
//! be an active user of at least `staff`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::fields::{limit, page, text};
use crate::{
    audit::AuditEvent,
    auth::{Can, perm},
    modules::{self, Module},
    webhooks,
};

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TicketStatus {
    Open,
    Pending,
    Resolved,
    Closed,
}

impl TicketStatus {
    fn as_str(self) -> &'static str {
        match self {
            TicketStatus::Open => "open",
            TicketStatus::Pending => "pending",
            TicketStatus::Resolved => "resolved",
            TicketStatus::Closed => "closed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        [TicketStatus::Open, TicketStatus::Pending, TicketStatus::Resolved, TicketStatus::Closed]
            .into_iter()
            .find(|t| t.as_str() == s)
    }

    /// Whether a ticket may move from `self` to `to`.
    pub fn may_become(self, to: TicketStatus) -> bool {
        use TicketStatus::*;
        matches!(
            (self, to),
            (Open, Pending)
                | (Open, Resolved)
                | (Pending, Open)
                | (Pending, Resolved)
                | (Resolved, Closed)
                | (Resolved, Open)
        )
    }
}

/// How urgent a ticket is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// A ticket.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketView {
    id: Uuid,
    subject: String,
    description: String,
    status: TicketStatus,
    priority: String,
    assignee_id: Option<Uuid>,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, subject, description, status, priority, assignee_id, created_by, created_at, updated_at";

fn ticket_view(r: &Row) -> Result<TicketView, ApiError> {
    Ok(TicketView {
        id: r.get(0),
        subject: r.get(1),
        description: r.get(2),
        status: TicketStatus::parse(r.get(3)).ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown status")))?,
        priority: r.get(4),
        assignee_id: r.get(5),
        created_by: r.get(6),
        created_at: r.get(7),
        updated_at: r.get(8),
    })
}

/// `422` unless `assignee` is an active user who is at least staff.
async fn check_assignee(db: &impl GenericClient, assignee: Option<Uuid>) -> Result<(), ApiError> {
    let Some(assignee) = assignee else { return Ok(()) };
    let ok = db
        .query_opt(
            "SELECT 1 FROM users WHERE id = $1 AND status = 'active' AND role IN ('owner','admin','staff')",
            &[&assignee],
        )
        .await
        .map_err(ApiError::internal)?;
    ok.map(|_| ())
        .ok_or_else(|| ApiError::validation("assigneeId", "must be an active user with at least the staff role"))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateTicket {
    /// 1–200 characters.
    subject: String,
    /// At most 10000 characters.
    description: Option<String>,
    priority: Option<Priority>,
    assignee_id: Option<Uuid>,
}

/// Opens a ticket.
#[utoipa::path(post, path = "/v1/support/tickets", tag = "support", request_body = CreateTicket, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = TicketView), (status = 403, description = "FORBIDDEN or MODULE_DISABLED", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_ticket(
    caller: Can<perm::SupportWrite>,
    body: web::Json<CreateTicket>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Support).await?;
    let CreateTicket { subject, description, priority, assignee_id } = body.into_inner();
    let subject = text("subject", &subject, 1, 200, false)?;
    let description = description.map(|d| text("description", &d, 0, 10_000, true)).transpose()?.unwrap_or_default();
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    check_assignee(&txn, assignee_id).await?;
    let id = Uuid::now_v7();
    let row = txn
        .query_one(
            &format!(
                "INSERT INTO support_tickets (id, subject, description, priority, assignee_id, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
            ),
            &[
                &id,
                &subject,
                &description,
                &priority.unwrap_or(Priority::Normal).as_str(),
                &assignee_id,
                &caller.user_id(),
            ],
        )
        .await
        .map_err(ApiError::internal)?;
    let view = ticket_view(&row)?;
    webhooks::commit_with_event(txn, &caller.ctx, "support.ticket.created", json!(view)).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    status: Option<TicketStatus>,
    assignee_id: Option<Uuid>,
    /// 1–100, default 50.
    limit: Option<i64>,
    /// `nextCursor` of the previous page.
    cursor: Option<Uuid>,
}

/// A page of tickets, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TicketList {
    items: Vec<TicketView>,
    next_cursor: Option<Uuid>,
}

/// Lists tickets, by status or assignee.
#[utoipa::path(get, path = "/v1/support/tickets", tag = "support", params(TicketQuery), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = TicketList), (status = 403, description = "FORBIDDEN or MODULE_DISABLED", body = http_api::ErrorBody)))]
pub async fn list_tickets(
    caller: Can<perm::SupportRead>,
    query: web::Query<TicketQuery>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Support).await?;
    let limit = limit(query.limit, 100)?;
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {COLUMNS} FROM support_tickets WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR status = $2) \
                 AND ($3::uuid IS NULL OR assignee_id = $3) ORDER BY id LIMIT $4"
            ),
            &[&query.cursor, &query.status.map(TicketStatus::as_str), &query.assignee_id, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = page(&rows, limit, ticket_view, |t| t.id)?;
    Ok(HttpResponse::Ok().json(TicketList { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
pub struct TicketPath {
    id: Uuid,
}

/// One ticket.
#[utoipa::path(get, path = "/v1/support/tickets/{id}", tag = "support", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = TicketView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_ticket(caller: Can<perm::SupportRead>, path: web::Path<TicketPath>) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Support).await?;
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt(&format!("SELECT {COLUMNS} FROM support_tickets WHERE id = $1"), &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("ticket"))?;
    Ok(HttpResponse::Ok().json(ticket_view(&row)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateTicket {
    subject: Option<String>,
    description: Option<String>,
    priority: Option<Priority>,
    /// The next status (see the workflow).
    status: Option<TicketStatus>,
    /// A user id; `null` unassigns.
    #[serde(default, deserialize_with = "super::fields::present")]
    #[schema(value_type = Option<Uuid>)]
    assignee_id: Option<Option<Uuid>>,
}

/// Changes a ticket: fields, status (workflow-checked) and assignee.
#[utoipa::path(patch, path = "/v1/support/tickets/{id}", tag = "support", params(("id" = Uuid, Path)), request_body = UpdateTicket, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = TicketView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "INVALID_STATE: not a workflow step, or the ticket is closed", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn update_ticket(
    caller: Can<perm::SupportWrite>,
    path: web::Path<TicketPath>,
    body: web::Json<UpdateTicket>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Support).await?;
    let UpdateTicket { subject, description, priority, status, assignee_id } = body.into_inner();
    let subject = subject.map(|s| text("subject", &s, 1, 200, false)).transpose()?;
    let description = description.map(|d| text("description", &d, 0, 10_000, true)).transpose()?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let current: String = txn
        .query_opt("SELECT status FROM support_tickets WHERE id = $1 FOR UPDATE", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("ticket"))?
        .get(0);
    let current = TicketStatus::parse(&current).ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown status")))?;
    if current == TicketStatus::Closed {
        return Err(ApiError::new(ErrorCode::INVALID_STATE, "the ticket is closed"));
    }
    if let Some(to) = status.filter(|to| *to != current)
        && !current.may_become(to)
    {
        return Err(ApiError::new(
            ErrorCode::INVALID_STATE,
            format!("a {} ticket cannot become {}", current.as_str(), to.as_str()),
        ));
    }
    if let Some(assignee) = assignee_id {
        check_assignee(&txn, assignee).await?;
    }
    let row = txn
        .query_one(
            &format!(
                "UPDATE support_tickets SET subject = coalesce($2, subject), description = coalesce($3, description), \
                 priority = coalesce($4, priority), status = coalesce($5, status), \
                 assignee_id = CASE WHEN $6 THEN $7 ELSE assignee_id END, updated_at = now() \
                 WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[
                &path.id,
                &subject,
                &description,
                &priority.map(Priority::as_str),
                &status.map(TicketStatus::as_str),
                &assignee_id.is_some(),
                &assignee_id.flatten(),
            ],
        )
        .await
        .map_err(ApiError::internal)?;
    if let Some(to) = status.filter(|to| *to != current) {
        AuditEvent::by(&caller, "support.ticket_status_changed")
            .target("ticket", path.id)
            .metadata(json!({ "from": current.as_str(), "to": to.as_str() }))
            .write(&txn)
            .await?;
    }
    let view = ticket_view(&row)?;
    webhooks::commit_with_event(txn, &caller.ctx, "support.ticket.updated", json!(view)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Deletes a ticket.
#[utoipa::path(delete, path = "/v1/support/tickets/{id}", tag = "support", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn delete_ticket(
    caller: Can<perm::SupportWrite>,
    path: web::Path<TicketPath>,
) -> Result<HttpResponse, ApiError> {
    modules::require(&caller, Module::Support).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let n = txn.execute("DELETE FROM support_tickets WHERE id = $1", &[&path.id]).await.map_err(ApiError::internal)?;
    if n == 0 {
        return Err(ApiError::not_found("ticket"));
    }
    webhooks::commit_with_event(txn, &caller.ctx, "support.ticket.deleted", json!({ "id": path.id })).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::TicketStatus::*;

    #[test]
    fn the_workflow_allows_only_its_steps() {
        assert!(Open.may_become(Pending) && Pending.may_become(Resolved) && Resolved.may_become(Closed));
        assert!(Resolved.may_become(Open), "reopen");
        for (from, to) in [(Open, Closed), (Pending, Closed), (Closed, Open), (Closed, Resolved), (Open, Open)] {
            assert!(!from.may_become(to), "{from:?} → {to:?}");
        }
    }
}
