//! CI sandboxes: expiring tenants, and their removal without a tombstone.

use chrono::{DateTime, Utc};
use domain::TenantId;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait};

use crate::{
    Catalog, Result,
    entity::{provisioning_job, tenant},
};

impl Catalog {
    /// Live sandboxes, soonest expiry first.
    pub async fn sandboxes(&self) -> Result<Vec<tenant::Model>> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::SandboxExpiresAt.is_not_null())
            .filter(tenant::Column::Status.ne("deleted"))
            .order_by_asc(tenant::Column::SandboxExpiresAt)
            .all(&self.db)
            .await?)
    }

    /// Sandboxes that expired before `at` (still live, not being provisioned).
    pub async fn expired_sandboxes(&self, at: DateTime<Utc>) -> Result<Vec<tenant::Model>> {
        Ok(tenant::Entity::find()
            .filter(tenant::Column::SandboxExpiresAt.lt(at))
            .filter(tenant::Column::Status.is_in(["active", "suspended", "failed", "deleted"]))
            .all(&self.db)
            .await?)
    }

    /// Removes a sandbox's catalog rows (its jobs, its tenant row and, by cascade, domains,
    /// placement, storage config and ledger) once its resources are gone. Audit events stay.
    /// Refuses a tenant that is not a sandbox.
    pub async fn purge_sandbox(&self, id: TenantId) -> Result<bool> {
        let txn = self.db.begin().await?;
        let Some(sandbox) = tenant::Entity::find_by_id(id.as_uuid())
            .filter(tenant::Column::SandboxExpiresAt.is_not_null())
            .one(&txn)
            .await?
        else {
            return Ok(false);
        };
        provisioning_job::Entity::delete_many()
            .filter(provisioning_job::Column::TenantId.eq(sandbox.id))
            .exec(&txn)
            .await?;
        tenant::Entity::delete_by_id(sandbox.id).exec(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }
}
