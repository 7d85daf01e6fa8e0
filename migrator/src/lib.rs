//! Migrations: the catalog's own schema, the tenant schema (applied to the template database
//! and to every tenant database), and the fleet runner that brings them all up to date.

pub mod admin;
pub mod audit_chain;
pub mod catalog;
mod catalog_access;
mod credentials;
mod fleet;
mod sql_migration;
mod template;
pub mod tenant;

pub use admin::ServerAccess;
pub use catalog_access::{CATALOG_READER_ROLE, ensure_catalog_reader};
pub use credentials::{ServerCredentials, admin_password_secret, client_identity_secret, pending_password_secret};
pub use fleet::{
    DriftReport, FailurePolicy, FleetEvent, FleetPlan, PlanOptions, RunOptions, RunSummary, ServerPlan, TenantPlan,
    TenantSchema, applied_versions, migrate_tenant_database, plan_fleet, run_fleet,
};
pub use template::{AUDIT_OWNER_ROLE, TEMPLATE_OWNER_ROLE, ensure_template, server_template_version};

use sea_orm_migration::MigratorTrait;

/// Name of the newest migration in `M`, recorded as a database's schema version.
pub fn latest_version<M: MigratorTrait>() -> Option<String> {
    M::migrations().last().map(|m| m.name().to_owned())
}

/// Runs the catalog migrations on the catalog database.
pub async fn migrate_catalog(catalog: &::catalog::Catalog) -> Result<(), sea_orm::DbErr> {
    catalog::CatalogMigrator::up(catalog.connection(), None).await
}
