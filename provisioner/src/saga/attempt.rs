//! Running a job's steps: each one is tried up to [`STEP_ATTEMPTS`] times, every attempt
//! recorded in the job (and extending its lease), with injected faults for the crash-safety
//! tests. Shared by provisioning and moves; what a final failure means is the caller's.

use std::{future::Future, time::Duration};

use catalog::{JobProgress, entity::provisioning_job};
use domain::TenantId;
use uuid::Uuid;

use super::record::StepLog;
use crate::{ProvisionError, Provisioner, faults::FaultKind};

/// Attempts per step within one run before the job is marked failed.
const STEP_ATTEMPTS: u32 = 3;
/// Backoff before the second and third attempt of a step (times the attempt number).
const STEP_BACKOFF: Duration = Duration::from_millis(100);

/// One run of a job by the worker holding its lease.
pub(crate) struct JobRun<'a> {
    provisioner: &'a Provisioner,
    pub(crate) job_id: Uuid,
    pub(crate) owner: String,
    tenant: TenantId,
    pub(crate) log: StepLog,
    attempts: i32,
}

impl<'a> JobRun<'a> {
    pub(crate) fn new(provisioner: &'a Provisioner, job: &provisioning_job::Model) -> Self {
        Self {
            provisioner,
            job_id: job.id,
            owner: provisioner.worker_id().to_owned(),
            tenant: TenantId::from_uuid(job.tenant_id),
            log: StepLog::from_json(&job.steps),
            attempts: job.attempts,
        }
    }

    /// Runs `step` until it succeeds or has failed [`STEP_ATTEMPTS`] times. `Ok(Err(error))`:
    /// the last attempt's error; `Err`: the run must stop (lease lost, injected crash, catalog).
    pub(crate) async fn attempt<F, Fut>(
        &mut self,
        step: &'static str,
        mut run: F,
    ) -> Result<Result<(), String>, ProvisionError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = anyhow::Result<()>>,
    {
        let mut tries = 0;
        loop {
            tries += 1;
            self.attempts += 1;
            let started = std::time::Instant::now();
            let result = run().await;
            let took = started.elapsed();
            let result = match (result, self.provisioner.inner.faults.take(step)) {
                (Ok(()), Some(FaultKind::Crash)) => return Err(ProvisionError::Crashed(self.job_id)),
                (Ok(()), Some(FaultKind::Fail)) => Err(anyhow::anyhow!("injected failure at {step}")),
                (result, _) => result,
            };
            let error = result.err().map(|err| format!("{err:#}"));
            match &error {
                None => self.log.mark_done(step, took),
                Some(error) => self.log.mark_failed(step, error, took),
            }
            let steps = self.log.to_json();
            let progress = JobProgress {
                current_step: step,
                steps: &steps,
                attempts: self.attempts,
                last_error: error.as_deref(),
            };
            let ttl = self.provisioner.inner.lease_ttl;
            if !self.provisioner.catalog().save_job_progress(self.job_id, &self.owner, ttl, progress).await? {
                return Err(ProvisionError::LeaseLost(self.job_id));
            }
            let Some(error) = error else { return Ok(Ok(())) };
            tracing::warn!(job.id = %self.job_id, tenant.id = %self.tenant, step, attempt = tries, error = %error, "job step failed");
            if tries >= STEP_ATTEMPTS {
                return Ok(Err(error));
            }
            tokio::time::sleep(STEP_BACKOFF * tries).await;
        }
    }
}
