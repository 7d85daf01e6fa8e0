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
        ]
    }
}
