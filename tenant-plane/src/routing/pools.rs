//! Per-tenant connection pools, created lazily, closed when idle, and all drawing from one
//! budget of server connections per worker.
//!
//! Each pool connects as the tenant's own role to the tenant's own database: there is no
//! pool that can reach two tenants' data.

use std::{sync::Arc, time::Duration};

use deadpool::managed::{self, Metrics, RecycleError, RecycleResult};
use deadpool_postgres::{ClientWrapper, ManagerConfig, RecyclingMethod};
use moka::{future::Cache, notification::RemovalCause};
use secrets::ExposeSecret;
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_postgres::NoTls;
use uuid::Uuid;

use super::cache::DbTarget;

/// How long a request waits for a connection slot (pool or worker budget) before it gets 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a tenant connection may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("connection budget of this worker is exhausted")]
    Budget,
    #[error("tenant database")]
    Postgres(#[from] tokio_postgres::Error),
}

/// A tenant connection that holds one slot of the worker's connection budget.
pub struct BudgetedClient {
    client: ClientWrapper,
    _slot: OwnedSemaphorePermit,
}

impl std::ops::Deref for BudgetedClient {
    type Target = tokio_postgres::Client;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

/// deadpool manager: the stock tokio-postgres manager plus a budget slot per connection.
pub struct BudgetedManager {
    inner: deadpool_postgres::Manager,
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
        let client = managed::Manager::create(&self.inner).await?;
        Ok(BudgetedClient { client, _slot: slot })
    }

    async fn recycle(&self, obj: &mut BudgetedClient, metrics: &Metrics) -> RecycleResult<PoolError> {
        managed::Manager::recycle(&self.inner, &mut obj.client, metrics).await.map_err(|err| match err {
            RecycleError::Backend(e) => RecycleError::Backend(PoolError::Postgres(e)),
            RecycleError::Message(m) => RecycleError::Message(m),
        })
    }
}

pub type TenantPool = managed::Pool<BudgetedManager>;
pub type PooledClient = managed::Object<BudgetedManager>;

/// All tenant pools of this worker.
#[derive(Clone)]
pub struct PoolRegistry {
    pools: Cache<Uuid, TenantPool>,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    max_per_tenant: usize,
    budget_size: usize,
}

impl PoolRegistry {
    pub fn new(budget: usize, max_per_tenant: usize, idle: Duration) -> Self {
        let pools = Cache::builder()
            .time_to_idle(idle)
            .eviction_listener(|tenant: Arc<Uuid>, pool: TenantPool, cause: RemovalCause| {
                tracing::debug!(tenant.id = %tenant, ?cause, "closing tenant pool");
                pool.close();
            })
            .build();
        Self {
            pools,
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
        let target = target.clone();
        self.pools
            .try_get_with(tenant, async move { build_pool(&target, budget, reclaim, max) })
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
}

fn build_pool(
    target: &DbTarget,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    max: usize,
) -> anyhow::Result<TenantPool> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&target.host)
        .port(target.port)
        .user(&target.role)
        .password(target.password.expose_secret())
        .dbname(&target.database)
        .application_name("tenantry-tenant-plane")
        .connect_timeout(CONNECT_TIMEOUT);
    let inner = deadpool_postgres::Manager::from_config(
        config,
        NoTls,
        ManagerConfig { recycling_method: RecyclingMethod::Fast },
    );
    let pool = managed::Pool::builder(BudgetedManager { inner, budget, reclaim })
        .max_size(max)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(ACQUIRE_TIMEOUT))
        .create_timeout(Some(ACQUIRE_TIMEOUT + CONNECT_TIMEOUT))
        .recycle_timeout(Some(Duration::from_secs(2)))
        .build()?;
    Ok(pool)
}
