use std::time::Duration;

use domain::TenantId;
use provisioner::{
    Actor, ProvisionError, ProvisionerConfig, Step,
    faults::{FaultKind, Faults},
    testing::{TestPlatform, tenant_request, unique_slug},
};

use crate::helpers::tenant_resources_exist;

/// Steps after `reserve`, each of which can fail with its side effects already done.
const STEPS: [Step; 6] =
    [Step::Place, Step::CreateRole, Step::CreateDatabase, Step::Migrate, Step::SeedAdmin, Step::Activate];

#[tokio::test]
async fn a_failure_at_any_step_leaves_a_failed_job_that_a_retry_converges() {
    let platform = TestPlatform::new().await;
    for step in STEPS {
        let faults = Faults::inject(step, FaultKind::Fail, u32::MAX);
        let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults.clone());

        let result = provisioner.create_tenant(tenant_request(&unique_slug("fail")), &Actor::system()).await;

        let Err(ProvisionError::Failed { job_id, tenant_id, step: failed_at, .. }) = result else {
            panic!("{step:?}: expected a failed job, got {result:?}");
        };
        assert_eq!(failed_at, step.as_str());
        let tenant = platform.catalog.tenant(TenantId::from_uuid(tenant_id)).await.unwrap();
        assert_eq!(tenant.status, "failed", "{step:?}");
        assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "failed");

        faults.clear();
        provisioner.retry_job(job_id, &Actor::system()).await.unwrap();

        let tenant = platform.catalog.tenant(TenantId::from_uuid(tenant_id)).await.unwrap();
        assert_eq!(tenant.status, "active", "{step:?}: retry converges");
        assert_eq!(tenant_resources_exist(TenantId::from_uuid(tenant_id)).await, (true, true));
    }
    platform.cleanup().await;
}

#[tokio::test]
async fn compensating_a_failure_at_any_step_leaves_nothing_behind() {
    let platform = TestPlatform::new().await;
    for step in STEPS {
        let faults = Faults::inject(step, FaultKind::Fail, u32::MAX);
        let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults);
        let slug = unique_slug("comp");
        let Err(ProvisionError::Failed { job_id, tenant_id, .. }) =
            provisioner.create_tenant(tenant_request(&slug), &Actor::system()).await
        else {
            panic!("{step:?}: expected failure");
        };

        provisioner.compensate_job(job_id, &Actor::system()).await.unwrap();

        let id = TenantId::from_uuid(tenant_id);
        assert_eq!(tenant_resources_exist(id).await, (false, false), "{step:?}: no role or database");
        assert!(platform.catalog.tenant(id).await.is_err(), "{step:?}: no tenant row");
        assert!(platform.catalog.placement(id).await.unwrap().is_none(), "{step:?}: no placement row");
        assert_eq!(platform.catalog.job(job_id).await.unwrap().state, "compensated");
        // The slug is free again.
        platform.provisioner().create_tenant(tenant_request(&slug), &Actor::system()).await.unwrap();
    }
    platform.cleanup().await;
}

#[tokio::test]
async fn a_job_left_by_a_crashed_worker_is_resumed_by_another_after_its_lease_expires() {
    let platform = TestPlatform::new().await;
    let lease = Duration::from_millis(800);
    for step in [Step::CreateRole, Step::CreateDatabase, Step::SeedAdmin] {
        let crashing = platform.provisioner_with(
            ProvisionerConfig { worker_id: "w1".into(), lease_ttl: lease, ..Default::default() },
            Faults::inject(step, FaultKind::Crash, 1),
        );
        let rescuer = platform.provisioner_with(
            ProvisionerConfig { worker_id: "w2".into(), lease_ttl: lease, ..Default::default() },
            Faults::none(),
        );

        let crashed = crashing.create_tenant(tenant_request(&unique_slug("crash")), &Actor::system()).await;
        let Err(ProvisionError::Crashed(job_id)) = crashed else { panic!("{step:?}: {crashed:?}") };

        // While the lease is live, nobody else may run the job.
        assert!(matches!(rescuer.run_job(job_id).await, Err(ProvisionError::LeaseHeld(_))));
        tokio::time::sleep(lease + Duration::from_millis(300)).await;
        assert!(platform.catalog.abandoned_jobs(100).await.unwrap().contains(&job_id));
        rescuer.run_job(job_id).await.unwrap();

        let job = platform.catalog.job(job_id).await.unwrap();
        assert_eq!(job.state, "succeeded", "{step:?}");
        assert_eq!(platform.catalog.tenant(TenantId::from_uuid(job.tenant_id)).await.unwrap().status, "active");
    }
    platform.cleanup().await;
}

