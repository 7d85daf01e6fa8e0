//! JSON shapes the API returns (camelCase).

use catalog::entity::{audit_event, database_server, provisioning_job, tenant, tenant_database};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantView {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub plan: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub url: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database: Option<DatabaseView>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DatabaseView {
    pub server_id: Uuid,
    /// The server's name and last health check (`unknown`, `ok`, `failing`).
    pub server: Option<String>,
    pub server_health: Option<String>,
    pub name: String,
    pub role: String,
    pub schema_version: Option<String>,
    pub last_migration_error: Option<String>,
}

impl TenantView {
    pub fn new(
        t: tenant::Model,
        url: String,
        placement: Option<tenant_database::Model>,
        server: Option<&database_server::Model>,
    ) -> Self {
        Self {
            id: t.id,
            slug: t.slug,
            display_name: t.display_name,
            plan: t.plan,
            status: t.status,
            status_reason: t.status_reason,
            url,
            created_at: t.created_at,
            updated_at: t.updated_at,
            deleted_at: t.deleted_at,
            database: placement.map(|p| DatabaseView {
                server_id: p.server_id,
                server: server.map(|s| s.name.clone()),
                server_health: server.map(|s| s.health.clone()),
                name: p.database_name,
                role: p.role_name,
                schema_version: p.schema_version,
                last_migration_error: p.last_migration_error,
            }),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct JobView {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub kind: String,
    pub state: String,
    pub current_step: Option<String>,
    #[schema(value_type = Object)]
    pub steps: serde_json::Value,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<provisioning_job::Model> for JobView {
    fn from(j: provisioning_job::Model) -> Self {
        Self {
            id: j.id,
            tenant_id: j.tenant_id,
            kind: j.kind,
            state: j.state,
            current_step: j.current_step,
            steps: j.steps,
            attempts: j.attempts,
            last_error: j.last_error,
            lease_owner: j.lease_owner,
            created_at: j.created_at,
            updated_at: j.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub tenant_id: Option<Uuid>,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

/// A list of jobs.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<JobView>,
}

impl From<audit_event::Model> for AuditView {
    fn from(a: audit_event::Model) -> Self {
        Self {
            id: a.id,
            at: a.at,
            actor: a.actor,
            action: a.action,
            tenant_id: a.tenant_id,
            details: a.details,
            request_id: a.request_id,
        }
    }
}

/// A page of items with the cursor of the next page.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Page<T: ToSchema> {
    pub items: Vec<T>,
    pub next_cursor: Option<Uuid>,
}
