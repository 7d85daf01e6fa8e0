//! The shape every catalog and tenant migration has: SQL text run forward (migrations are
//! expand-only; there is no `down`). `sql_migration!(UP)` declares the module's `Migration`.
//! Its name is the file's stem, as `DeriveMigrationName` makes it — it is what
//! `seaql_migrations` and the fleet ledger store, so a file is never renamed (the test in
//! `catalog.rs` and `tenant.rs` pins every name).

/// Declares `pub struct Migration` running each SQL text forward, in order.
macro_rules! sql_migration {
    ($($sql:expr),+) => {
        #[derive(sea_orm_migration::prelude::DeriveMigrationName)]
        pub struct Migration;

        #[sea_orm_migration::prelude::async_trait::async_trait]
        impl sea_orm_migration::MigrationTrait for Migration {
            async fn up(
                &self,
                manager: &sea_orm_migration::SchemaManager,
            ) -> Result<(), sea_orm_migration::prelude::DbErr> {
                use sea_orm_migration::sea_orm::ConnectionTrait;
                $(manager.get_connection().execute_unprepared($sql).await?;)+
                Ok(())
            }
        }
    };
}

pub(crate) use sql_migration;
