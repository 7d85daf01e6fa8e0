//! Moving a tenant's database to another server: the `move` job, the tenant's `moving` status,
//! and the switch of its placement.

use chrono::Utc;
use domain::{TenantId, TenantStatus};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, QuerySelect, Set, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    Catalog, CatalogError, Result,
    entity::{provisioning_job, tenant},
};

impl Catalog {
    /// Starts moving `tenant` (active or suspended): its status becomes `moving` and a `move`
    /// job with `params` is created, leased to `owner`, in one transaction; `params.resume`
    /// records the status it had (and gets back). A tenant already moving, or in another state,
    /// is `InvalidState`.
    pub async fn begin_move(
        &self,
        tenant: TenantId,
        job_id: Uuid,
        mut params: serde_json::Value,
        owner: &str,
        ttl: std::time::Duration,
    ) -> Result<provisioning_job::Model> {
        let txn = self.db.begin().await?;
        let current = tenant::Entity::find_by_id(tenant.as_uuid())
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(CatalogError::NotFound("tenant"))?;
        if current.status != TenantStatus::Active.as_str() && current.status != TenantStatus::Suspended.as_str() {
            return Err(CatalogError::InvalidState {
                what: "tenant",
                actual: current.status,
                expected: "active or suspended".into(),
            });
        }
        let now = Utc::now();
        params["resume"] = current.status.clone().into();
        let mut moving: tenant::ActiveModel = current.into();
        moving.status = Set(TenantStatus::Moving.as_str().to_owned());
        moving.updated_at = Set(now);
        moving.update(&txn).await?;
        let job = provisioning_job::ActiveModel {
            id: Set(job_id),
            tenant_id: Set(tenant.as_uuid()),
            kind: Set("move".to_owned()),
            state: Set("running".to_owned()),
            current_step: Set(None),
            steps: Set(serde_json::json!({})),
            params: Set(params),
            attempts: Set(0),
            last_error: Set(None),
            lease_owner: Set(Some(owner.to_owned())),
            lease_expires_at: Set(Some(now + ttl)),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(job)
    }

    /// The move's switch, in one transaction: the placement points at server `to` and the
    /// tenant gets `status` back (the tenant planes reload its route on the NOTIFY). Idempotent.
    pub async fn switch_placement(&self, tenant: TenantId, from: Uuid, to: Uuid, status: TenantStatus) -> Result<()> {
        let txn = self.db.begin().await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE tenant_databases SET server_id = $3 WHERE tenant_id = $1 AND server_id = $2",
            [tenant.as_uuid().into(), from.into(), to.into()],
        ))
        .await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE tenants SET status = $2, updated_at = now() WHERE id = $1 AND status = 'moving'",
            [tenant.as_uuid().into(), status.as_str().into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
