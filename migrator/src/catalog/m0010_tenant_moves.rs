//! Moving a tenant's database to another server: the tenant's `moving` status (the tenant
//! plane answers `503 TENANT_MOVING` meanwhile) and the `move` job that records and resumes it.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check
    CHECK (status IN ('provisioning','active','suspended','offboarding','deleted','failed','moving'));
ALTER TABLE provisioning_jobs DROP CONSTRAINT provisioning_jobs_kind_check;
ALTER TABLE provisioning_jobs ADD CONSTRAINT provisioning_jobs_kind_check
    CHECK (kind IN ('provision','deprovision','move'));
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }
}
