//! The background provisioning worker: picks up jobs nobody holds (never started, or left
//! by a crashed worker whose lease expired) and runs them.

use std::time::Duration;

use crate::{ProvisionError, Provisioner};

/// How often the worker looks for abandoned jobs.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Runs until `shutdown` resolves.
pub async fn run_worker(provisioner: Provisioner, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => break,
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
        let jobs = match provisioner.catalog().abandoned_jobs(16).await {
            Ok(jobs) => jobs,
            Err(err) => {
                tracing::warn!(error = %err, "could not list abandoned jobs");
                continue;
            }
        };
        for job_id in jobs {
            tracing::info!(job.id = %job_id, "resuming provisioning job");
            match provisioner.run_job(job_id).await {
                Ok(()) | Err(ProvisionError::LeaseHeld(_)) => {}
                Err(err) => tracing::warn!(job.id = %job_id, error = %err, "resumed job did not finish"),
            }
        }
    }
}
