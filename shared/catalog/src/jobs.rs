//! Provisioning jobs: leases, progress and outcomes.
//!
//! A job is run by whoever holds its lease. Every progress write is guarded by the lease
//! owner, so a worker whose lease expired (it stalled or crashed) cannot overwrite the
//! progress of the worker that took over.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::{Catalog, CatalogError, Result, entity::provisioning_job};

/// Lifecycle of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Pending,
    Running,
    Succeeded,
    Failed,
    Compensated,
}

impl JobState {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Compensated => "compensated",
        }
    }
}

/// A job's progress after a step.
#[derive(Debug, Clone, Copy)]
pub struct JobProgress<'a> {
    pub current_step: &'a str,
    pub steps: &'a serde_json::Value,
    pub attempts: i32,
    pub last_error: Option<&'a str>,
}

fn secs(ttl: Duration) -> f64 {
    ttl.as_secs_f64()
}

impl Catalog {
    pub async fn job(&self, id: Uuid) -> Result<provisioning_job::Model> {
        provisioning_job::Entity::find_by_id(id).one(&self.db).await?.ok_or(CatalogError::NotFound("job"))
    }

    /// A tenant's jobs, newest first.
    pub async fn jobs_for_tenant(&self, tenant: Uuid) -> Result<Vec<provisioning_job::Model>> {
        Ok(provisioning_job::Entity::find()
            .filter(provisioning_job::Column::TenantId.eq(tenant))
            .order_by_desc(provisioning_job::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Recent jobs, newest first, optionally only those in `state`.
    pub async fn recent_jobs(&self, state: Option<JobState>, limit: u64) -> Result<Vec<provisioning_job::Model>> {
        let mut query =
            provisioning_job::Entity::find().order_by_desc(provisioning_job::Column::CreatedAt).limit(limit);
        if let Some(state) = state {
            query = query.filter(provisioning_job::Column::State.eq(state.as_str()));
        }
        Ok(query.all(&self.db).await?)
    }

    /// Takes the job's lease if it is runnable and free (never leased, expired, or ours).
    /// Returns the job when the lease was taken.
    pub async fn acquire_job(&self, id: Uuid, owner: &str, ttl: Duration) -> Result<Option<provisioning_job::Model>> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE provisioning_jobs SET lease_owner = $2, \
                lease_expires_at = now() + make_interval(secs => $3), state = 'running', updated_at = now() \
             WHERE id = $1 AND state IN ('pending', 'running') \
               AND (lease_owner IS NULL OR lease_expires_at < now() OR lease_owner = $2) \
             RETURNING *",
            [id.into(), owner.into(), secs(ttl).into()],
        );
        Ok(provisioning_job::Entity::find().from_raw_sql(stmt).one(&self.db).await?)
    }

    /// Ids of runnable jobs nobody holds: never leased, or whose lease expired.
    pub async fn abandoned_jobs(&self, limit: u64) -> Result<Vec<Uuid>> {
        Ok(provisioning_job::Entity::find()
            .select_only()
            .column(provisioning_job::Column::Id)
            .filter(provisioning_job::Column::State.is_in(["pending", "running"]))
            .filter(
                Condition::any()
                    .add(provisioning_job::Column::LeaseOwner.is_null())
                    .add(provisioning_job::Column::LeaseExpiresAt.lt(Utc::now())),
            )
            .order_by_asc(provisioning_job::Column::CreatedAt)
            .limit(limit)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Saves progress and extends the lease. `Ok(false)` when the lease was lost.
    pub async fn save_job_progress(
        &self,
        id: Uuid,
        owner: &str,
        ttl: Duration,
        progress: JobProgress<'_>,
    ) -> Result<bool> {
        let JobProgress { current_step, steps, attempts, last_error } = progress;
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE provisioning_jobs SET current_step = $3, steps = $4, attempts = $5, last_error = $6, \
                lease_expires_at = now() + make_interval(secs => $7), updated_at = now() \
             WHERE id = $1 AND lease_owner = $2",
            [
                id.into(),
                owner.into(),
                current_step.into(),
                steps.clone().into(),
                attempts.into(),
                last_error.map(str::to_owned).into(),
                secs(ttl).into(),
            ],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    /// Merges `added` into the job's inputs, whoever holds its lease (the first admin's
    /// password hash arrives while the saga runs).
    pub async fn add_job_params(&self, id: Uuid, added: serde_json::Value) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE provisioning_jobs SET params = params || $2, updated_at = now() WHERE id = $1",
            [id.into(), added.into()],
        );
        match self.db.execute_raw(stmt).await?.rows_affected() {
            1 => Ok(()),
            _ => Err(CatalogError::NotFound("job")),
        }
    }

    /// Ends the job in `state` and releases the lease. `params` replaces the job's inputs
    /// (used to drop the admin password hash once it is no longer needed).
    pub async fn finish_job(
        &self,
        id: Uuid,
        owner: &str,
        state: JobState,
        last_error: Option<&str>,
        params: Option<serde_json::Value>,
    ) -> Result<bool> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE provisioning_jobs SET state = $3, last_error = $4, params = COALESCE($5, params), \
                lease_owner = NULL, lease_expires_at = NULL, updated_at = now() \
             WHERE id = $1 AND lease_owner = $2",
            [id.into(), owner.into(), state.as_str().into(), last_error.map(str::to_owned).into(), params.into()],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    /// Makes a failed job runnable again (`tenantry jobs retry`).
    pub async fn reopen_job(&self, id: Uuid) -> Result<provisioning_job::Model> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE provisioning_jobs SET state = 'pending', lease_owner = NULL, lease_expires_at = NULL, \
                updated_at = now() WHERE id = $1 AND state = 'failed' RETURNING *",
            [id.into()],
        );
        match provisioning_job::Entity::find().from_raw_sql(stmt).one(&self.db).await? {
            Some(job) => Ok(job),
            None => {
                let job = self.job(id).await?;
                Err(CatalogError::InvalidState { what: "job", actual: job.state, expected: "failed".into() })
            }
        }
    }
}
