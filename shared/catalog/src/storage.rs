//! Tenants' storage configs (`tenant_storage`): written by the control plane (provisioning,
//! registration of tenant-hosted backends), read by the tenant plane.

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::{Catalog, Result};

/// A tenant's storage row.
#[derive(Debug, Clone, FromQueryResult)]
pub struct StorageRecord {
    pub tenant_id: Uuid,
    pub config: serde_json::Value,
    pub health: String,
    pub health_detail: Option<String>,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Catalog {
    pub async fn storage_config(&self, tenant: Uuid) -> Result<Option<StorageRecord>> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT tenant_id, config, health, health_detail, checked_at FROM tenant_storage WHERE tenant_id = $1",
            [tenant.into()],
        );
        Ok(StorageRecord::find_by_statement(stmt).one(&self.db).await?)
    }

    /// Stores the config unless the tenant has one; returns whether it was stored.
    pub async fn insert_storage_config(&self, tenant: Uuid, config: serde_json::Value) -> Result<bool> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO tenant_storage (tenant_id, config) VALUES ($1, $2) ON CONFLICT (tenant_id) DO NOTHING",
            [tenant.into(), config.into()],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    /// Replaces the config (after a live check passed) and marks it healthy.
    pub async fn replace_storage_config(&self, tenant: Uuid, config: serde_json::Value) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO tenant_storage (tenant_id, config, health, checked_at) VALUES ($1, $2, 'ok', now()) \
             ON CONFLICT (tenant_id) DO UPDATE SET config = $2, health = 'ok', health_detail = NULL, \
             checked_at = now(), updated_at = now()",
            [tenant.into(), config.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    /// Configs of live tenants with a backend the platform does not run (a tenant-hosted
    /// primary or any fallback): the ones worth probing.
    pub async fn hosted_storage_configs(&self) -> Result<Vec<StorageRecord>> {
        let stmt = Statement::from_string(
            DbBackend::Postgres,
            "SELECT s.tenant_id, s.config, s.health, s.health_detail, s.checked_at FROM tenant_storage s \
             JOIN tenants t ON t.id = s.tenant_id \
             WHERE t.status IN ('active', 'suspended') \
             AND (s.config->'primary'->>'kind' <> 'platform' OR jsonb_typeof(s.config->'fallback') = 'object') \
             ORDER BY s.tenant_id",
        );
        Ok(StorageRecord::find_by_statement(stmt).all(&self.db).await?)
    }

    pub async fn set_storage_health(&self, tenant: Uuid, health: &str, detail: Option<String>) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE tenant_storage SET health = $2, health_detail = $3, checked_at = now() WHERE tenant_id = $1",
            [tenant.into(), health.into(), detail.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    pub async fn remove_storage_config(&self, tenant: Uuid) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM tenant_storage WHERE tenant_id = $1",
            [tenant.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }
}
