//! The provisioning saga: creating a tenant, running and resuming its job, retrying and
//! compensating it.

mod attempt;
mod record;
mod steps;

pub(crate) use steps::{
    ROLE_CONNECTION_LIMIT, connect_as_tenant, ensure_tenant_role, restrict_database, retry_while_in_use,
};

use std::time::Duration;

use catalog::{CatalogError, JobState, NewAuditEvent, NewTenant, entity::tenant};
use domain::{DisplayName, Email, Password, Plan, TenantId, TenantSlug, TenantStatus};
use uuid::Uuid;

use crate::{Actor, Provisioner};
pub(crate) use attempt::JobRun;

/// Saga steps in order. `reserve` happens when the job is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Reserve,
    Place,
    CreateRole,
    CreateDatabase,
    Migrate,
    CreateStorage,
    SeedAdmin,
    Activate,
}

impl Step {
    pub const ALL: [Step; 8] = [
        Step::Reserve,
        Step::Place,
        Step::CreateRole,
        Step::CreateDatabase,
        Step::Migrate,
        Step::CreateStorage,
        Step::SeedAdmin,
        Step::Activate,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Step::Reserve => "reserve",
            Step::Place => "place",
            Step::CreateRole => "create_role",
            Step::CreateDatabase => "create_database",
            Step::Migrate => "migrate",
            Step::CreateStorage => "create_storage",
            Step::SeedAdmin => "seed_admin",
            Step::Activate => "activate",
        }
    }
}

/// What it takes to create a tenant; every field already validated by its type.
#[derive(Debug, Clone)]
pub struct CreateTenant {
    pub slug: TenantSlug,
    pub display_name: DisplayName,
    pub plan: Plan,
    pub admin_email: Email,
    pub admin: FirstAdmin,
    /// The database server to pin the tenant to (by name); `None`: the "fewest tenants" policy.
    pub server: Option<String>,
    /// Set for a CI sandbox.
    pub sandbox: Option<SandboxSeed>,
}

/// How the first admin (the owner) gets in.
#[derive(Debug, Clone)]
pub enum FirstAdmin {
    /// Created with this password.
    Password(Password),
    /// Invited: the tenant starts with no user and one open owner invitation, whose token the
    /// caller hands over (only its hash travels in the job).
    Invitation { token_hash: String, expires_at: chrono::DateTime<chrono::Utc> },
}

impl FirstAdmin {
    /// A new owner invitation: the token (shown once) and what the job stores.
    pub fn invitation() -> (secrets::SecretString, Self) {
        let token = secrets::random_token(32);
        let admin = Self::Invitation {
            token_hash: secrets::sha256_hex(&token),
            expires_at: chrono::Utc::now() + crate::tenant_admin::OWNER_INVITATION_LIFETIME,
        };
        (token.into(), admin)
    }
}

