//! The provisioning saga and tenant lifecycle, as a library used by the control plane and
//! by the `tenantry` CLI in direct mode.
//!
//! Provisioning runs `reserve → place → create_role → create_database → migrate →
//! create_storage → seed_admin → activate`. Each step is idempotent with deterministic names and recorded in
//! the job row; the job is run under a lease, so a job left by a crashed worker is resumed by
//! another once the lease expires. A failed job stays `failed` for `tenantry jobs retry`, or
//! is compensated in reverse, leaving no role, database or catalog row behind.

mod actor;
#[expect(clippy::print_stdout, reason = "the CLI prints its results")]
pub mod cli;
mod client_identity;
mod evacuate;
pub mod faults;
mod lifecycle;
mod moves;
mod saga;
mod sandbox;
mod server_access;
mod server_admin;
mod server_rotation;
mod server_view;
mod servers;
mod spares;
mod storage_admin;
mod tenant_admin;
#[cfg(feature = "testing")]
#[expect(clippy::expect_used, reason = "test helpers fail loudly")]
pub mod testing;
mod worker;

use std::{sync::Arc, time::Duration};

use catalog::Catalog;
use migrator::{ServerCredentials, TenantSchema};
use secrets::{Keyring, LocalStore, SecretStore, signing::SigningKeys};

pub use actor::Actor;
pub use evacuate::{DEFAULT_EVACUATION_CONCURRENCY, EvacuationReport};
pub use lifecycle::{
    LifecycleError, delete_tenant, resume_tenant, rotate_db_credentials, rotate_signing_key, suspend_tenant,
    verify_audit_log,
};
pub use saga::{CreateTenant, FirstAdmin, ProvisionError, SandboxSeed, Step};
pub use sandbox::{SANDBOX_TTL_MAX, SANDBOX_TTL_MIN, Sandbox, SandboxError, SandboxRequest, run_sandbox_reaper};
pub use server_access::ServerAccessChange;
pub use server_admin::{
    DEFAULT_TEMPLATE_DATABASE, RegisterServer, ServerAdminError, ServerCheck, check_server, probe_server_health,
    run_server_prober, validate_server_name,
};
pub use server_rotation::{DEFAULT_SERVER_NAME, SET_ON_SERVER as ROTATION_SET_ON_SERVER};
pub use server_view::ServerView;
pub use servers::{AdminPools, register_server_from_url};
pub use spares::{FillReport, SPARE_PREFIX, run_spare_filler};
pub use storage_admin::{
    RegisterStorage, StorageAdminError, StorageView, probe_storage_health, register_storage, run_storage_prober,
    tenant_storage,
};
pub use tenant_admin::{OWNER_INVITATION_LIFETIME, OwnerInvitation, TenantAdminError};
pub use worker::run_worker;

/// How `CREATE DATABASE` copies the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloneStrategy {
    /// Postgres' default: WAL-logged block copy; steady with fsync on.
    #[default]
    WalLog,
    /// Checkpoint and file copy: fastest with fsync off, erratic with it on.
    FileCopy,
}

impl CloneStrategy {
    fn sql(&self) -> &'static str {
        match self {
            Self::WalLog => "WAL_LOG",
            Self::FileCopy => "FILE_COPY",
        }
    }
}

pub use secrets::signing::{MAX_TOKEN_LIFETIME, PUBLISH_AHEAD as SIGNING_KEY_PUBLISH_AHEAD};

/// How long a worker holds a job's lease without renewing it. Steps renew it after every
/// step; a worker that dies loses its jobs to another worker after this long.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(30);

/// Runs provisioning jobs. Cheap to clone.
#[derive(Clone)]
pub struct Provisioner {
    inner: Arc<Inner>,
}

