//! Moving a tenant's database to another server (a second real cluster): everything arrives,
//! nothing stays behind, a failure before the switch is undone, and a crashed move is finished
//! by another worker.

use std::time::Duration;

use catalog::ServerKind;
use domain::{Email, TenantId};
use provisioner::{
    Actor, ProvisionError, Provisioner, ProvisionerConfig,
    faults::{FaultKind, Faults},
    testing::{TestPlatform, tenant_request, unique_slug},
};

use crate::helpers::tenant_resources_exist;

/// Every table's content (but the migration ledger) as one fingerprint per table.
async fn fingerprint(url: &str) -> Vec<(String, String)> {
    let client = test_support::admin_client_at(url).await.unwrap();
    let tables = client
        .query(
            "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables \
             WHERE schemaname IN ('public', 'audit') AND tablename <> 'seaql_migrations' ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    let mut prints = Vec::new();
    for row in tables {
        let table: String = row.get(0);
        let sql = format!(
            "SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM {table} t"
        );
        prints.push((table, client.query_one(&sql, &[]).await.unwrap().get(0)));
    }
    prints
}

/// A database URL on the cluster behind `admin_url`.
fn on(admin_url: &str, database: &str) -> String {
    let mut url = url::Url::parse(admin_url).unwrap();
    url.set_path(database);
    url.to_string()
}

/// Whether the role exists on the cluster of `admin_url`, and whether it may log in.
async fn role_on(admin_url: &str, role: &str) -> Option<bool> {
    let client = test_support::admin_client_at(admin_url).await.unwrap();
    let row = client.query_opt("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", &[&role]).await.unwrap();
    row.map(|r| r.get(0))
}

/// A platform with a second server ("second", on extra cluster `c`) and a tenant pinned to the
/// first, with an owner, an invitation and audit entries in its database.
/// Moves `tenant` to the second server with every attempt at `step` failing: the provisioner
/// (whose faults `clear()` lifts), the failed job, and whether the move was undone.
async fn move_failing_at(
    platform: &TestPlatform,
    tenant: TenantId,
    step: &'static str,
) -> (Provisioner, Faults, uuid::Uuid, bool) {
    let faults = Faults::inject_at(step, FaultKind::Fail, u32::MAX);
    let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults.clone());
    let err = provisioner.move_tenant(tenant, "second", &Actor::system()).await.unwrap_err();
    let ProvisionError::MoveFailed { job_id, step: failed_at, undone, .. } = err else {
        panic!("expected a failed move: {err:?}")
    };
    assert_eq!(failed_at, step);
    (provisioner, faults, job_id, undone)
}

async fn platform_with_tenant() -> (TestPlatform, TenantId) {
    let platform = TestPlatform::new().await;
    platform.add_server("second", &test_support::extra_cluster_url("c", "postgres"), ServerKind::Platform).await;
    let mut request = tenant_request(&unique_slug("mover"));
    request.server = Some("default".into());
    let tenant = platform.provisioner().create_tenant(request, &Actor::system()).await.unwrap();
    let id = TenantId::from_uuid(tenant.id);
    let email = Email::parse("second-owner@mover.test").unwrap();
    platform.provisioner().invite_owner(id, &email, &Actor::system()).await.unwrap();
    (platform, id)
}

