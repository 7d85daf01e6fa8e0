//! Catalog migrations.

mod m0001_catalog;
mod m0002_secrets;
mod m0003_tenant_storage;
mod m0004_fleet;
mod m0005_sandboxes_and_tokens;
mod m0006_spare_databases;
mod m0007_server_passwords_in_store;
mod m0008_server_tls;
mod m0009_server_access_version;
mod m0010_tenant_moves;
mod m0011_server_certificate_expiry;
mod m0012_server_password_rotation;
mod m0013_server_client_certificates;

use sea_orm_migration::prelude::*;

/// The catalog's migration set.
pub struct CatalogMigrator;

#[async_trait::async_trait]
impl MigratorTrait for CatalogMigrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_catalog::Migration),
            Box::new(m0002_secrets::Migration),
            Box::new(m0003_tenant_storage::Migration),
            Box::new(m0004_fleet::Migration),
            Box::new(m0005_sandboxes_and_tokens::Migration),
            Box::new(m0006_spare_databases::Migration),
            Box::new(m0007_server_passwords_in_store::Migration),
            Box::new(m0008_server_tls::Migration),
            Box::new(m0009_server_access_version::Migration),
            Box::new(m0010_tenant_moves::Migration),
            Box::new(m0011_server_certificate_expiry::Migration),
            Box::new(m0012_server_password_rotation::Migration),
            Box::new(m0013_server_client_certificates::Migration),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names are stored in every catalog's `seaql_migrations`: they must never change.
    #[test]
    fn catalog_migration_names_are_their_file_stems() {
        let names: Vec<String> = CatalogMigrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let expected = [
            "m0001_catalog",
            "m0002_secrets",
            "m0003_tenant_storage",
            "m0004_fleet",
            "m0005_sandboxes_and_tokens",
            "m0006_spare_databases",
            "m0007_server_passwords_in_store",
            "m0008_server_tls",
            "m0009_server_access_version",
            "m0010_tenant_moves",
            "m0011_server_certificate_expiry",
            "m0012_server_password_rotation",
            "m0013_server_client_certificates",
        ];
        assert_eq!(names, expected);
    }
}
