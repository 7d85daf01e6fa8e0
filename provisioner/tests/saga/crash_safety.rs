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
