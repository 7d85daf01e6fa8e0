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

use super::{
    cache::DbTarget,
    connector::{ConnectError, TenantConnector},
    link::Link,
};

/// A tenant served within this window counts as active when the budget is shared out.
const ACTIVE_WINDOW: Duration = Duration::from_secs(2);
/// A busy tenant is marked active again at most this often (well within the window).
const ACTIVE_MARK_EVERY_MS: u64 = 250;

/// How long a request waits for a connection slot (pool or worker budget) before it gets 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long opening a tenant connection may take (the connector's own timeout, plus retry).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error("connection budget of this worker is exhausted")]
    Budget,
    #[error(transparent)]
    Connect(#[from] ConnectError),
}

/// A tenant connection that holds one slot of the worker's connection budget, until its
/// socket is closed (not merely until the client is dropped), so the budget bounds the
/// server's backends, not just this worker's handles. It is driven on the runtime of the
/// request that checked it out (see [`super::link`]).
pub struct BudgetedClient {
    client: tokio_postgres::Client,
    link: Arc<Link>,
    /// Statements prepared on this connection by [`BudgetedClient::prepare_cached`].
    statements: std::sync::Mutex<std::collections::HashMap<String, tokio_postgres::Statement>>,
}

/// Statements kept per connection; more are prepared each time.
const STATEMENT_CACHE: usize = 64;

impl BudgetedClient {
    /// `sql` prepared once per connection, so a hot query skips the parse round trip. Only for
    /// statements with explicit column lists: a `*` would change shape under a migration.
    pub async fn prepare_cached(&self, sql: &str) -> Result<tokio_postgres::Statement, tokio_postgres::Error> {
        if let Some(statement) = self.statements.lock().ok().and_then(|cache| cache.get(sql).cloned()) {
            return Ok(statement);
        }
        let statement = self.client.prepare(sql).await?;
        if let Ok(mut cache) = self.statements.lock()
            && cache.len() < STATEMENT_CACHE
        {
            cache.insert(sql.to_owned(), statement.clone());
        }
        Ok(statement)
    }

    /// The runtime driving this connection now.
    pub fn driven_by(&self) -> Option<tokio::runtime::Id> {
        self.link.runtime()
    }

    /// The driver tasks this connection has, one per runtime that has checked it out.
    pub fn driver_tasks(&self) -> usize {
        self.link.drivers()
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

/// What the pools of a worker have done since it started (for benchmarks and metrics).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Server connections opened (each a login as a tenant role).
    pub opened: u64,
    /// Times a pool found the budget exhausted and asked for idle connections to be closed.
    pub budget_waits: u64,
    /// Connections closed to free budget for another tenant.
    pub reclaimed: u64,
    /// Pools now, and connections held now.
    pub pools: u64,
    pub connections: usize,
}

#[derive(Debug, Default)]
struct Counters {
    opened: std::sync::atomic::AtomicU64,
    budget_waits: std::sync::atomic::AtomicU64,
    reclaimed: std::sync::atomic::AtomicU64,
}

/// deadpool manager: connections from the tenant's connector, each holding a budget slot.
pub struct BudgetedManager {
    /// The database server the connections go to.
    server: Uuid,
    connector: TenantConnector,
    counters: Arc<Counters>,
    budget: Arc<Semaphore>,
    /// Asks the registry to close idle connections of all pools when the budget is exhausted,
    /// so idle connections of quiet tenants cannot starve busy ones.
    reclaim: Arc<Notify>,
    /// When the tenant was last marked active (ms since the registry started).
    marked_active_ms: std::sync::atomic::AtomicU64,
    /// The pool's maximum size as last set (reading the pool's own status takes its lock).
    max_size: std::sync::atomic::AtomicUsize,
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
            self.counters.budget_waits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
        let (client, connection) = self.connector.connect().await?;
        self.counters.opened.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        // Dropping the client later ends the connection (a Terminate, then the socket closes),
        // and only then is the slot free.
        Ok(BudgetedClient { client, link: Link::start(connection, slot), statements: Default::default() })
    }

    /// Fast recycling: a connection whose server side went away is dropped; a live one is
    /// driven from here on by this request's runtime.
    async fn recycle(&self, obj: &mut BudgetedClient, _metrics: &Metrics) -> RecycleResult<PoolError> {
        if obj.client.is_closed() {
            return Err(RecycleError::message("connection closed"));
        }
        obj.link.follow_here();
        Ok(())
    }
}

