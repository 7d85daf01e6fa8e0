//! Phase 3: fleet migrations over every tenant database: an additive one, a run with nothing
//! to do, the next one with one tenant sabotaged, and a rerun.

use std::{fmt::Write as _, time::Instant};

use domain::TenantId;
use migrator::{FailurePolicy, RunOptions, TenantSchema};
use sea_orm_migration::prelude::*;

use crate::Bench;

/// The tenant migrations plus an additive one, as a new release would bring.
struct WithNewColumn;

struct AddColumn;

impl MigrationName for AddColumn {
    fn name(&self) -> &str {
        "m9000_bench_add_column"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddColumn {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("ALTER TABLE notes ADD COLUMN bench_flag boolean").await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl MigratorTrait for WithNewColumn {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migrator::tenant::migrations();
        all.push(Box::new(AddColumn));
        all
    }
}

/// Migrates the fleet of `slugs`; returns the report's section.
pub async fn migrate(bench: &Bench, slugs: &[String]) -> String {
    let Bench { n, platform, cluster, .. } = bench;
    let n = *n;
    let mut report = String::new();
    let schema = TenantSchema::of::<WithNewColumn>();
    let options = RunOptions {
        canary: 5,
        wave_size: 250,
        per_server: 12,
        concurrency: 12,
        on_failure: FailurePolicy::Continue,
        started_by: "bench".into(),
    };
    let t = Instant::now();
    let first =
        migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema, options.clone(), &|_| {})
            .await
            .unwrap();
    let first_time = t.elapsed();
    let t = Instant::now();
    let idle = migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema, options.clone(), &|_| {})
        .await
        .unwrap();
    let idle_time = t.elapsed();
    // One broken tenant: a conflicting column, then the next migration.
    struct WithTwo;
    struct AddSecond;
    impl MigrationName for AddSecond {
        fn name(&self) -> &str {
            "m9001_bench_second_column"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for AddSecond {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager.get_connection().execute_unprepared("ALTER TABLE notes ADD COLUMN bench_second int").await?;
            Ok(())
        }
    }
    #[async_trait::async_trait]
    impl MigratorTrait for WithTwo {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            let mut all = WithNewColumn::migrations();
            all.push(Box::new(AddSecond));
            all
        }
    }
    let victim = platform.catalog.tenant_by_slug(&slugs[n / 2]).await.unwrap();
    let victim_db = domain::DatabaseName::for_tenant(&TenantId::from_uuid(victim.id)).as_str().to_owned();
    test_support::admin_client_at(&cluster.url(&victim_db))
        .await
        .unwrap()
        .batch_execute("ALTER TABLE notes ADD COLUMN bench_second text")
        .await
        .unwrap();
    let schema_two = TenantSchema::of::<WithTwo>();
    let t = Instant::now();
    let broken =
        migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema_two, options.clone(), &|_| {})
            .await
            .unwrap();
    let broken_time = t.elapsed();
    let t = Instant::now();
    let rerun = migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema_two, options, &|_| {})
        .await
        .unwrap();
    let rerun_time = t.elapsed();
    writeln!(report, "## Fleet migration over {} tenant databases\n", first.tenants).unwrap();
    writeln!(
        report,
        "`migrator::run_fleet` (what `tenantry migrate run` calls): canary 5, waves of 250, 12 at a time on the one server, policy `continue`.\n"
    )
    .unwrap();
    report.push_str("| run | time s | pending | migrated | failed | state |\n|---|---|---|---|---|---|\n");
    for (name, time, r) in [
        ("additive migration (`ADD COLUMN`)", first_time, &first),
        ("nothing to do", idle_time, &idle),
        ("next migration, one tenant sabotaged", broken_time, &broken),
        ("rerun", rerun_time, &rerun),
    ] {
        writeln!(
            report,
            "| {name} | {:.2} | {} | {} | {} | {} |",
            time.as_secs_f64(),
            r.pending,
            r.migrated,
            r.failed.len(),
            r.state
        )
        .unwrap();
    }
    let failed_is_victim = broken.failed.len() == 1 && broken.failed[0].tenant_id == victim.id;
    writeln!(
        report,
        "\n- Targets: the additive run ≤ 60 s, the idle run ≤ 5 s. The sabotaged tenant was the only failure: **{failed_is_victim}**; \
         the rerun retried only it and migrated {} others.\n",
        rerun.migrated
    )
    .unwrap();
    report
}
