//! Spare databases: provisioning takes a ready spare (the tenant's database *is* the spare,
//! renamed), the pool refills, and a crash anywhere leaves nothing behind.

use domain::TenantId;
use provisioner::{
    Actor, ProvisionError, ProvisionerConfig, Step,
    faults::{FaultKind, Faults},
    testing::{TestPlatform, tenant_request, unique_slug},
};

use crate::helpers::tenant_resources_exist;

async fn oid_of(database: &str) -> Option<u32> {
    let client = test_support::admin_client("postgres").await.unwrap();
    let row = client.query_opt("SELECT oid FROM pg_database WHERE datname = $1", &[&database]).await.unwrap();
    row.map(|r| r.get(0))
}

/// Tables and sequences in the tenant's `public` schema owned by anyone but its role.
async fn foreign_owned(database: &str, role: &str) -> i64 {
    let client = test_support::admin_client(database).await.unwrap();
    let row = client
        .query_one(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S') AND pg_get_userbyid(c.relowner) <> $1",
            &[&role],
        )
        .await
        .unwrap();
    row.get(0)
}

#[tokio::test]
async fn a_tenant_takes_a_ready_spare_and_the_pool_refills() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let filled = provisioner.fill_spares(2).await.unwrap();
    assert_eq!((filled.made, filled.failed), (2, 0));
    let spares = platform.catalog.all_spares().await.unwrap();
    assert!(spares.iter().all(|s| s.state == "ready" && !s.applied_versions.is_empty()), "{spares:?}");
    let admin = test_support::admin_client("postgres").await.unwrap();
    let mut spare_oids = Vec::new();
    for spare in &spares {
        spare_oids.push(oid_of(&spare.database_name).await.expect("spare database exists"));
        let login: bool = admin
            .query_one("SELECT rolcanlogin FROM pg_roles WHERE rolname = $1", &[&spare.role_name])
            .await
            .unwrap()
            .get(0);
        assert!(!login, "a spare's role cannot log in");
        assert_eq!(foreign_owned(&spare.database_name, &spare.role_name).await, 0, "handed to its role when made");
    }

    let tenant = provisioner.create_tenant(tenant_request(&unique_slug("spare")), &Actor::system()).await.unwrap();
    let id = TenantId::from_uuid(tenant.id);
    assert_eq!(tenant.status, "active");
    let placement = platform.catalog.placement(id).await.unwrap().unwrap();
    let oid = oid_of(&placement.database_name).await.unwrap();
    assert!(spare_oids.contains(&oid), "the tenant's database is a renamed spare");
    assert_eq!(foreign_owned(&placement.database_name, &placement.role_name).await, 0);
    // The role's verifier is the cheap one for generated passwords (seed_admin logged in with it).
    let verifier: String = admin
        .query_one("SELECT rolpassword FROM pg_authid WHERE rolname = $1", &[&placement.role_name])
        .await
        .unwrap()
        .get(0);
    assert!(verifier.starts_with("SCRAM-SHA-256$16:"), "{}", &verifier[..20]);
    assert_eq!(placement.schema_version, (provisioner.schema().latest)(), "the ledger has the spare's versions");
    let left = platform.catalog.all_spares().await.unwrap();
    assert_eq!(left.len(), 1);
    assert!(oid_of(&left[0].database_name).await.is_some());

    assert_eq!(provisioner.fill_spares(2).await.unwrap().made, 1, "refilled");
    // Without spares the template is cloned, as before.
    assert_eq!(provisioner.fill_spares(0).await.unwrap().dropped, 2);
    let cloned = provisioner.create_tenant(tenant_request(&unique_slug("clone")), &Actor::system()).await.unwrap();
    assert_eq!(cloned.status, "active");
    assert_eq!(tenant_resources_exist(TenantId::from_uuid(cloned.id)).await, (true, true));
    platform.cleanup().await;
}