pub type TenantPool = managed::Pool<BudgetedManager>;
pub type PooledClient = managed::Object<BudgetedManager>;

/// All tenant pools of this worker.
#[derive(Clone)]
pub struct PoolRegistry {
    pools: Cache<Uuid, TenantPool>,
    /// Tenants served within [`ACTIVE_WINDOW`]: the budget is shared out among them.
    active: moka::sync::Cache<Uuid, ()>,
    secrets: Arc<dyn SecretStore>,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    counters: Arc<Counters>,
    max_per_tenant: usize,
    budget_size: usize,
    started: std::time::Instant,
}

impl PoolRegistry {
    pub fn new(budget: usize, max_per_tenant: usize, idle: Duration, secrets: Arc<dyn SecretStore>) -> Self {
        let pools = Cache::builder()
            .time_to_idle(idle)
            .eviction_listener(|tenant: Arc<Uuid>, pool: TenantPool, cause: RemovalCause| {
                tracing::debug!(tenant.id = %tenant, ?cause, "closing tenant pool");
                pool.close();
            })
            .support_invalidation_closures()
            .build();
        Self {
            pools,
            active: moka::sync::Cache::builder().time_to_idle(ACTIVE_WINDOW).build(),
            secrets,
            budget: Arc::new(Semaphore::new(budget)),
            reclaim: Arc::new(Notify::new()),
            counters: Arc::default(),
            max_per_tenant,
            budget_size: budget,
            started: std::time::Instant::now(),
        }
    }

    /// The tenant's pool, created on first use (concurrent first uses share one pool).
    ///
    /// Its size follows the number of active tenants: each may hold up to
    /// `budget ÷ active` connections (at least 1, at most the per-tenant maximum). Without that,
    /// many busy tenants each growing to the maximum would exhaust the budget and then close
    /// each other's idle connections on every request.
    pub async fn pool(&self, tenant: Uuid, target: &DbTarget) -> anyhow::Result<TenantPool> {
        self.pool_for(tenant, target, true).await
    }

    /// The tenant's pool for background work that does not serve it (the webhook start sweep):
    /// the tenant is not counted as active, so the tenants served keep their share; a pool made
    /// here holds one connection.
    pub async fn unserved_pool(&self, tenant: Uuid, target: &DbTarget) -> anyhow::Result<TenantPool> {
        self.pool_for(tenant, target, false).await
    }

    async fn pool_for(&self, tenant: Uuid, target: &DbTarget, served: bool) -> anyhow::Result<TenantPool> {
        let pool = match self.pools.get(&tenant).await {
            Some(pool) => pool,
            None => {
                if served {
                    self.mark_active(tenant);
                }
                let fair = if served { self.fair_share() } else { 1 };
                let (budget, reclaim, counters) = (self.budget.clone(), self.reclaim.clone(), self.counters.clone());
                let connector = TenantConnector::new(target, TenantId::from_uuid(tenant), self.secrets.clone());
                let server = target.server_id;
                self.pools
                    .try_get_with(tenant, async move { build_pool(server, connector, counters, budget, reclaim, fair) })
                    .await
                    .map_err(|err: Arc<anyhow::Error>| anyhow::anyhow!("{err:#}"))?
            }
        };
        if !served {
            return Ok(pool);
        }
        // A busy tenant is marked a few times per active window, not on each request: a cache
        // write per request showed in the worker's profile.
        let now = self.started.elapsed().as_millis() as u64;
        let marked = &pool.manager().marked_active_ms;
        if now.saturating_sub(marked.load(std::sync::atomic::Ordering::Relaxed)) >= ACTIVE_MARK_EVERY_MS {
            marked.store(now, std::sync::atomic::Ordering::Relaxed);
            self.mark_active(tenant);
        }
        let fair = self.fair_share();
        let sized = &pool.manager().max_size;
        if sized.swap(fair, std::sync::atomic::Ordering::Relaxed) != fair {
            pool.resize(fair);
        }
        Ok(pool)
    }

    /// Counts `tenant` as active for the next [`ACTIVE_WINDOW`].
    fn mark_active(&self, tenant: Uuid) {
        let newly = self.active.get(&tenant).is_none();
        self.active.insert(tenant, ());
        if newly {
            // The count is kept lazily; a newly active tenant must be counted at once, or its
            // pool grows past its share before the count catches up.
            self.active.run_pending_tasks();
        }
    }

