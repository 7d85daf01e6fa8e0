//! `/v1/webhooks`: endpoints that receive the tenant's events. The signing secret is generated
//! here, shown once (at creation or rotation) and stored sealed with the tenant's data key; the
//! delivery log shows every attempt; `POST …/test` sends a `webhook.test` event at once.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::Row;
use uuid::Uuid;

use super::fields::{limit, page, text};
use crate::{
    AppState,
    audit::AuditEvent,
    auth::{Caller, Can, perm},
    webhooks::{EVENT_TYPES, TEST_EVENT, dispatcher, secret_context},
};

const URL_MAX: usize = 2048;

/// A webhook endpoint (never its secret).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    id: Uuid,
    url: String,
    description: String,
    /// Event types, or `*` for all.
    events: Vec<String>,
    enabled: bool,
    /// Why the platform switched it off, if it did.
    disabled_reason: Option<String>,
    /// Failed attempts in a row.
    failure_streak: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, url, description, events, enabled, disabled_reason, failure_streak, created_at, updated_at";

impl From<&Row> for WebhookView {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            url: r.get(1),
            description: r.get(2),
            events: r.get(3),
            enabled: r.get(4),
            disabled_reason: r.get(5),
            failure_streak: r.get(6),
            created_at: r.get(7),
            updated_at: r.get(8),
        }
    }
}

/// A webhook with its signing secret: shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    webhook: WebhookView,
    /// Verify `Tenantry-Signature` with it. Not retrievable later.
    secret: String,
}

fn check_url(dispatcher: &crate::webhooks::Dispatcher, url: &str) -> Result<String, ApiError> {
    let url = text("url", url, 1, URL_MAX, false)?;
    let parsed = url::Url::parse(&url).map_err(|err| ApiError::validation("url", err))?;
    dispatcher.settings.policy().check_url(&parsed).map_err(|err| ApiError::validation("url", err))?;
    Ok(url)
}

/// Scheme, host and port of a URL: what the audit log keeps (paths and queries may hold tokens).
fn origin(url: &str) -> String {
    url::Url::parse(url).map(|u| u.origin().ascii_serialization()).unwrap_or_default()
}

fn check_events(events: &[String]) -> Result<Vec<String>, ApiError> {
    if events.is_empty() || events.len() > EVENT_TYPES.len() + 1 {
        return Err(ApiError::validation("events", "must list at least one event type, each once"));
    }
    let mut out: Vec<String> = Vec::new();
    for event in events {
        if event != "*" && !EVENT_TYPES.contains(&event.as_str()) {
            return Err(ApiError::validation("events", format!("{event:?} is not an event type")));
        }
        if out.contains(event) {
            return Err(ApiError::validation("events", format!("{event} is listed twice")));
        }
        out.push(event.clone());
    }
    Ok(out)
}

async fn seal_new_secret(state: &AppState, caller: &Caller, id: Uuid) -> Result<(String, String), ApiError> {
    let secret = format!("whsec_{}", secrets::random_token(32));
    let sealer = state.sealer(caller.ctx.route.id).await?;
    let sealed = sealer.seal(&secret_context(id), &secret).map_err(ApiError::internal)?;
    Ok((secret, sealed))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// `https://…` (public addresses only).
    url: String,
    /// Event types, or `["*"]`.
    events: Vec<String>,
    /// At most 500 characters.
    description: Option<String>,
}

/// Creates a webhook endpoint.
#[utoipa::path(post, path = "/v1/webhooks", tag = "webhooks", request_body = CreateWebhook, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = WebhookWithSecret), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Can<perm::WebhooksManage>,
    body: web::Json<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let CreateWebhook { url, events, description } = body.into_inner();
    let url = check_url(caller.ctx.webhooks(), &url)?;
    let events = check_events(&events)?;
    let description = description.map(|d| text("description", &d, 0, 500, false)).transpose()?.unwrap_or_default();
    let id = Uuid::now_v7();
    let (secret, sealed) = seal_new_secret(&state, &caller, id).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let row = txn
        .query_one(
            &format!(
                "INSERT INTO webhook_endpoints (id, url, description, events, secret_sealed) VALUES ($1, $2, $3, $4, $5) \
                 RETURNING {COLUMNS}"
            ),
            &[&id, &url, &description, &events, &sealed],
        )
        .await
        .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "webhook.created")
        .target("webhook", id)
        .metadata(json!({ "origin": origin(&url), "events": events }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(WebhookWithSecret { webhook: WebhookView::from(&row), secret }))
}