/// What makes a tenant a CI sandbox: when it expires, and the platform-made API key its first
/// admin gets (only its hash and hint travel in the job).
#[derive(Debug, Clone)]
pub struct SandboxSeed {
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub api_key_hash: String,
    pub api_key_hint: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("slug `{0}` is taken")]
    SlugTaken(String),
    #[error("cannot place the tenant: {0}")]
    Placement(String),
    #[error("job {0} is being run by another worker")]
    LeaseHeld(Uuid),
    #[error("job {0} lost its lease to another worker")]
    LeaseLost(Uuid),
    #[error("provisioning job {job_id} failed at step {step}: {error}")]
    Failed { job_id: Uuid, tenant_id: Uuid, step: &'static str, error: String },
    #[error("moving the tenant failed at step {step} (job {job_id}): {error}")]
    MoveFailed {
        job_id: Uuid,
        step: &'static str,
        error: String,
        /// The move was undone: the tenant is served from its old server again.
        undone: bool,
    },
    #[error("worker crashed (injected fault) during job {0}")]
    Crashed(Uuid),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The first admin's argon2id hash, being computed (and saved with the job) while the saga runs.
type PendingHash = tokio::task::JoinHandle<Result<String, String>>;

/// Job inputs about the first admin's password: its hash is coming (set when the job is
/// created), the hash (added as soon as it is computed), and the mark that it was lost with
/// a run that stopped before.
const ADMIN_PASSWORD_PENDING: &str = "adminPasswordPending";
pub(crate) const ADMIN_PASSWORD_HASH: &str = "adminPasswordHash";
pub(crate) const ADMIN_LOST: &str = "adminLost";

impl Provisioner {
    /// Reserves and provisions a tenant; returns once it is active and its database answers
    /// through the same path the tenant plane uses ("ready means ready").
    pub async fn create_tenant(&self, req: CreateTenant, actor: &Actor) -> Result<tenant::Model, ProvisionError> {
        self.create_tenant_with_id(TenantId::new(), req, actor).await
    }

    /// [`Provisioner::create_tenant`] with the tenant's id chosen by the caller (a sandbox's
    /// API key names it before the tenant exists).
    pub(crate) async fn create_tenant_with_id(
        &self,
        tenant_id: TenantId,
        req: CreateTenant,
        actor: &Actor,
    ) -> Result<tenant::Model, ProvisionError> {
        let mut params = serde_json::json!({ "adminEmail": req.admin_email.as_str() });
        let mut hashing = None;
        match req.admin {
            FirstAdmin::Password(password) => {
                // The argon2id hash takes ~40 ms of one core: it runs while the steps before
                // `seed_admin` (mostly waiting on the database server) and its login do.
                hashing =
                    Some(tokio::task::spawn_blocking(move || secrets::password::hash_password(password.expose())));
                params[ADMIN_PASSWORD_PENDING] = true.into();
            }
            FirstAdmin::Invitation { token_hash, expires_at } => {
                params["adminInvitation"] = serde_json::json!({ "tokenHash": token_hash, "expiresAt": expires_at });
            }
        }
        // After the hashing started: it overlaps this check too.
        self.check_placement(req.server.as_deref()).await?;
        let job_id = Uuid::now_v7();
        if let Some(server) = &req.server {
            params["server"] = server.clone().into();
        }
        if let Some(seed) = &req.sandbox {
            params["sandbox"] = serde_json::json!({
                "apiKeyHash": seed.api_key_hash, "apiKeyHint": seed.api_key_hint, "expiresAt": seed.expires_at,
            });
        }
        let new = NewTenant {
            id: tenant_id,
            slug: req.slug.clone(),
            display_name: req.display_name.as_str().to_owned(),
            plan: req.plan,
            sandbox_expires_at: req.sandbox.as_ref().map(|s| s.expires_at),
        };
        let lease = Some((self.worker_id(), self.inner.lease_ttl));
        match self.catalog().reserve_tenant(&new, job_id, params, lease).await {
            Ok(_) => {}
            Err(CatalogError::Conflict(_)) => return Err(ProvisionError::SlugTaken(req.slug.to_string())),
            Err(err) => return Err(err.into()),
        }
        self.audit(
            actor,
            "tenant.create",
            tenant_id,
            serde_json::json!({ "slug": req.slug, "plan": req.plan, "jobId": job_id }),
        )
        .await;
        let pending_hash = hashing.map(|hashing| self.save_hash_when_done(job_id, hashing));
        self.run_job_with(job_id, pending_hash).await?;
        Ok(self.catalog().tenant(tenant_id).await?)
    }

    /// Adds the first admin's password hash to the job's inputs as soon as it is computed,
    /// however this run ends (a failed job keeps it for its retry), and hands it on.
    fn save_hash_when_done(
        &self,
        job_id: Uuid,
        hashing: tokio::task::JoinHandle<Result<String, secrets::password::HashError>>,
    ) -> PendingHash {
        let catalog = self.catalog().clone();
        tokio::spawn(async move {
            let hash = hashing.await.map_err(|err| err.to_string())?.map_err(|err| err.to_string())?;
            let added = serde_json::json!({ ADMIN_PASSWORD_HASH: hash });
            catalog.add_job_params(job_id, added).await.map_err(|err| format!("save it with the job: {err}"))?;
            Ok(hash)
        })
    }

    /// Refuses a tenant that could not be placed before anything is reserved: the pinned server
    /// must exist and take it, or some shared server must have room. The `place` step checks
    /// again under a lock.
    async fn check_placement(&self, server: Option<&str>) -> Result<(), ProvisionError> {
        let result = match server {
            Some(name) => match self.catalog().server_by_name(name).await {
                Ok(server) => self.catalog().check_pin(&server).await,
                Err(CatalogError::NotFound(_)) => {
                    return Err(ProvisionError::Placement(format!("no database server named `{name}`")));
                }
                Err(err) => Err(err),
            },
            None => self.catalog().least_loaded_server().await.map(|_| ()),
        };
        match result {
            Ok(()) => Ok(()),
            Err(err @ (CatalogError::InvalidState { .. } | CatalogError::NotFound(_))) => {
                Err(ProvisionError::Placement(err.to_string()))
            }
            Err(err) => Err(err.into()),
        }
    }

    /// Runs (or resumes) a provisioning job from its first unfinished step.
    pub async fn run_job(&self, job_id: Uuid) -> Result<(), ProvisionError> {
        self.run_job_with(job_id, None).await
    }

    /// [`Provisioner::run_job`] with the first admin's password hash still being computed
    /// (the run that created the job).
    async fn run_job_with(&self, job_id: Uuid, mut pending_hash: Option<PendingHash>) -> Result<(), ProvisionError> {
        let owner = self.worker_id().to_owned();
        let ttl = self.inner.lease_ttl;
        let Some(job) = self.catalog().acquire_job(job_id, &owner, ttl).await? else {
            return Err(ProvisionError::LeaseHeld(job_id));
        };
        if job.kind == "move" {
            return self.run_move(job).await;
        }
        let tenant_id = TenantId::from_uuid(job.tenant_id);
        let mut run = JobRun::new(self, &job);
        run.log.mark_done(Step::Reserve.as_str(), Duration::ZERO);
        let mut params = job.params.clone();
        for step in Step::ALL {
            if run.log.is_done(step.as_str()) {
                continue;
            }
            let outcome = if step == Step::SeedAdmin {
                // The tenant's login overlaps the rest of the password hash; if it fails, the
                // step connects again itself (and reports that error).
                let (hashed, connection) = tokio::join!(
                    self.first_admin_hash(job_id, &mut params, pending_hash.take(), tenant_id),
                    self.seed_connection(tenant_id),
                );
                if let Err(error) = hashed {
                    return Err(self.fail_job(job_id, &owner, tenant_id, step, error).await);
                }
                let (inputs, mut connection) = (&params, connection.ok());
                run.attempt(step.as_str(), || self.seed_admin(tenant_id, inputs, connection.take())).await?
            } else {
                let inputs = &params;
                run.attempt(step.as_str(), move || self.execute(step, tenant_id, inputs)).await?
            };
            if let Err(error) = outcome {
                return Err(self.fail_job(job_id, &owner, tenant_id, step, error).await);
            }
        }
        // The admin password hash is not needed any more: drop it from the job's inputs.
        let mut kept = serde_json::json!({ "adminEmail": params.get("adminEmail") });
        if params.get(ADMIN_LOST).is_some() {
            kept[ADMIN_LOST] = true.into();
        }
        let params = kept;
        self.catalog().finish_job(job_id, &owner, JobState::Succeeded, None, Some(params)).await?;
        tracing::info!(job.id = %job_id, tenant.id = %tenant_id, "tenant provisioned");
        Ok(())
    }

    /// Makes a failed job runnable again and runs it to the end.
    pub async fn retry_job(&self, job_id: Uuid, actor: &Actor) -> Result<(), ProvisionError> {
        if self.catalog().job(job_id).await?.kind == "move" {
            return self.retry_move(job_id, actor).await;
        }
        let job = self.catalog().reopen_job(job_id).await?;
        let tenant_id = TenantId::from_uuid(job.tenant_id);
        self.catalog().transition_tenant(tenant_id, &[TenantStatus::Failed], TenantStatus::Provisioning, None).await?;
        self.audit(actor, "job.retry", tenant_id, serde_json::json!({ "jobId": job_id })).await;
        self.run_job(job_id).await
    }

    /// Undoes a failed provisioning in reverse: drops the database and the role, removes the
    /// placement and the tenant row. The job row stays, `compensated`, as the record.
    pub async fn compensate_job(&self, job_id: Uuid, actor: &Actor) -> Result<(), ProvisionError> {
        if self.catalog().job(job_id).await?.kind == "move" {
            return Err(CatalogError::InvalidState {
                what: "job",
                actual: "a move".into(),
                expected: "a provisioning job (a move that failed before its switch was undone already)".into(),
            }
            .into());
        }
        let job = self.catalog().reopen_job(job_id).await?;
        let owner = self.worker_id().to_owned();
        if self.catalog().acquire_job(job_id, &owner, self.inner.lease_ttl).await?.is_none() {
            return Err(ProvisionError::LeaseHeld(job_id));
        }
        let tenant_id = TenantId::from_uuid(job.tenant_id);
        self.drop_tenant_resources(tenant_id).await?;
        self.catalog().remove_tenant(tenant_id).await?;
        self.catalog()
            .finish_job(job_id, &owner, JobState::Compensated, job.last_error.as_deref(), Some(serde_json::json!({})))
            .await?;
        self.audit(actor, "job.compensate", tenant_id, serde_json::json!({ "jobId": job_id })).await;
        Ok(())
    }

    async fn fail_job(
        &self,
        job_id: Uuid,
        owner: &str,
        tenant_id: TenantId,
        step: Step,
        error: String,
    ) -> ProvisionError {
        let outcome = async {
            self.catalog()
                .transition_tenant(
                    tenant_id,
                    // `Active` when the activate step itself failed after its effect.
                    &[TenantStatus::Provisioning, TenantStatus::Active],
                    TenantStatus::Failed,
                    Some(error.clone()),
                )
                .await?;
            self.catalog().finish_job(job_id, owner, JobState::Failed, Some(&error), None).await
        }
        .await;
        if let Err(err) = outcome {
            tracing::error!(job.id = %job_id, error = %err, "could not record job failure");
        }
        ProvisionError::Failed { job_id, tenant_id: tenant_id.as_uuid(), step: step.as_str(), error }
    }

    /// Makes sure the job's inputs hold the first admin's password hash when it has one coming:
    /// from this run's hashing, else from the catalog (a resumed job). A job whose creating run
    /// stopped before the hash was saved has lost it (it was never stored anywhere else): the
    /// tenant then starts without a user, the loss is recorded, and an owner invitation is the
    /// way in.
    async fn first_admin_hash(
        &self,
        job_id: Uuid,
        params: &mut serde_json::Value,
        pending: Option<PendingHash>,
        tenant: TenantId,
    ) -> Result<(), String> {
        if params.get(ADMIN_PASSWORD_PENDING).is_none() || params.get(ADMIN_PASSWORD_HASH).is_some() {
            return Ok(());
        }
        if let Some(pending) = pending {
            let hash = pending.await.map_err(|err| err.to_string()).and_then(|hash| hash);
            params[ADMIN_PASSWORD_HASH] = hash.map_err(|err| format!("hash the first admin's password: {err}"))?.into();
            return Ok(());
        }
        let saved = self.catalog().job(job_id).await.map_err(|err| err.to_string())?.params;
        if let Some(hash) = saved.get(ADMIN_PASSWORD_HASH) {
            params[ADMIN_PASSWORD_HASH] = hash.clone();
        } else if params.get(ADMIN_LOST).is_none() {
            tracing::warn!(job.id = %job_id, tenant.id = %tenant, "the first admin's password hash was lost with the run computing it; the tenant starts without a user");
            params[ADMIN_LOST] = true.into();
            self.catalog()
                .add_job_params(job_id, serde_json::json!({ ADMIN_LOST: true }))
                .await
                .map_err(|err| err.to_string())?;
            let details = serde_json::json!({ "jobId": job_id, "adminEmail": params.get("adminEmail"), "remedy": "invite an owner" });
            self.audit(&Actor::system(), "tenant.first_admin_lost", tenant, details).await;
        }
        Ok(())
    }

    pub(crate) async fn audit(
        &self,
        actor: &Actor,
        action: &'static str,
        tenant: TenantId,
        details: serde_json::Value,
    ) {
        let event = NewAuditEvent {
            actor: actor.name.clone(),
            action,
            tenant_id: Some(tenant.as_uuid()),
            details,
            request_id: actor.request_id.clone(),
        };
        if let Err(err) = self.catalog().record_audit(event).await {
            tracing::error!(action, error = %err, "could not write audit event");
        }
    }
}