    /// Connections one active tenant may hold now.
    fn fair_share(&self) -> usize {
        let active = usize::try_from(self.active.entry_count()).unwrap_or(usize::MAX).max(1);
        (self.budget_size / active).clamp(1, self.max_per_tenant)
    }

    /// Closes and forgets the tenant's pool (suspend, delete, credential change).
    pub async fn evict(&self, tenant: Uuid) {
        self.pools.invalidate(&tenant).await;
    }

    /// Closes and forgets the pools connected to database server `server` (its address, TLS
    /// settings or credentials changed): their next use connects with the new settings.
    pub async fn evict_server(&self, server: Uuid) {
        if let Err(err) = self.pools.invalidate_entries_if(move |_, pool| pool.manager().server == server) {
            tracing::warn!(error = %err, "pool invalidation failed; closing every pool");
            self.pools.invalidate_all();
        }
        // Closed now (the eviction listener), not at the cache's next maintenance.
        self.pools.run_pending_tasks().await;
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

    /// Frees budget for a pool that found it exhausted. First the idle connections of tenants
    /// no longer active (not served within the active window): nobody waits for those. Else the
    /// idle connections that have waited longest — those idle over 5 s, else over 1 s, 200 ms,
    /// 50 ms, else any — stopping at the first step that closes one. Closing every idle
    /// connection instead would take the busiest tenants' connections too, and they would
    /// reconnect on their next request.
    pub fn reclaim_idle_connections(&self) -> usize {
        let inactive: usize = self
            .pools
            .iter()
            .filter(|(tenant, _)| !self.active.contains_key(tenant.as_ref()))
            .map(|(_, pool)| pool.retain(|_, _| false).removed.len())
            .sum();
        if inactive > 0 {
            self.counters.reclaimed.fetch_add(inactive as u64, std::sync::atomic::Ordering::Relaxed);
            return inactive;
        }
        const STEPS: [Duration; 5] = [
            Duration::from_secs(5),
            Duration::from_secs(1),
            Duration::from_millis(200),
            Duration::from_millis(50),
            Duration::ZERO,
        ];
        for idle in STEPS {
            let closed: usize = self
                .pools
                .iter()
                .map(|(_, pool)| pool.retain(|_, metrics| metrics.last_used() < idle).removed.len())
                .sum();
            if closed > 0 {
                self.counters.reclaimed.fetch_add(closed as u64, std::sync::atomic::Ordering::Relaxed);
                return closed;
            }
        }
        0
    }

    /// Resolves when a pool found the budget exhausted; the caller then closes idle connections.
    pub async fn reclaim_requested(&self) {
        self.reclaim.notified().await;
    }

    /// Whether at most half of the connection budget is in use (room for background work).
    pub fn has_spare_budget(&self) -> bool {
        self.connections_in_use() * 2 <= self.budget_size
    }

    /// Closes the tenant's pool unless the tenant was served within the active window (after
    /// background work on it).
    pub async fn close_if_unserved(&self, tenant: Uuid) {
        if !self.active.contains_key(&tenant) {
            self.evict(tenant).await;
        }
    }

    /// Server connections currently held by this worker.
    pub fn connections_in_use(&self) -> usize {
        self.budget_size - self.budget.available_permits()
    }

    pub fn stats(&self) -> PoolStats {
        let read = |c: &std::sync::atomic::AtomicU64| c.load(std::sync::atomic::Ordering::Relaxed);
        PoolStats {
            opened: read(&self.counters.opened),
            budget_waits: read(&self.counters.budget_waits),
            reclaimed: read(&self.counters.reclaimed),
            pools: self.pools.entry_count(),
            connections: self.connections_in_use(),
        }
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
    server: Uuid,
    connector: TenantConnector,
    counters: Arc<Counters>,
    budget: Arc<Semaphore>,
    reclaim: Arc<Notify>,
    max: usize,
) -> anyhow::Result<TenantPool> {
    let manager = BudgetedManager {
        server,
        connector,
        counters,
        budget,
        reclaim,
        marked_active_ms: std::sync::atomic::AtomicU64::new(0),
        max_size: std::sync::atomic::AtomicUsize::new(max),
    };
    let pool = managed::Pool::builder(manager)
        .max_size(max)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(ACQUIRE_TIMEOUT))
        .create_timeout(Some(ACQUIRE_TIMEOUT + CONNECT_TIMEOUT))
        .recycle_timeout(Some(Duration::from_secs(2)))
        .build()?;
    Ok(pool)
}
