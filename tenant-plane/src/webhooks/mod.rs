//! Webhooks: events are written to an outbox in the tenant's database in the transaction of the
//! change that caused them, then delivered by the worker's dispatcher — signed, retried with
//! exponential backoff, logged per attempt, through the SSRF guard.

pub(crate) mod dispatcher;
pub(crate) mod guard;
pub mod signature;

use http_api::ApiError;
use serde_json::Value;
use tokio_postgres::GenericClient;
use uuid::Uuid;

pub use dispatcher::{Dispatcher, WebhookSettings};

/// Event types an endpoint can subscribe to (`*` means all).
pub const EVENT_TYPES: &[&str] = &[
    "user.created",
    "user.updated",
    "user.removed",
    "crm.contact.created",
    "crm.contact.updated",
    "crm.contact.deleted",
    "support.ticket.created",
    "support.ticket.updated",
    "support.ticket.deleted",
];

/// Sent only by `POST /v1/webhooks/{id}/test`.
pub const TEST_EVENT: &str = "webhook.test";

/// Queues `event_type` with `data` for every enabled endpoint subscribed to it, with `db` (the
/// transaction of the change). Returns whether anything was queued: then, after commit, call
/// `TenantCtx::wake_webhooks`.
pub async fn enqueue(db: &impl GenericClient, event_type: &'static str, data: Value) -> Result<bool, ApiError> {
    debug_assert!(EVENT_TYPES.contains(&event_type));
    let queued = db
        .execute(
            "INSERT INTO webhook_outbox (id, endpoint_id, event_id, event_type, payload) \
             SELECT gen_random_uuid(), id, $1, $2, $3 FROM webhook_endpoints \
             WHERE enabled AND ($2 = ANY (events) OR '*' = ANY (events))",
            &[&Uuid::now_v7(), &event_type, &data],
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(queued > 0)
}

/// The sealing context of an endpoint's secret.
pub fn secret_context(endpoint: Uuid) -> String {
    format!("webhook/{endpoint}/secret")
}

/// Queues `event_type` in `txn`, commits, and wakes the dispatcher if an endpoint wants it.
pub async fn commit_with_event(
    txn: tokio_postgres::Transaction<'_>,
    ctx: &crate::TenantCtx,
    event_type: &'static str,
    data: Value,
) -> Result<(), ApiError> {
    let queued = enqueue(&txn, event_type, data).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    if queued {
        ctx.wake_webhooks();
    }
    Ok(())
}
