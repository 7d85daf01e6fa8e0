use std::time::Duration;

use provisioner::{
    Actor, ProvisionError, ProvisionerConfig, Step,
    faults::{FaultKind, Faults},
    testing::{TestPlatform, tenant_request, unique_slug},
};

#[tokio::test]
async fn the_background_worker_finishes_a_job_whose_worker_crashed() {
    let platform = TestPlatform::new().await;
    let lease = Duration::from_millis(500);
    let crashing = platform.provisioner_with(
        ProvisionerConfig { worker_id: "dead".into(), lease_ttl: lease, ..Default::default() },
        Faults::inject(Step::Migrate, FaultKind::Crash, 1),
    );
    let Err(ProvisionError::Crashed(job_id)) =
        crashing.create_tenant(tenant_request(&unique_slug("orphan")), &Actor::system()).await
    else {
        panic!("expected a crash");
    };

    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = tokio::spawn(provisioner::run_worker(platform.provisioner(), async {
        let _ = stopped.await;
    }));
    let mut state = String::new();
    for _ in 0..100 {
        state = platform.catalog.job(job_id).await.unwrap().state;
        if state == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = stop.send(());
    worker.await.unwrap();
    assert_eq!(state, "succeeded");
    platform.cleanup().await;
}
