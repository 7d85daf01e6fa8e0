//! The tenant schema: what every tenant database holds. Migrations here are applied to the
//! template database (so new tenants are cloned at the newest version) and to every tenant
//! database by `tenantry migrate run`. Write them expand/contract: a running tenant plane must
//! keep working while the fleet is on mixed versions.

mod m0001_base;
mod m0002_refresh_tokens;
mod m0003_access;
mod m0004_audit;
mod m0005_modules;
mod m0006_webhooks;
mod m0007_connectors;
mod m0008_files;

use sea_orm_migration::prelude::*;

/// The tenant migration set.
pub struct TenantMigrator;

/// Tenant migrations in order; tests extend this list to check fleet roll-outs.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(m0001_base::Migration),
        Box::new(m0002_refresh_tokens::Migration),
        Box::new(m0003_access::Migration),
        Box::new(m0004_audit::Migration),
        Box::new(m0005_modules::Migration),
        Box::new(m0006_webhooks::Migration),
        Box::new(m0007_connectors::Migration),
        Box::new(m0008_files::Migration),
    ]
}

#[async_trait::async_trait]
impl MigratorTrait for TenantMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        migrations()
    }
}

#[cfg(test)]
mod tests {
    /// The names are stored in every tenant database's `seaql_migrations` and in the catalog's
    /// ledger: they must never change.
    #[test]
    fn tenant_migration_names_are_their_file_stems() {
        let names: Vec<String> = super::migrations().iter().map(|m| m.name().to_owned()).collect();
        let expected = [
            "m0001_base",
            "m0002_refresh_tokens",
            "m0003_access",
            "m0004_audit",
            "m0005_modules",
            "m0006_webhooks",
            "m0007_connectors",
            "m0008_files",
        ];
        assert_eq!(names, expected);
    }
}
