//! Tenant rows: reserve, read, list, status transitions, tombstones.

use chrono::Utc;
use domain::{Plan, TenantId, TenantSlug, TenantStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    Catalog, CatalogError, Result,
    entity::{provisioning_job, tenant},
};

/// Input of [`Catalog::reserve_tenant`].
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub id: TenantId,
    pub slug: TenantSlug,
    pub display_name: String,
    pub plan: Plan,
    /// A CI sandbox that expires then.
    pub sandbox_expires_at: Option<chrono::DateTime<Utc>>,
}

/// One page of tenants, newest first; `next_cursor` continues after the last one.
#[derive(Debug, Clone)]
pub struct TenantPage {
    pub items: Vec<tenant::Model>,
    pub next_cursor: Option<Uuid>,
}

impl Catalog {
    /// The saga's `reserve` step: inserts the tenant (`provisioning`) and its provisioning job
    /// in one transaction, the job already leased to `lease` when given (so the caller runs
    /// it and no background worker races it). A taken slug is `Conflict`.
    pub async fn reserve_tenant(
        &self,
        new: &NewTenant,
        job_id: Uuid,
        params: serde_json::Value,
        lease: Option<(&str, std::time::Duration)>,
    ) -> Result<(tenant::Model, provisioning_job::Model)> {
        let now = Utc::now();
        let txn = self.db.begin().await?;
        let taken = tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(new.slug.as_str()))
            .filter(tenant::Column::Status.ne(TenantStatus::Deleted.as_str()))
            .one(&txn)
            .await?;
        if taken.is_some() {
            return Err(CatalogError::Conflict(format!("slug `{}` is taken", new.slug)));
        }
        let tenant = tenant::ActiveModel {
            id: Set(new.id.as_uuid()),
            slug: Set(new.slug.as_str().to_owned()),
            display_name: Set(new.display_name.clone()),
            plan: Set(new.plan.as_str().to_owned()),
            status: Set(TenantStatus::Provisioning.as_str().to_owned()),
            status_reason: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            deleted_at: Set(None),
            sandbox_expires_at: Set(new.sandbox_expires_at),
        }
        .insert(&txn)
        .await?;
        let job = provisioning_job::ActiveModel {
            id: Set(job_id),
            tenant_id: Set(new.id.as_uuid()),
            kind: Set("provision".to_owned()),
            state: Set("pending".to_owned()),
            current_step: Set(None),
            steps: Set(serde_json::json!({})),
            params: Set(params),
            attempts: Set(0),
            last_error: Set(None),
            lease_owner: Set(lease.map(|(owner, _)| owner.to_owned())),
            lease_expires_at: Set(lease.map(|(_, ttl)| now + ttl)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok((tenant, job))
    }

    pub async fn tenant(&self, id: TenantId) -> Result<tenant::Model> {
        tenant::Entity::find_by_id(id.as_uuid()).one(&self.db).await?.ok_or(CatalogError::NotFound("tenant"))
    }

    /// The live (not deleted) tenant with this slug.
    pub async fn tenant_by_slug(&self, slug: &str) -> Result<tenant::Model> {
        tenant::Entity::find()
            .filter(tenant::Column::Slug.eq(slug))
            .filter(tenant::Column::Status.ne(TenantStatus::Deleted.as_str()))
            .one(&self.db)
            .await?
            .ok_or(CatalogError::NotFound("tenant"))
    }

    /// Tenants newest first, `limit` per page, after `cursor` (an id from the previous page).
    pub async fn list_tenants(
        &self,
        cursor: Option<Uuid>,
        limit: u64,
        status: Option<TenantStatus>,
    ) -> Result<TenantPage> {
        let mut query = tenant::Entity::find().order_by_desc(tenant::Column::Id).limit(limit + 1);
        if let Some(cursor) = cursor {
            query = query.filter(tenant::Column::Id.lt(cursor));
        }
        if let Some(status) = status {
            query = query.filter(tenant::Column::Status.eq(status.as_str()));
        }
        let mut items = query.all(&self.db).await?;
        let next_cursor = if items.len() as u64 > limit {
            items.truncate(limit as usize);
            items.last().map(|t| t.id)
        } else {
            None
        };
        Ok(TenantPage { items, next_cursor })
    }

    /// Moves a tenant to `to` if it is in one of `from`; otherwise `InvalidState`.
    pub async fn transition_tenant(
        &self,
        id: TenantId,
        from: &[TenantStatus],
        to: TenantStatus,
        reason: Option<String>,
    ) -> Result<tenant::Model> {
        let txn = self.db.begin().await?;
        let current = tenant::Entity::find_by_id(id.as_uuid())
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(CatalogError::NotFound("tenant"))?;
        if current.status == to.as_str() {
            txn.commit().await?;
            return Ok(current);
        }
        if !from.iter().any(|s| s.as_str() == current.status) {
            let expected = from.iter().map(TenantStatus::as_str).collect::<Vec<_>>().join(", ");
            return Err(CatalogError::InvalidState { what: "tenant", actual: current.status, expected });
        }
        let mut active: tenant::ActiveModel = current.into();
        active.status = Set(to.as_str().to_owned());
        active.status_reason = Set(reason);
        active.updated_at = Set(Utc::now());
        if to == TenantStatus::Deleted {
            active.deleted_at = Set(Some(Utc::now()));
        }
        let updated = active.update(&txn).await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Removes the tenant row entirely (compensation of a failed provisioning only; offboarded
    /// tenants keep a tombstone instead).
    pub async fn remove_tenant(&self, id: TenantId) -> Result<()> {
        tenant::Entity::delete_by_id(id.as_uuid()).exec(&self.db).await?;
        Ok(())
    }
}
