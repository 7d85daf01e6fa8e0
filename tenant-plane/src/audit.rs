//! Writing the tenant's audit log. Rows are appended with `audit.append()` in the tenant's
//! database, inside the same transaction as the change they record, so a change and its audit
//! row commit or roll back together. The database chains the rows by hash and refuses any
//! other write to the log (see the tenant migration `m0004_audit`).

use actix_web::{HttpMessage, HttpRequest};
use http_api::{ApiError, RequestId};
use serde_json::Value;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use crate::auth::{Actor, Caller};

/// Where a request came from, for the audit log and rate limits.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn of(req: &HttpRequest) -> Self {
        Self {
            ip: req.peer_addr().map(|a| a.ip().to_string()),
            request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        }
    }
}

impl actix_web::FromRequest for RequestMeta {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(Ok(Self::of(req)))
    }
}

/// Who an audit row names as its actor.
#[derive(Debug, Clone)]
pub struct AuditActor {
    kind: &'static str,
    id: Option<String>,
}

impl AuditActor {
    pub fn user(id: Uuid) -> Self {
        Self { kind: "user", id: Some(id.to_string()) }
    }

    /// The platform itself (e.g. the webhook dispatcher).
    pub fn system() -> Self {
        Self { kind: "system", id: None }
    }

    pub fn anonymous() -> Self {
        Self { kind: "anonymous", id: None }
    }
}

impl From<&Actor> for AuditActor {
    fn from(actor: &Actor) -> Self {
        match actor {
            Actor::User { id, .. } => Self::user(*id),
            Actor::ApiKey { id, .. } => Self { kind: "api_key", id: Some(id.to_string()) },
        }
    }
}

/// One audit row to append.
#[must_use = "an audit event does nothing until written"]
pub struct AuditEvent {
    actor: AuditActor,
    action: &'static str,
    target: Option<(&'static str, String)>,
    metadata: Value,
    meta: RequestMeta,
}

impl AuditEvent {
    /// `action` is `area.verb`, e.g. `user.invited` (the list is in docs/tenant-api.md).
    pub fn new(action: &'static str, actor: AuditActor, meta: &RequestMeta) -> Self {
        Self { actor, action, target: None, metadata: Value::Object(Default::default()), meta: meta.clone() }
    }

    /// An event caused by `caller`.
    pub fn by(caller: &Caller, action: &'static str) -> Self {
        Self::new(action, AuditActor::from(&caller.actor), &caller.meta)
    }

    pub fn target(mut self, kind: &'static str, id: impl ToString) -> Self {
        self.target = Some((kind, id.to_string()));
        self
    }

    /// Details of the change. Never put secrets here: the log is readable by admins.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = metadata;
        self
    }

    /// Appends the row with `db` (a transaction, to commit with the change it records).
    pub async fn write(self, db: &impl GenericClient) -> Result<(), ApiError> {
        let (target_type, target_id) = match &self.target {
            Some((kind, id)) => (Some(*kind), Some(id.as_str())),
            None => (None, None),
        };
        db.execute(
            "SELECT audit.append($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &self.actor.kind,
                &self.actor.id,
                &self.action,
                &target_type,
                &target_id,
                &self.meta.ip,
                &self.meta.request_id,
                &self.metadata,
            ],
        )
        .await
        .map_err(ApiError::internal)?;
        Ok(())
    }
}
