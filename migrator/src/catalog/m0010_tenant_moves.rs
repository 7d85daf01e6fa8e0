//! Moving a tenant's database to another server: the tenant's `moving` status (the tenant
//! plane answers `503 TENANT_MOVING` meanwhile) and the `move` job that records and resumes it.

const UP: &str = r#"
ALTER TABLE tenants DROP CONSTRAINT tenants_status_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_status_check
    CHECK (status IN ('provisioning','active','suspended','offboarding','deleted','failed','moving'));
ALTER TABLE provisioning_jobs DROP CONSTRAINT provisioning_jobs_kind_check;
ALTER TABLE provisioning_jobs ADD CONSTRAINT provisioning_jobs_kind_check
    CHECK (kind IN ('provision','deprovision','move'));
"#;

crate::sql_migration::sql_migration!(UP);
