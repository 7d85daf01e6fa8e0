//! The control-plane audit log.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

use crate::{Catalog, Result, entity::audit_event};

/// One audit event to record.
#[derive(Debug, Clone)]
pub struct NewAuditEvent {
    pub actor: String,
    pub action: &'static str,
    pub tenant_id: Option<Uuid>,
    pub details: serde_json::Value,
    pub request_id: Option<String>,
}

impl Catalog {
    pub async fn record_audit(&self, event: NewAuditEvent) -> Result<()> {
        audit_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            at: Set(Utc::now()),
            actor: Set(event.actor),
            action: Set(event.action.to_owned()),
            tenant_id: Set(event.tenant_id),
            details: Set(event.details),
            request_id: Set(event.request_id),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Newest first, optionally for one tenant, before `cursor`.
    pub async fn audit_events(
        &self,
        tenant: Option<Uuid>,
        cursor: Option<Uuid>,
        limit: u64,
    ) -> Result<Vec<audit_event::Model>> {
        let mut query = audit_event::Entity::find().order_by_desc(audit_event::Column::Id).limit(limit);
        if let Some(tenant) = tenant {
            query = query.filter(audit_event::Column::TenantId.eq(tenant));
        }
        if let Some(cursor) = cursor {
            query = query.filter(audit_event::Column::Id.lt(cursor));
        }
        Ok(query.all(&self.db).await?)
    }
}