/// The tenant's webhook endpoints.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WebhookList {
    items: Vec<WebhookView>,
}

/// Lists webhook endpoints.
#[utoipa::path(get, path = "/v1/webhooks", tag = "webhooks", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = WebhookList), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody)))]
pub async fn list_webhooks(caller: Can<perm::WebhooksManage>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let rows = client
        .query(&format!("SELECT {COLUMNS} FROM webhook_endpoints ORDER BY id LIMIT 1000"), &[])
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(WebhookList { items: rows.iter().map(WebhookView::from).collect() }))
}

#[derive(Debug, Deserialize)]
pub struct WebhookPath {
    id: Uuid,
}

/// One webhook endpoint.
#[utoipa::path(get, path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = WebhookView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_webhook(
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt(&format!("SELECT {COLUMNS} FROM webhook_endpoints WHERE id = $1"), &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    Ok(HttpResponse::Ok().json(WebhookView::from(&row)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    url: Option<String>,
    events: Option<Vec<String>>,
    description: Option<String>,
    /// Switching an endpoint back on clears its failure streak.
    enabled: Option<bool>,
}

/// Changes a webhook endpoint.
#[utoipa::path(patch, path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), request_body = UpdateWebhook, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = WebhookView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn update_webhook(
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
    body: web::Json<UpdateWebhook>,
) -> Result<HttpResponse, ApiError> {
    let UpdateWebhook { url, events, description, enabled } = body.into_inner();
    let url = url.map(|u| check_url(caller.ctx.webhooks(), &u)).transpose()?;
    let events = events.map(|e| check_events(&e)).transpose()?;
    let description = description.map(|d| text("description", &d, 0, 500, false)).transpose()?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let row = txn
        .query_opt(
            &format!(
                "UPDATE webhook_endpoints SET url = coalesce($2, url), events = coalesce($3, events), \
                 description = coalesce($4, description), enabled = coalesce($5, enabled), \
                 failure_streak = CASE WHEN $5 THEN 0 ELSE failure_streak END, \
                 failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END, \
                 disabled_reason = CASE WHEN $5 IS NOT NULL THEN NULL ELSE disabled_reason END, \
                 updated_at = now() WHERE id = $1 RETURNING {COLUMNS}"
            ),
            &[&path.id, &url, &events, &description, &enabled],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    AuditEvent::by(&caller, "webhook.updated")
        .target("webhook", path.id)
        .metadata(json!({ "origin": url.as_deref().map(origin), "events": events, "enabled": enabled }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    if enabled == Some(true) {
        caller.ctx.wake_webhooks();
    }
    Ok(HttpResponse::Ok().json(WebhookView::from(&row)))
}

/// Deletes a webhook endpoint, its queued events and its delivery log.
#[utoipa::path(delete, path = "/v1/webhooks/{id}", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn delete_webhook(
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let n =
        txn.execute("DELETE FROM webhook_endpoints WHERE id = $1", &[&path.id]).await.map_err(ApiError::internal)?;
    if n == 0 {
        return Err(ApiError::not_found("webhook"));
    }
    AuditEvent::by(&caller, "webhook.deleted").target("webhook", path.id).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The new secret, shown once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RotatedSecret {
    secret: String,
}

/// Replaces the signing secret; deliveries from now on are signed with the new one.
#[utoipa::path(post, path = "/v1/webhooks/{id}/rotate-secret", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = RotatedSecret), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn rotate_webhook_secret(
    state: web::Data<AppState>,
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let (secret, sealed) = seal_new_secret(&state, &caller, path.id).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let n = txn
        .execute(
            "UPDATE webhook_endpoints SET secret_sealed = $2, updated_at = now() WHERE id = $1",
            &[&path.id, &sealed],
        )
        .await
        .map_err(ApiError::internal)?;
    if n == 0 {
        return Err(ApiError::not_found("webhook"));
    }
    AuditEvent::by(&caller, "webhook.secret_rotated").target("webhook", path.id).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(RotatedSecret { secret }))
}

/// Sends a `webhook.test` event to the endpoint now (one attempt, logged) and reports how it went.
#[utoipa::path(post, path = "/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = dispatcher::AttemptResult), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn test_webhook(
    state: web::Data<AppState>,
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
) -> Result<HttpResponse, ApiError> {
    let tenant = caller.ctx.route.id;
    let client = caller.ctx.client().await?;
    let endpoint = client
        .query_opt("SELECT url, secret_sealed FROM webhook_endpoints WHERE id = $1", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("webhook"))?;
    drop(client);
    // The secret is opened before anything is written: a failure leaves no row behind.
    let sealer = state.sealer(tenant).await?;
    let secret = sealer.open(&secret_context(path.id), endpoint.get(1)).map_err(ApiError::internal)?;
    let (outbox, event_id) = (Uuid::now_v7(), Uuid::now_v7());
    let data = json!({ "message": "This is a test event from Tenantry." });
    let client = caller.ctx.client().await?;
    // Written as already failed and leased: the dispatcher never picks it up, even if this
    // request dies before recording the attempt.
    let row = client
        .query_one(
            "INSERT INTO webhook_outbox (id, endpoint_id, event_id, event_type, payload, status, leased_until) \
             VALUES ($1, $2, $3, $4, $5, 'failed', now() + interval '2 minutes') RETURNING created_at, leased_until",
            &[&outbox, &path.id, &event_id, &TEST_EVENT, &data],
        )
        .await
        .map_err(ApiError::internal)?;
    drop(client);
    let (created_at, lease): (DateTime<Utc>, DateTime<Utc>) = (row.get(0), row.get(1));
    let body = dispatcher::envelope(tenant, event_id, TEST_EVENT, created_at, &data);
    let result = {
        use secrecy::ExposeSecret;
        caller.ctx.webhooks().send(endpoint.get(0), secret.expose_secret(), &body, event_id, TEST_EVENT).await
    };
    let client = caller.ctx.client().await?;
    dispatcher::record(&client, &caller.ctx.webhooks().settings, outbox, path.id, 1, &result, true, lease)
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(result))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    /// 1–200, default 50.
    limit: Option<i64>,
    /// `nextCursor` of the previous page.
    cursor: Option<Uuid>,
}