/// The owner's row in the tenant database: its password hash, if the owner exists.
async fn owner_password_hash(platform: &TestPlatform, tenant: TenantId) -> Option<String> {
    let placement = platform.catalog.placement(tenant).await.unwrap().unwrap();
    let client = test_support::admin_client(&placement.database_name).await.unwrap();
    let row = client.query_opt("SELECT password_hash FROM users WHERE role = 'owner'", &[]).await.unwrap();
    row.map(|row| row.get(0))
}

/// Waits until the creating run's hashing has put the first admin's hash into the job.
async fn wait_for_saved_hash(platform: &TestPlatform, job_id: uuid::Uuid) {
    for _ in 0..100 {
        if platform.catalog.job(job_id).await.unwrap().params.get("adminPasswordHash").is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the first admin's password hash never reached the job");
}

#[tokio::test]
async fn a_job_failed_before_seeding_keeps_the_first_admins_password_for_its_retry() {
    let platform = TestPlatform::new().await;
    let faults = Faults::inject(Step::Place, FaultKind::Fail, u32::MAX);
    let provisioner = platform.provisioner_with(ProvisionerConfig::default(), faults.clone());
    let request = tenant_request(&unique_slug("early"));
    let password = "correct horse battery staple";
    assert!(matches!(&request.admin, provisioner::FirstAdmin::Password(p) if p.expose() == password));

    let result = provisioner.create_tenant(request, &Actor::system()).await;
    let Err(ProvisionError::Failed { job_id, tenant_id, .. }) = result else {
        panic!("expected a failed job: {result:?}")
    };
    wait_for_saved_hash(&platform, job_id).await;
    faults.clear();
    provisioner.retry_job(job_id, &Actor::system()).await.unwrap();

    let hash = owner_password_hash(&platform, TenantId::from_uuid(tenant_id)).await.expect("the owner was seeded");
    assert!(secrets::password::verify_password(password, &hash), "the owner signs in with the password given");
    let job = platform.catalog.job(job_id).await.unwrap();
    assert!(job.params.get("adminPasswordHash").is_none(), "the finished job drops the hash");
    assert!(job.params.get("adminLost").is_none());
    platform.cleanup().await;
}

#[tokio::test]
async fn a_run_that_stopped_before_its_hash_was_saved_leaves_a_tenant_without_a_user_and_says_so() {
    let platform = TestPlatform::new().await;
    let lease = Duration::from_millis(500);
    let crashing = platform.provisioner_with(
        ProvisionerConfig { worker_id: "w1".into(), lease_ttl: lease, ..Default::default() },
        Faults::inject(Step::Place, FaultKind::Crash, 1),
    );
    let Err(ProvisionError::Crashed(job_id)) =
        crashing.create_tenant(tenant_request(&unique_slug("lost")), &Actor::system()).await
    else {
        panic!("expected a crash");
    };
    // A process that died within the hash's ~50 ms never saved it: take it out again.
    wait_for_saved_hash(&platform, job_id).await;
    let catalog = test_support::admin_client(&platform.catalog_db).await.unwrap();
    catalog
        .execute("UPDATE provisioning_jobs SET params = params - 'adminPasswordHash' WHERE id = $1", &[&job_id])
        .await
        .unwrap();
    tokio::time::sleep(lease + Duration::from_millis(200)).await;

    platform.provisioner().run_job(job_id).await.unwrap();

    let job = platform.catalog.job(job_id).await.unwrap();
    assert_eq!(job.state, "succeeded");
    assert_eq!(job.params.get("adminLost"), Some(&serde_json::Value::Bool(true)));
    let tenant = TenantId::from_uuid(job.tenant_id);
    assert_eq!(platform.catalog.tenant(tenant).await.unwrap().status, "active");
    assert_eq!(owner_password_hash(&platform, tenant).await, None, "no user with a password nobody knows");
    let events = platform.catalog.audit_events(Some(tenant.as_uuid()), None, 20).await.unwrap();
    let lost: Vec<_> = events.iter().filter(|e| e.action == "tenant.first_admin_lost").collect();
    assert_eq!(lost.len(), 1, "the loss is recorded once");
    // The way in: an owner invitation for the same address.
    let email = domain::Email::parse(job.params["adminEmail"].as_str().unwrap()).unwrap();
    platform.provisioner().invite_owner(tenant, &email, &Actor::system()).await.unwrap();
    platform.cleanup().await;
}