#[tokio::test]
async fn a_spare_claimed_by_a_failed_provisioning_is_finished_by_a_retry_or_dropped_by_compensation() {
    let platform = TestPlatform::new().await;
    let filled = platform.provisioner().fill_spares(2).await.unwrap();
    assert_eq!((filled.made, filled.failed), (2, 0));
    for compensate in [false, true] {
        // The worst moment: a spare is claimed but nothing is renamed yet. A failed `place`
        // stands in for the crash; the claim is made as `create_role` would.
        let faults = Faults::inject(Step::Place, FaultKind::Fail, u32::MAX);
        let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults.clone());
        let Err(ProvisionError::Failed { job_id, tenant_id, .. }) =
            provisioner.create_tenant(tenant_request(&unique_slug("claim")), &Actor::system()).await
        else {
            panic!("expected a failed job");
        };
        let id = TenantId::from_uuid(tenant_id);
        let server = platform.catalog.placement(id).await.unwrap().unwrap().server_id;
        let spare = platform.catalog.claim_spare(server, id).await.unwrap().expect("a ready spare");
        let spare_oid = oid_of(&spare.database_name).await.unwrap();
        faults.clear();
        if compensate {
            provisioner.compensate_job(job_id, &Actor::system()).await.unwrap();
            assert_eq!(tenant_resources_exist(id).await, (false, false));
            assert_eq!(oid_of(&spare.database_name).await, None, "the claimed spare is dropped");
            let admin = test_support::admin_client("postgres").await.unwrap();
            let role = admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&spare.role_name]).await.unwrap();
            assert!(role.is_none(), "and its role");
        } else {
            provisioner.retry_job(job_id, &Actor::system()).await.unwrap();
            assert_eq!(platform.catalog.tenant(id).await.unwrap().status, "active");
            let placement = platform.catalog.placement(id).await.unwrap().unwrap();
            assert_eq!(oid_of(&placement.database_name).await, Some(spare_oid), "the retry renamed the claimed spare");
        }
        assert!(platform.catalog.spare_claimed_by(id).await.unwrap().is_none());
    }
    platform.cleanup().await;
}

#[tokio::test]
async fn stale_abandoned_and_draining_spares_are_dropped() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    assert_eq!(provisioner.fill_spares(1).await.unwrap().made, 1);
    let catalog = test_support::admin_client_at(&platform.catalog_url).await.unwrap();
    // One spare cloned from an older template; one left `creating` by a crash ten minutes ago,
    // with its database already made.
    catalog.batch_execute("UPDATE spare_databases SET applied_versions = '{m0001_base}'").await.unwrap();
    let server = platform.catalog.servers().await.unwrap().remove(0);
    let orphan = format!("spare_{}", uuid::Uuid::now_v7().simple());
    let orphan_id = platform.catalog.insert_spare(server.id, &orphan, &orphan).await.unwrap();
    catalog
        .execute("UPDATE spare_databases SET updated_at = now() - interval '11 minutes' WHERE id = $1", &[&orphan_id])
        .await
        .unwrap();
    let admin = test_support::admin_client("postgres").await.unwrap();
    admin.batch_execute(&format!("CREATE DATABASE \"{orphan}\"")).await.unwrap();

    let report = provisioner.fill_spares(1).await.unwrap();
    assert_eq!((report.dropped, report.made, report.failed), (2, 1, 0));
    assert_eq!(oid_of(&orphan).await, None);
    let spares = platform.catalog.all_spares().await.unwrap();
    assert_eq!(spares.len(), 1);
    assert_eq!(spares[0].applied_versions.last(), (provisioner.schema().latest)().as_ref());

    // A draining server takes no tenant, so it keeps no spare.
    let draining = catalog::ServerUpdate { state: Some("draining".into()), capacity: None, placement: None };
    platform.catalog.update_server(server.id, &draining).await.unwrap();
    assert_eq!(provisioner.fill_spares(1).await.unwrap(), provisioner::FillReport { made: 0, dropped: 1, failed: 0 });
    assert!(platform.catalog.all_spares().await.unwrap().is_empty());
    assert_eq!(oid_of(&spares[0].database_name).await, None);
    platform.cleanup().await;
}

/// Every `spare_…` role on the test cluster (the spare tests run one at a time: nextest group).
async fn spare_roles() -> Vec<String> {
    let admin = test_support::admin_client("postgres").await.unwrap();
    let rows =
        admin.query("SELECT rolname FROM pg_roles WHERE rolname LIKE 'spare\\_%' ORDER BY 1", &[]).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

#[tokio::test]
async fn a_spare_that_cannot_be_made_leaves_no_role_and_no_row() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    assert_eq!(provisioner.fill_spares(1).await.unwrap().made, 1);
    let ready = platform.catalog.all_spares().await.unwrap();
    let roles_before = spare_roles().await;
    // The template goes missing under the provisioner (it checked it once already): the role
    // is made, the clone fails.
    let server = platform.catalog.servers().await.unwrap().remove(0);
    let admin = test_support::admin_client("postgres").await.unwrap();
    let template = &server.template_database;
    admin.batch_execute(&format!("ALTER DATABASE \"{template}\" RENAME TO \"{template}_away\"")).await.unwrap();

    let report = provisioner.fill_spares(2).await.unwrap();

    admin.batch_execute(&format!("ALTER DATABASE \"{template}_away\" RENAME TO \"{template}\"")).await.unwrap();
    assert_eq!((report.made, report.failed), (0, 1));
    let left = platform.catalog.all_spares().await.unwrap();
    assert_eq!(left.iter().map(|s| s.id).collect::<Vec<_>>(), ready.iter().map(|s| s.id).collect::<Vec<_>>());
    assert_eq!(spare_roles().await, roles_before, "the half-made spare's role was dropped");
    platform.cleanup().await;
}