#[tokio::test]
async fn a_tenant_moves_to_another_server_with_all_its_data_and_leaves_nothing_behind() {
    let (platform, tenant) = platform_with_tenant().await;
    let provisioner = platform.provisioner();
    let placement = platform.catalog.placement(tenant).await.unwrap().unwrap();
    let (first, second) = (test_support::admin_url("postgres"), test_support::extra_cluster_url("c", "postgres"));
    let before = fingerprint(&on(&first, &placement.database_name)).await;
    assert!(before.iter().any(|(table, print)| table == "public.users" && print.starts_with("1:")), "{before:?}");

    // Refused before anything changes: the server it is on, one that does not exist.
    for to in ["default", "nowhere"] {
        let err = provisioner.move_tenant(tenant, to, &Actor::system()).await.unwrap_err();
        assert!(matches!(err, ProvisionError::Placement(_)), "{to}: {err:?}");
    }

    provisioner.move_tenant(tenant, "second", &Actor::system()).await.unwrap();

    let moved = platform.catalog.placement(tenant).await.unwrap().unwrap();
    let second_server = platform.catalog.server_by_name("second").await.unwrap();
    assert_eq!(moved.server_id, second_server.id);
    assert_eq!(
        (moved.database_name.as_str(), moved.schema_version.as_deref()),
        (placement.database_name.as_str(), placement.schema_version.as_deref())
    );
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    assert_eq!(fingerprint(&on(&second, &moved.database_name)).await, before, "every row arrived");
    assert_eq!(tenant_resources_exist(tenant).await, (false, false), "the old server keeps no role or database");
    assert_eq!(role_on(&second, &moved.role_name).await, Some(true));
    // The tenant's role logs in on the new server with the password it had, and the moved
    // audit chain still verifies there.
    let name = secrets::SecretName::well_known(secrets::DB_PASSWORD);
    let password = provisioner.secrets().get(&secrets::Scope::Tenant(tenant), &name, None).await.unwrap();
    let password = secrets::ExposeSecret::expose_secret(&password.value).to_owned();
    let port = url::Url::parse(&second).unwrap().port().unwrap();
    crate::helpers::connect_as(&moved.role_name, &password, &moved.database_name, port).await.unwrap();
    let report = provisioner::verify_audit_log(&provisioner, tenant, None).await.unwrap();
    assert!(report.broken.is_none() && report.rows_checked >= 1, "{report:?}");
    assert!(before.iter().any(|(table, print)| table == "audit.events" && !print.starts_with("0:")), "{before:?}");
    let jobs = platform.catalog.jobs_for_tenant(tenant.as_uuid()).await.unwrap();
    assert_eq!((jobs[0].kind.as_str(), jobs[0].state.as_str()), ("move", "succeeded"));
    let events = platform.catalog.audit_events(Some(tenant.as_uuid()), None, 20).await.unwrap();
    assert!(events.iter().any(|e| e.action == "tenant.move"));
    platform.cleanup().await;
}

#[tokio::test]
async fn a_move_failing_before_the_switch_is_undone_and_a_crashed_one_is_finished_by_another_worker() {
    let (platform, tenant) = platform_with_tenant().await;
    let placement = platform.catalog.placement(tenant).await.unwrap().unwrap();
    let (first, second) = (test_support::admin_url("postgres"), test_support::extra_cluster_url("c", "postgres"));

    // The copy fails every time: undone, served from the old server again.
    let (failing, _, job_id, undone) = move_failing_at(&platform, tenant, "copy").await;
    assert!(undone);
    assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "failed");
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    assert_eq!(platform.catalog.placement(tenant).await.unwrap().unwrap().server_id, placement.server_id);
    assert_eq!(role_on(&first, &placement.role_name).await, Some(true), "the role logs in on the old server again");
    assert_eq!(role_on(&second, &placement.role_name).await, None, "the new server keeps nothing");
    let target_db = test_support::admin_client_at(&second)
        .await
        .unwrap()
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&placement.database_name])
        .await
        .unwrap();
    assert!(target_db.is_none());
    // An undone move is not retried or compensated: a new move is the way.
    for refused in
        [failing.retry_job(job_id, &Actor::system()).await, failing.compensate_job(job_id, &Actor::system()).await]
    {
        let err = refused.unwrap_err();
        assert!(matches!(err, ProvisionError::Catalog(catalog::CatalogError::InvalidState { .. })), "{err:?}");
    }
    assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "failed");

    // A worker dies right after the copy; another takes the job over when its lease lapses.
    let lease = Duration::from_millis(800);
    let crashing = platform.provisioner_with(
        ProvisionerConfig { worker_id: "w1".into(), lease_ttl: lease, ..Default::default() },
        Faults::inject_at("copy", FaultKind::Crash, 1),
    );
    let err = crashing.move_tenant(tenant, "second", &Actor::system()).await.unwrap_err();
    let ProvisionError::Crashed(job_id) = err else { panic!("expected a crash: {err:?}") };
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "moving");
    tokio::time::sleep(lease + Duration::from_millis(300)).await;
    platform.provisioner().run_job(job_id).await.unwrap();
    assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "succeeded");
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    let second_id = platform.catalog.server_by_name("second").await.unwrap().id;
    assert_eq!(platform.catalog.placement(tenant).await.unwrap().unwrap().server_id, second_id);
    assert_eq!(tenant_resources_exist(tenant).await, (false, false));
    platform.cleanup().await;
}