struct Inner {
    catalog: Catalog,
    keyring: Keyring,
    schema: TenantSchema,
    worker_id: String,
    lease_ttl: Duration,
    clone_strategy: CloneStrategy,
    pools: AdminPools,
    store: Arc<dyn SecretStore>,
    storage: Option<storage::Platform>,
    faults: faults::Faults,
    /// Notified when a provisioning may have taken a spare database (the filler refills).
    spares_taken: Arc<tokio::sync::Notify>,
}

/// Runs `task` every `every` (the first time at once) until `shutdown` resolves: the loop of
/// the storage and server probers and the sandbox reaper.
pub(crate) async fn run_every<F, Fut>(every: Duration, shutdown: impl std::future::Future<Output = ()>, mut task: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let ticking = async {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            task().await;
        }
    };
    tokio::select! {
        () = ticking => {}
        () = shutdown => {}
    }
}

/// Settings of a [`Provisioner`].
#[derive(Debug, Clone)]
pub struct ProvisionerConfig {
    pub worker_id: String,
    pub lease_ttl: Duration,
    pub clone_strategy: CloneStrategy,
    pub schema: TenantSchema,
    /// Where tenant secrets go; `None`: the local store (catalog, master key).
    pub secrets: Option<Arc<dyn SecretStore>>,
    /// The platform's storage backend; `None`: tenants get no storage space.
    pub storage: Option<storage::Platform>,
}

impl Default for ProvisionerConfig {
    fn default() -> Self {
        Self {
            worker_id: format!("{}-{}", hostname(), uuid::Uuid::now_v7().simple()),
            lease_ttl: DEFAULT_LEASE_TTL,
            clone_strategy: CloneStrategy::default(),
            schema: TenantSchema::of::<migrator::tenant::TenantMigrator>(),
            secrets: None,
            storage: None,
        }
    }
}

fn hostname() -> String {
    nix::unistd::gethostname().ok().and_then(|h| h.into_string().ok()).unwrap_or_else(|| "worker".into())
}

impl Provisioner {
    pub fn new(catalog: Catalog, keyring: Keyring, config: ProvisionerConfig) -> Self {
        Self::with_faults(catalog, keyring, config, faults::Faults::none())
    }

    /// A provisioner with injected faults (crash-safety tests).
    pub fn with_faults(catalog: Catalog, keyring: Keyring, config: ProvisionerConfig, faults: faults::Faults) -> Self {
        let store: Arc<dyn SecretStore> =
            config.secrets.unwrap_or_else(|| Arc::new(LocalStore::new(catalog.clone(), keyring.clone())));
        Self {
            inner: Arc::new(Inner {
                catalog: catalog.clone(),
                keyring: keyring.clone(),
                schema: config.schema,
                worker_id: config.worker_id,
                lease_ttl: config.lease_ttl,
                clone_strategy: config.clone_strategy,
                pools: AdminPools::new(ServerCredentials::new(store.clone(), keyring)),
                store,
                storage: config.storage,
                faults,
                spares_taken: Arc::new(tokio::sync::Notify::new()),
            }),
        }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn keyring(&self) -> &Keyring {
        &self.inner.keyring
    }

    pub fn storage_platform(&self) -> Option<&storage::Platform> {
        self.inner.storage.as_ref()
    }

    pub fn worker_id(&self) -> &str {
        &self.inner.worker_id
    }

    pub fn schema(&self) -> TenantSchema {
        self.inner.schema
    }

    /// Database servers' admin passwords (in the secret store).
    pub fn server_credentials(&self) -> &ServerCredentials {
        self.inner.pools.credentials()
    }

    /// Where tenant credentials (and servers' admin passwords) live.
    pub fn secrets(&self) -> &Arc<dyn SecretStore> {
        &self.inner.store
    }

    /// Tenants' token-signing keys, in the secret store.
    pub fn signing_keys(&self) -> SigningKeys {
        SigningKeys::with_defaults(self.inner.store.clone())
    }

    pub(crate) fn pools(&self) -> &AdminPools {
        &self.inner.pools
    }
}