/// One delivery attempt.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    id: Uuid,
    event_id: Uuid,
    event_type: String,
    attempt: i32,
    attempted_at: DateTime<Utc>,
    status_code: Option<i32>,
    error: Option<String>,
    duration_ms: i32,
    /// The event's state: `pending` (more attempts to come), `delivered`, `failed`.
    event_status: String,
    next_attempt_at: Option<DateTime<Utc>>,
}

/// A page of attempts, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryList {
    items: Vec<DeliveryView>,
    next_cursor: Option<Uuid>,
}

/// The delivery log of an endpoint: every attempt, newest first.
#[utoipa::path(get, path = "/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = Uuid, Path), DeliveryQuery), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = DeliveryList), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn list_deliveries(
    caller: Can<perm::WebhooksManage>,
    path: web::Path<WebhookPath>,
    query: web::Query<DeliveryQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = limit(query.limit, 200)?;
    let client = caller.ctx.client().await?;
    if client
        .query_opt("SELECT 1 FROM webhook_endpoints WHERE id = $1", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .is_none()
    {
        return Err(ApiError::not_found("webhook"));
    }
    let rows = client
        .query(
            "SELECT d.id, o.event_id, o.event_type, d.attempt, d.attempted_at, d.status_code, d.error, d.duration_ms, o.status, \
             CASE WHEN o.status = 'pending' THEN o.next_attempt_at END \
             FROM webhook_deliveries d JOIN webhook_outbox o ON o.id = d.outbox_id \
             WHERE d.endpoint_id = $1 AND ($2::uuid IS NULL OR d.id < $2) ORDER BY d.id DESC LIMIT $3",
            &[&path.id, &query.cursor, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = page(
        &rows,
        limit,
        |r| {
            Ok(DeliveryView {
                id: r.get(0),
                event_id: r.get(1),
                event_type: r.get(2),
                attempt: r.get(3),
                attempted_at: r.get(4),
                status_code: r.get(5),
                error: r.get(6),
                duration_ms: r.get(7),
                event_status: r.get(8),
                next_attempt_at: r.get(9),
            })
        },
        |d| d.id,
    )?;
    Ok(HttpResponse::Ok().json(DeliveryList { items, next_cursor }))
}
