//! Per-tenant connection pools, created lazily, closed when idle, and all drawing from one
//! budget of server connections per worker.
//!
//! Each pool connects as the tenant's own role to the tenant's own database: there is no
//! pool that can reach two tenants' data.

use std::{sync::Arc, time::Duration};

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use domain::TenantId;
use moka::{future::Cache, notification::RemovalCause};
use secrets::SecretStore;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

use super::{cache::DbTarget, connector::TenantConnector};

/// How long a request waits for a connection slot (pool or worker budget) before it gets 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a tenant connection may take (the connector's own timeout, plus retry).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("connection budget of this worker is exhausted")]
    Budget,
    #[error("tenant database")]
    Postgres(#[from] tokio_postgres::Error),
}

/// A tenant connection that holds one slot of the worker's connection budget, until its
/// socket is closed (not merely until the client is dropped), so the budget bounds the
/// server's backends, not just this worker's handles.
pub struct BudgetedClient {
    client: tokio_postgres::Client,
    slot: Option<(OwnedSemaphorePermit, tokio::task::JoinHandle<()>)>,
}

impl Drop for BudgetedClient {
    fn drop(&mut self) {
        if let Some((slot, closed)) = self.slot.take() {
            // The client is dropped right after this; its connection task then ends. Outside
            // a runtime (process teardown) the slot simply goes now.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    let _ = closed.await;
                    drop(slot);
                });
            }
        }
    }
}

impl std::ops::Deref for BudgetedClient {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl std::ops::DerefMut for BudgetedClient {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.client
    }
}

/// deadpool manager: connections from the tenant's connector, each holding a budget slot.
pub struct BudgetedManager {
    connector: TenantConnector,
    budget: Arc<Semaphore>,
    /// Asks the registry to close idle connections of all pools when the budget is exhausted,
    /// so idle connections of quiet tenants cannot starve busy ones.
    reclaim: Arc<Notify>,
}

/// While waiting for a budget slot, idle connections are reclaimed this often: connections
/// freed by finished requests go idle holding their slot, so one reclaim is not enough.
const RECLAIM_INTERVAL: Duration = Duration::from_millis(25);

impl BudgetedManager {
    async fn acquire_slot(&self) -> Result<OwnedSemaphorePermit, PoolError> {
        let deadline = tokio::time::Instant::now() + ACQUIRE_TIMEOUT;
        loop {
            if let Ok(slot) = self.budget.clone().try_acquire_owned() {
                return Ok(slot);
            }
            self.reclaim.notify_one();
            let wait = RECLAIM_INTERVAL.min(deadline.saturating_duration_since(tokio::time::Instant::now()));
            match tokio::time::timeout(wait, self.budget.clone().acquire_owned()).await {
                Ok(Ok(slot)) => return Ok(slot),
                Ok(Err(_)) => return Err(PoolError::Budget),
                Err(_) if tokio::time::Instant::now() >= deadline => return Err(PoolError::Budget),
                Err(_) => {}
            }
        }
    }
}

impl managed::Manager for BudgetedManager {
    type Type = BudgetedClient;
    type Error = PoolError;

    async fn create(&self) -> Result<BudgetedClient, PoolError> {
        let slot = self.acquire_slot().await?;
        let (client, closed) = self.connector.connect().await?;
        Ok(BudgetedClient { client, slot: Some((slot, closed)) })
    }

    /// Fast recycling: a connection whose server side went away is dropped.
    async fn recycle(&self, obj: &mut BudgetedClient, _metrics: &Metrics) -> RecycleResult<PoolError> {
        if obj.client.is_closed() { Err(RecycleError::message("connection closed")) } else { Ok(()) }
    }
}

pub type TenantPool = managed::Pool<BudgetedManager>;
pub type PooledClient = managed::Object<BudgetedManager>;

/// All tenant pools of this worker.
#[derive(Clone)]
pub struct PoolRegistry {
    pools: Cache<Uuid, TenantPool>,
    secrets: Arc<dyn SecretStore>,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    max_per_tenant: usize,
    budget_size: usize,
}

impl PoolRegistry {
    pub fn new(budget: usize, max_per_tenant: usize, idle: Duration, secrets: Arc<dyn SecretStore>) -> Self {
        let pools = Cache::builder()
            .time_to_idle(idle)
            .eviction_listener(|tenant: Arc<Uuid>, pool: TenantPool, cause: RemovalCause| {
                tracing::debug!(tenant.id = %tenant, ?cause, "closing tenant pool");
                pool.close();
            })
            .build();
        Self {
            pools,
            secrets,
            budget: Arc::new(Semaphore::new(budget)),
            reclaim: Arc::new(Notify::new()),
            max_per_tenant,
            budget_size: budget,
        }
    }

    /// The tenant's pool, created on first use (concurrent first uses share one pool).
    pub async fn pool(&self, tenant: Uuid, target: &DbTarget) -> anyhow::Result<TenantPool> {
        let budget = self.budget.clone();
        let reclaim = self.reclaim.clone();
        let max = self.max_per_tenant;
        let connector = TenantConnector::new(target, TenantId::from_uuid(tenant), self.secrets.clone());
        self.pools
            .try_get_with(tenant, async move { build_pool(connector, budget, reclaim, max) })
            .await
            .map_err(|err: Arc<anyhow::Error>| anyhow::anyhow!("{err:#}"))
    }

    /// Closes and forgets the tenant's pool (suspend, delete, credential change).
    pub async fn evict(&self, tenant: Uuid) {
        self.pools.invalidate(&tenant).await;
    }

    pub fn evict_all(&self) {
        self.pools.invalidate_all();
    }

    /// Closes connections idle for longer than `idle` in every pool.
    pub fn close_idle_connections(&self, idle: Duration) {
        for (_, pool) in self.pools.iter() {
            pool.retain(|_, metrics| metrics.last_used() < idle);
        }
    }

    /// Resolves when a pool found the budget exhausted; the caller then closes idle connections.
    pub async fn reclaim_requested(&self) {
        self.reclaim.notified().await;
    }

    /// Server connections currently held by this worker.
    pub fn connections_in_use(&self) -> usize {
        self.budget_size - self.budget.available_permits()
    }

    pub fn pool_count(&self) -> u64 {
        self.pools.entry_count()
    }

    /// Tenants that have a pool in this worker (those recently served).
    pub fn tenants(&self) -> Vec<Uuid> {
        self.pools.iter().map(|(id, _)| *id).collect()
    }
}

fn build_pool(
    connector: TenantConnector,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    max: usize,
) -> anyhow::Result<TenantPool> {
    let pool = managed::Pool::builder(BudgetedManager { connector, budget, reclaim })
        .max_size(max)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(ACQUIRE_TIMEOUT))
        .create_timeout(Some(ACQUIRE_TIMEOUT + CONNECT_TIMEOUT))
        .recycle_timeout(Some(Duration::from_secs(2)))
        .build()?;
    Ok(pool)
}
