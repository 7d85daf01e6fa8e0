//! Fleet migrations over real databases on three clusters (the shared test cluster, a second
//! platform cluster and a tenant-hosted one): plan, canary and waves, one broken tenant,
//! a run killed mid-way and resumed, the ledger and the drift report.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use catalog::ServerKind;
use domain::TenantId;
use migrator::{FailurePolicy, FleetEvent, PlanOptions, RunOptions, TenantSchema, plan_fleet, run_fleet};
use provisioner::{
    Actor, CreateTenant, ProvisionerConfig,
    faults::Faults,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use sea_orm_migration::prelude::*;

/// The tenant migrations plus one that adds a column, as a new release would.
struct WithPinnedColumn;

struct M9999AddPinned;

impl MigrationName for M9999AddPinned {
    fn name(&self) -> &str {
        "m9999_add_pinned"
    }
}

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

/// Like [`WithPinnedColumn`], but each tenant's migration takes a while (to kill a run mid-way).
struct SlowPinnedColumn;

struct M9999SlowPinned;

impl MigrationName for M9999SlowPinned {
    fn name(&self) -> &str {
        "m9999_add_pinned"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for M9999SlowPinned {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared(
                "SELECT pg_sleep(0.3); ALTER TABLE notes ADD COLUMN pinned boolean NOT NULL DEFAULT false",
            )
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl MigratorTrait for SlowPinnedColumn {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migrator::tenant::migrations();
        all.push(Box::new(M9999SlowPinned));
        all
    }
}

const NEW: &str = "m9999_add_pinned";

/// A platform with three servers and tenants on each: `(platform, tenants)` where each tenant
/// is `(id, server name, admin URL of its cluster, database)`.
async fn three_cluster_fleet(per_shared_server: usize) -> (TestPlatform, Vec<(TenantId, String, String, String)>) {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let b = test_support::extra_cluster_url("b", "postgres");
    let c = test_support::extra_cluster_url("c", "postgres");
    let b_name = format!("b-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    let c_name = format!("onprem-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
    platform.add_server(&b_name, &b, ServerKind::Platform).await;
    platform.add_server(&c_name, &c, ServerKind::TenantHosted).await;
    let mut requests: Vec<CreateTenant> =
        (0..per_shared_server * 2).map(|_| tenant_request(&unique_slug("fl"))).collect();
    let mut agency = tenant_request(&unique_slug("gov"));
    agency.server = Some(c_name.clone());
    requests.push(agency);
    let mut tenants = Vec::new();
    for req in requests {
        let t = provisioner.create_tenant(req, &Actor::system()).await.unwrap();
        let id = TenantId::from_uuid(t.id);
        let placement = platform.catalog.placement(id).await.unwrap().unwrap();
        let server = platform.catalog.server(placement.server_id).await.unwrap();
        let url = match server.name.as_str() {
            "default" => test_support::admin_url(&placement.database_name),
            name if name == b_name => test_support::extra_cluster_url("b", &placement.database_name),
            _ => test_support::extra_cluster_url("c", &placement.database_name),
        };
        tenants.push((id, server.name, url, placement.database_name));
    }
    (platform, tenants)
}

async fn has_pinned_column(url: &str) -> bool {
    let client = test_support::admin_client_at(url).await.unwrap();
    client
        .query_opt(
            "SELECT 1 FROM information_schema.columns WHERE table_name = 'notes' AND column_name = 'pinned'",
            &[],
        )
        .await
        .unwrap()
        .is_some()
}

fn options(on_failure: FailurePolicy) -> RunOptions {
    RunOptions { canary: 2, wave_size: 2, per_server: 2, concurrency: 4, on_failure, started_by: "test".into() }
}

fn collect() -> (Arc<Mutex<Vec<FleetEvent>>>, impl Fn(&FleetEvent) + Send + Sync) {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    (events, move |e: &FleetEvent| sink.lock().unwrap().push(e.clone()))
}

#[tokio::test]
async fn a_fleet_run_across_three_servers_reports_exactly_the_broken_tenant_and_a_rerun_changes_nothing() {
    let (platform, tenants) = three_cluster_fleet(2).await;
    let servers: std::collections::HashSet<_> = tenants.iter().map(|t| t.1.clone()).collect();
    assert_eq!(servers.len(), 3, "tenants on all three servers: {tenants:?}");
    let schema = TenantSchema::of::<WithPinnedColumn>();

    // Sabotage one tenant (on the second platform server): a conflicting column.
    // The last one there, so the canary (the first tenant of each server) passes.
    let broken = tenants.iter().rev().find(|t| t.1.starts_with("b-")).unwrap().clone();
    test_support::admin_client_at(&broken.2)
        .await
        .unwrap()
        .batch_execute("ALTER TABLE notes ADD COLUMN pinned text")
        .await
        .unwrap();

    // The plan shows every tenant behind by exactly the new migration, and changes nothing.
    let plan =
        plan_fleet(&platform.catalog, &platform.server_credentials(), schema, PlanOptions::default()).await.unwrap();
    assert_eq!((plan.drift.tenants, plan.drift.behind), (tenants.len(), tenants.len()));
    assert!(plan.tenants.iter().all(|t| t.pending == vec![NEW.to_owned()]), "{:?}", plan.tenants);
    assert_eq!(plan.servers.len(), 3);
    assert!(!has_pinned_column(&tenants[0].2).await, "a plan applies nothing");

    // Continue past failures: every other tenant, on every server, gets the column.
    let (events, sink) = collect();
    let summary =
        run_fleet(&platform.catalog, &platform.server_credentials(), schema, options(FailurePolicy::Continue), &sink)
            .await
            .unwrap();
    assert_eq!(summary.state, "failed");
    assert_eq!(summary.failed.len(), 1, "{summary:?}");
    assert_eq!(summary.failed[0].tenant_id, broken.0.as_uuid());
    assert_eq!(summary.migrated, tenants.len() - 1);
    for (id, _, url, _) in &tenants {
        let placement = platform.catalog.placement(*id).await.unwrap().unwrap();
        if *id == broken.0 {
            assert!(placement.last_migration_error.is_some());
            assert_ne!(placement.schema_version.as_deref(), Some(NEW));
        } else {
            assert!(has_pinned_column(url).await, "{id} migrated");
            assert_eq!(placement.schema_version.as_deref(), Some(NEW));
            assert_eq!(placement.last_run_id, Some(summary.run_id));
        }
    }
    // Events: templates on three servers, a canary on two different servers, waves of two.
    let events = events.lock().unwrap().clone();
    let templates = events.iter().filter(|e| matches!(e, FleetEvent::Template { error: None, .. })).count();
    assert_eq!(templates, 3);
    let canary_servers: std::collections::HashSet<_> = events
        .iter()
        .filter_map(|e| match e {
            FleetEvent::Tenant { wave: 1, server, .. } => Some(server.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(canary_servers.len(), 2, "the canary is spread over servers: {events:?}");

    // The drift report names the one failure; a rerun tries only it and changes nothing else.
    let plan = plan_fleet(
        &platform.catalog,
        &platform.server_credentials(),
        schema,
        PlanOptions { live: true, concurrency: 4 },
    )
    .await
    .unwrap();
    assert_eq!((plan.drift.behind, plan.drift.failed, plan.drift.ledger_mismatches), (1, 1, 0), "{:?}", plan.drift);
    assert_eq!(plan.drift.versions.get(NEW), Some(&(tenants.len() - 1)));
    let rerun =
        run_fleet(&platform.catalog, &platform.server_credentials(), schema, options(FailurePolicy::Continue), &|_| {})
            .await
            .unwrap();
    assert_eq!((rerun.pending, rerun.migrated, rerun.failed.len()), (1, 0, 1));

    // Repaired, the next run finishes; then nothing is left.
    test_support::admin_client_at(&broken.2)
        .await
        .unwrap()
        .batch_execute("ALTER TABLE notes DROP COLUMN pinned")
        .await
        .unwrap();
    let fixed =
        run_fleet(&platform.catalog, &platform.server_credentials(), schema, options(FailurePolicy::Continue), &|_| {})
            .await
            .unwrap();
    assert_eq!((fixed.state.as_str(), fixed.migrated), ("succeeded", 1));
    let idle =
        run_fleet(&platform.catalog, &platform.server_credentials(), schema, options(FailurePolicy::Continue), &|_| {})
            .await
            .unwrap();
    assert_eq!((idle.state.as_str(), idle.pending, idle.migrated), ("succeeded", 0, 0));

    // New tenants are cloned from the migrated template and enter the ledger complete.
    let fresh = platform.provisioner_with(ProvisionerConfig { schema, ..Default::default() }, Faults::none());
    let t = fresh.create_tenant(tenant_request(&unique_slug("new")), &Actor::system()).await.unwrap();
    let placement = platform.catalog.placement(TenantId::from_uuid(t.id)).await.unwrap().unwrap();
    assert_eq!(placement.schema_version.as_deref(), Some(NEW));
    let ledger = platform.catalog.migration_ledger().await.unwrap();
    assert_eq!(ledger[&t.id], (schema.versions)());
    platform.cleanup().await;
}

#[tokio::test]
async fn a_failing_canary_or_wave_stops_the_run_under_the_stop_policy() {
    let (platform, tenants) = three_cluster_fleet(3).await;
    let schema = TenantSchema::of::<WithPinnedColumn>();
    // Break every tenant on the default server: the canary (one per server) hits one of them.
    for (_, server, url, _) in &tenants {
        if server == "default" {
            test_support::admin_client_at(url)
                .await
                .unwrap()
                .batch_execute("ALTER TABLE notes ADD COLUMN pinned text")
                .await
                .unwrap();
        }
    }
    let opts = RunOptions { canary: 3, wave_size: 2, ..options(FailurePolicy::Continue) };
    let summary = run_fleet(&platform.catalog, &platform.server_credentials(), schema, opts, &|_| {}).await.unwrap();
    assert_eq!(summary.state, "stopped", "a failing canary stops even under `continue`");
    assert_eq!((summary.migrated, summary.failed.len()), (2, 1));
    assert_eq!(summary.not_tried, tenants.len() - 3);

    // Under `stop`, a failing wave finishes and the next ones do not start. Repair all but the
    // last default tenant. Fleet order is d1 b1 d2 b2 d3 b3 gov; the canary migrated b1 and gov,
    // so the waves are [d1 d2] [b2 d3] [b3] and d3 fails in the second.
    let defaults: Vec<_> = tenants.iter().filter(|t| t.1 == "default").collect();
    for (_, _, url, _) in &defaults[..defaults.len() - 1] {
        test_support::admin_client_at(url)
            .await
            .unwrap()
            .batch_execute("ALTER TABLE notes DROP COLUMN pinned")
            .await
            .unwrap();
    }
    let opts = RunOptions { canary: 0, wave_size: 2, ..options(FailurePolicy::Stop) };
    let summary = run_fleet(&platform.catalog, &platform.server_credentials(), schema, opts, &|_| {}).await.unwrap();
    assert_eq!(summary.state, "stopped", "{summary:?}");
    assert_eq!((summary.pending, summary.migrated, summary.failed.len(), summary.not_tried), (5, 3, 1, 1));
    assert_eq!(summary.failed[0].tenant_id, defaults[defaults.len() - 1].0.as_uuid());
    platform.cleanup().await;
}

#[tokio::test]
async fn a_run_killed_mid_way_is_finished_by_the_next_run_and_only_what_was_left_runs() {
    let (platform, tenants) = three_cluster_fleet(3).await;
    let schema = TenantSchema::of::<SlowPinnedColumn>();
    let done = Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let catalog = platform.catalog.clone();
    let credentials = platform.server_credentials();
    let opts =
        RunOptions { canary: 0, wave_size: 0, per_server: 1, concurrency: 1, ..options(FailurePolicy::Continue) };
    let first_opts = opts.clone();
    let run = tokio::spawn(async move {
        let sink: Box<dyn Fn(&FleetEvent) + Send + Sync> = Box::new(move |e| {
            if matches!(e, FleetEvent::Tenant { error: None, .. }) {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        run_fleet(&catalog, &credentials, schema, first_opts, &*sink).await
    });
    // Kill it (drop the future mid-flight, as a crash would) after two tenants.
    while done.load(Ordering::SeqCst) < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    run.abort();
    let _ = run.await;
    let killed_at = done.load(Ordering::SeqCst);
    assert!(killed_at < tenants.len(), "killed before the end");
    let runs = platform.catalog.migration_runs(5).await.unwrap();
    assert_eq!(runs[0].state, "running", "the killed run never finished");

    let (events, sink) = collect();
    let resumed = run_fleet(&platform.catalog, &platform.server_credentials(), schema, opts, &sink).await.unwrap();
    assert_eq!(resumed.state, "succeeded", "{resumed:?}");
    // The killed run may have finished one more migration whose event it never delivered: its
    // ledger row was written, so the resumed run does not redo it.
    assert!(resumed.pending <= tenants.len() - killed_at && resumed.pending >= tenants.len() - killed_at - 1);
    assert_eq!(resumed.migrated, resumed.pending);
    let tried = events.lock().unwrap().iter().filter(|e| matches!(e, FleetEvent::Tenant { .. })).count();
    assert_eq!(tried, resumed.pending, "only what was left ran");
    for (_, _, url, _) in &tenants {
        assert!(has_pinned_column(url).await);
    }
    let runs = platform.catalog.migration_runs(5).await.unwrap();
    assert_eq!((runs[0].state.as_str(), runs[1].state.as_str()), ("succeeded", "interrupted"));
    platform.cleanup().await;
}

#[tokio::test]
async fn two_runs_never_overlap() {
    let platform = TestPlatform::new().await;
    let lock = platform.catalog.try_lock_fleet().await.unwrap().expect("first lock");
    let schema = TenantSchema::of::<WithPinnedColumn>();
    let err = run_fleet(&platform.catalog, &platform.server_credentials(), schema, RunOptions::default(), &|_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("another fleet migration is running"), "{err}");
    drop(lock);
    // Postgres releases the lock with the connection.
    let mut took = false;
    for _ in 0..50 {
        if let Some(lock) = platform.catalog.try_lock_fleet().await.unwrap() {
            drop(lock);
            took = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(took);
    platform.cleanup().await;
}

#[tokio::test]
async fn a_run_started_right_after_another_finished_takes_the_lock() {
    let platform = TestPlatform::new().await;
    for attempt in 0..20 {
        let lock = platform.catalog.try_lock_fleet().await.unwrap();
        lock.unwrap_or_else(|| panic!("attempt {attempt}: the lock released just before is still held"))
            .release()
            .await;
    }
    let schema = TenantSchema::of::<WithPinnedColumn>();
    for _ in 0..3 {
        run_fleet(&platform.catalog, &platform.server_credentials(), schema, RunOptions::default(), &|_| {})
            .await
            .expect("a run right after the previous one");
    }
    platform.cleanup().await;
}