#[tokio::test]
async fn a_move_failing_after_its_switch_keeps_the_new_placement_and_a_retry_drops_the_old_copy() {
    let (platform, tenant) = platform_with_tenant().await;
    let (provisioner, faults, job_id, undone) = move_failing_at(&platform, tenant, "drop_source").await;
    assert!(!undone);
    let second = platform.catalog.server_by_name("second").await.unwrap();
    assert_eq!(
        platform.catalog.placement(tenant).await.unwrap().unwrap().server_id,
        second.id,
        "served from the new server"
    );
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    // (The injected failure comes after the step's effect, the worst case for a retry: it must
    // find the old copy gone and still succeed.)

    faults.clear();
    provisioner.retry_job(job_id, &Actor::system()).await.unwrap();
    assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "succeeded");
    assert_eq!(tenant_resources_exist(tenant).await, (false, false), "the retry dropped the old copy");
    platform.cleanup().await;
}

#[tokio::test]
async fn evacuating_a_draining_server_moves_its_tenants_and_keeps_their_status() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let actor = Actor::system();
    let mut tenants = Vec::new();
    for _ in 0..3 {
        let mut request = tenant_request(&unique_slug("evac"));
        request.server = Some("default".into());
        tenants.push(TenantId::from_uuid(provisioner.create_tenant(request, &actor).await.unwrap().id));
    }
    provisioner::suspend_tenant(&provisioner, tenants[2], Some("unpaid".into()), &actor).await.unwrap();
    platform.add_server("second", &test_support::extra_cluster_url("c", "postgres"), ServerKind::Platform).await;

    // Only a draining server is evacuated (else new tenants could land on it meanwhile).
    let err = provisioner.evacuate_server("default", None, 2, &actor).await.unwrap_err();
    assert!(matches!(err, ProvisionError::Catalog(catalog::CatalogError::InvalidState { .. })), "{err:?}");
    let drain = catalog::ServerUpdate { state: Some("draining".into()), ..Default::default() };
    provisioner.update_server("default", drain, &actor).await.unwrap();

    let report = provisioner.evacuate_server("default", None, 2, &actor).await.unwrap();
    assert_eq!((report.moved.len(), report.failed.len(), report.skipped.len()), (3, 0, 0), "{report:?}");
    assert!(report.moved.iter().all(|moved| moved.server == "second"));
    let second = platform.catalog.server_by_name("second").await.unwrap();
    for tenant in &tenants {
        assert_eq!(platform.catalog.placement(*tenant).await.unwrap().unwrap().server_id, second.id);
        assert_eq!(tenant_resources_exist(*tenant).await, (false, false));
    }
    let statuses: Vec<String> = futures::future::join_all(tenants.iter().map(|t| platform.catalog.tenant(*t)))
        .await
        .into_iter()
        .map(|t| t.unwrap().status)
        .collect();
    assert_eq!(statuses, ["active", "active", "suspended"]);
    assert_eq!(platform.catalog.tenant_count_on(platform.server.id).await.unwrap(), 0);
    platform.cleanup().await;
}

#[tokio::test]
async fn a_move_whose_switch_happened_but_reported_failure_is_not_undone_and_a_retry_finishes_it() {
    let (platform, tenant) = platform_with_tenant().await;
    let (provisioner, faults, job_id, undone) = move_failing_at(&platform, tenant, "switch").await;
    // The switch's transaction committed before the (injected) error: nothing may be undone.
    assert!(!undone);
    let second = platform.catalog.server_by_name("second").await.unwrap();
    assert_eq!(platform.catalog.placement(tenant).await.unwrap().unwrap().server_id, second.id);
    let placement = platform.catalog.placement(tenant).await.unwrap().unwrap();
    assert_eq!(role_on(&test_support::extra_cluster_url("c", "postgres"), &placement.role_name).await, Some(true));

    faults.clear();
    provisioner.retry_job(job_id, &Actor::system()).await.unwrap();
    assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "succeeded");
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    assert_eq!(tenant_resources_exist(tenant).await, (false, false));
    platform.cleanup().await;
}
