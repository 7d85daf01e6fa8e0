use domain::TenantId;
use migrator::{FleetOptions, TenantSchema, migrate_fleet};
use provisioner::{
    Actor, ProvisionerConfig,
    faults::Faults,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use sea_orm_migration::prelude::*;

/// The tenant migrations plus one that adds a column, as a new release would.
struct WithPinnedColumn;

#[derive(DeriveMigrationName)]
struct M9999AddPinned;

#[async_trait::async_trait]
impl MigrationTrait for M9999AddPinned {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false")
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl MigratorTrait for WithPinnedColumn {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migrator::tenant::migrations();
        all.push(Box::new(M9999AddPinned));
        all
    }
}

async fn has_pinned_column(database: &str) -> bool {
    let client = test_support::admin_client(database).await.unwrap();
    client
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'pinned'",
            &[],
        )
        .await
        .unwrap()
        .is_some()
}

#[tokio::test]
async fn a_new_migration_reaches_every_tenant_and_the_template_and_a_broken_tenant_fails_alone() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let mut tenants = Vec::new();
    for _ in 0..3 {
        let t = provisioner.create_tenant(tenant_request(&unique_slug("mig")), &Actor::system()).await.unwrap();
        tenants.push(platform.catalog.placement(TenantId::from_uuid(t.id)).await.unwrap().unwrap());
    }
    // Sabotage one tenant: a conflicting column makes the migration fail there.
    let broken = &tenants[0];
    test_support::admin_client(&broken.database_name)
        .await
        .unwrap()
        .batch_execute("ALTER TABLE notes ADD COLUMN pinned text")
        .await
        .unwrap();

    let schema = TenantSchema::of::<WithPinnedColumn>();
    let report =
        migrate_fleet(&platform.catalog, &platform.keyring, schema, FleetOptions { concurrency: 4 }).await.unwrap();

    let target = migrator::latest_version::<WithPinnedColumn>();
    assert_eq!(report.failed(), 1, "{report:?}");
    for placement in &tenants {
        let outcome = report.tenants.iter().find(|t| t.tenant_id == placement.tenant_id).unwrap();
        let recorded = platform.catalog.placement(TenantId::from_uuid(placement.tenant_id)).await.unwrap().unwrap();
        if placement.tenant_id == broken.tenant_id {
            assert!(outcome.error.is_some());
            assert!(recorded.last_migration_error.is_some());
            assert_ne!(recorded.schema_version, target);
        } else {
            assert_eq!(outcome.version, target);
            assert_eq!(recorded.schema_version, target);
            assert!(recorded.last_migration_error.is_none());
            assert!(has_pinned_column(&placement.database_name).await);
        }
    }
    // New tenants are cloned from the migrated template and need no migration of their own.
    let fresh = platform.provisioner_with(ProvisionerConfig { schema, ..Default::default() }, Faults::none());
    let t = fresh.create_tenant(tenant_request(&unique_slug("new")), &Actor::system()).await.unwrap();
    let placement = platform.catalog.placement(TenantId::from_uuid(t.id)).await.unwrap().unwrap();
    assert!(has_pinned_column(&placement.database_name).await);
    assert_eq!(placement.schema_version, target);

    // A rerun changes nothing and still reports the broken tenant.
    let rerun = migrate_fleet(&platform.catalog, &platform.keyring, schema, FleetOptions::default()).await.unwrap();
    assert_eq!(rerun.failed(), 1);
    platform.cleanup().await;
}
