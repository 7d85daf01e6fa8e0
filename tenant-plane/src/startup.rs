//! Building the tenant plane: state, HTTP app, server, LISTEN task and pool reaper.

use std::{
    net::{SocketAddr, TcpListener},
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use actix_web::{App, HttpServer, middleware::from_fn, web};
use anyhow::Context;
use catalog::Catalog;
use secrets::{
    Keyring, SecretStore,
    sealing::{TenantKeys, TenantSealer},
    signing::{Jwks, SigningKeys},
};

use crate::{
    RoutingSettings, Settings,
    limits::{self, Limits, RateLimitSettings},
    routes,
    routing::{PoolRegistry, RouteCache, run_listener},
    webhooks::{self, Dispatcher, WebhookSettings, dispatcher::DispatcherInbox},
};

/// How long a tenant's JWKS is cached in the worker (clients may cache it 60 s more); keys
/// are published minutes before they sign, so this never hides a signing key.
const JWKS_CACHE_TTL: Duration = Duration::from_secs(10);

/// Connections idle this long are closed (the pool itself lives until `pool_idle`).
const CONNECTION_IDLE: Duration = Duration::from_secs(60);

/// How long a tenant's data keys are cached in the worker.
const SEALER_CACHE_TTL: Duration = Duration::from_secs(60);

/// Everything a handler needs, built once.
#[derive(Clone)]
pub struct AppState {
    routes: RouteCache,
    signing: SigningKeys,
    /// JWKS per tenant for a few seconds: keys are published minutes before they sign, so a
    /// short cache never hides a key that signs.
    jwks: moka::future::Cache<uuid::Uuid, Arc<Jwks>>,
    /// The last JWKS loaded per tenant, served while the secret store is unreachable so that
    /// tokens keep verifying (static stability, like routes).
    jwks_last_good: moka::future::Cache<uuid::Uuid, Arc<Jwks>>,
    pools: PoolRegistry,
    routing: Arc<RoutingSettings>,
    limits: Limits,
    login_throttle: crate::auth::throttle::LoginThrottle,
    webhooks: Dispatcher,
    /// Taken by the dispatcher task when the server starts.
    webhook_inbox: Arc<std::sync::Mutex<Option<DispatcherInbox>>>,
    tenant_keys: TenantKeys,
    connector_settings: Arc<crate::connectors::ConnectorSettings>,
    /// For the platform-configured third-party APIs (Stripe, FCM); not for tenant-chosen URLs.
    platform_http: reqwest::Client,
    /// Tenants' data keys for a minute (they rotate by adding a version; old ones keep opening).
    sealers: moka::future::Cache<uuid::Uuid, Arc<TenantSealer>>,
    catalog_url: String,
    listening: Arc<AtomicBool>,
    files: crate::files::FileStores,
    portal: Option<http_api::WebApp>,
    /// How often the storage replicator looks for fallback writes to replay.
    replication_every: std::time::Duration,
}

impl AppState {
    /// `secrets` is where tenant database passwords are read: the local store (catalog +
    /// master key) or Vault with a read-only token.
    pub fn new(catalog: Catalog, secrets: Arc<dyn SecretStore>, catalog_url: String, routing: RoutingSettings) -> Self {
        let signing = SigningKeys::with_defaults(secrets.clone());
        let tenant_keys = TenantKeys::new(secrets.clone());
        let routes = RouteCache::new(catalog, secrets.clone(), routing.route_ttl());
        let secrets_for_files = secrets.clone();
        let pools =
            PoolRegistry::new(routing.max_db_connections, routing.tenant_pool_max, routing.pool_idle(), secrets);
        let jwks = moka::future::Cache::builder().max_capacity(100_000).time_to_live(JWKS_CACHE_TTL).build();
        let jwks_last_good = moka::future::Cache::builder().max_capacity(100_000).build();
        let (webhooks, inbox) = Dispatcher::new(WebhookSettings::default());
        let sealers = moka::future::Cache::builder().max_capacity(100_000).time_to_live(SEALER_CACHE_TTL).build();
        Self {
            routes,
            signing,
            jwks,
            jwks_last_good,
            pools,
            routing: Arc::new(routing),
            limits: Limits::new(&RateLimitSettings::default()),
            login_throttle: Default::default(),
            webhooks,
            webhook_inbox: Arc::new(std::sync::Mutex::new(Some(inbox))),
            tenant_keys,
            connector_settings: Arc::new(Default::default()),
            platform_http: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap_or_default(),
            sealers,
            catalog_url,
            listening: Arc::new(AtomicBool::new(false)),
            files: crate::files::FileStores::new(None, secrets_for_files),
            portal: None,
            replication_every: std::time::Duration::from_secs(5),
        }
    }

    /// The platform's storage backend (`TENANTRY_STORAGE`); `None`: no file storage.
    pub fn with_storage(mut self, platform: Option<storage::Platform>) -> Self {
        self.files = self.files.with_platform(platform);
        self
    }

    /// Serves the built portal from `dir` at `/` of every tenant host.
    pub fn with_portal(mut self, dir: &std::path::Path) -> anyhow::Result<Self> {
        self.portal = Some(
            http_api::WebApp::open(dir, http_api::PORTAL_CSP)
                .with_context(|| format!("portal at {}", dir.display()))?,
        );
        Ok(self)
    }

    /// How often fallback writes are replayed to a recovered primary (default 5 s).
    pub fn with_replication_every(mut self, every: std::time::Duration) -> Self {
        self.replication_every = every;
        self
    }

    pub(crate) fn files(&self) -> &crate::files::FileStores {
        &self.files
    }

    /// Replaces the default rate limits.
    pub fn with_limits(mut self, settings: &RateLimitSettings) -> Self {
        self.limits = Limits::new(settings);
        self
    }

    /// Replaces the default webhook settings.
    pub fn with_webhooks(mut self, settings: WebhookSettings) -> Self {
        let (webhooks, inbox) = Dispatcher::new(settings);
        self.webhooks = webhooks;
        self.webhook_inbox = Arc::new(std::sync::Mutex::new(Some(inbox)));
        self
    }

    /// Replaces the default connector settings (third-party API bases).
    pub fn with_connectors(mut self, settings: crate::connectors::ConnectorSettings) -> Self {
        self.connector_settings = Arc::new(settings);
        self
    }

    pub fn connector_settings(&self) -> &crate::connectors::ConnectorSettings {
        &self.connector_settings
    }

    pub fn platform_http(&self) -> &reqwest::Client {
        &self.platform_http
    }

    pub fn webhooks(&self) -> &Dispatcher {
        &self.webhooks
    }

    /// The tenant's data keys (sealing secrets its database holds), cached for a minute;
    /// `503 SECRETS_UNAVAILABLE` when the secret store cannot give them.
    pub async fn sealer(&self, tenant: uuid::Uuid) -> Result<Arc<TenantSealer>, http_api::ApiError> {
        let keys = self.tenant_keys.clone();
        self.sealers
            .try_get_with(tenant, async move {
                keys.keyring(&secrets::Scope::Tenant(domain::TenantId::from_uuid(tenant))).await.map(Arc::new)
            })
            .await
            .map_err(|err| {
                http_api::ApiError::with_cause(
                    http_api::ErrorCode::SECRETS_UNAVAILABLE,
                    "this tenant's keys are unavailable; retry later",
                    anyhow::anyhow!("{err}"),
                )
            })
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub(crate) fn login_throttle(&self) -> &crate::auth::throttle::LoginThrottle {
        &self.login_throttle
    }

    pub fn routes(&self) -> &RouteCache {
        &self.routes
    }

    /// Tenants' token-signing keys.
    pub fn signing(&self) -> &SigningKeys {
        &self.signing
    }

    /// A tenant's JWKS, cached for [`JWKS_CACHE_TTL`]; while the secret store is unreachable,
    /// the last one loaded.
    pub async fn jwks(&self, tenant: uuid::Uuid) -> Result<Arc<Jwks>, Arc<secrets::SecretError>> {
        let signing = self.signing.clone();
        let loaded = self
            .jwks
            .try_get_with(tenant, async move {
                let scope = secrets::Scope::Tenant(domain::TenantId::from_uuid(tenant));
                signing.jwks(&scope, chrono::Utc::now()).await.map(Arc::new)
            })
            .await;
        match loaded {
            Ok(jwks) => {
                self.jwks_last_good.insert(tenant, jwks.clone()).await;
                Ok(jwks)
            }
            Err(err) => match self.jwks_last_good.get(&tenant).await {
                Some(jwks) => {
                    tracing::warn!(tenant.id = %tenant, error = %err, "JWKS reload failed; serving last known keys");
                    Ok(jwks)
                }
                None => Err(err),
            },
        }
    }

    pub fn pools(&self) -> &PoolRegistry {
        &self.pools
    }

    pub fn routing(&self) -> &RoutingSettings {
        &self.routing
    }

    pub fn catalog(&self) -> &Catalog {
        self.routes.catalog()
    }

    /// What this worker's tenant pools have done (connections opened, budget waits, reclaims).
    pub fn pool_stats(&self) -> crate::routing::PoolStats {
        self.pools.stats()
    }

    /// Whether change notifications are being received.
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::SeqCst)
    }
}

pub async fn build_state(settings: &Settings) -> anyhow::Result<AppState> {
    settings.secrets.validate(settings.keys.dev)?;
    let url = settings.catalog_url().context("set TENANTRY_CATALOG_URL or TENANTRY_DATABASE_URL")?;
    let catalog = Catalog::connect(&url).await.context("connect to catalog")?;
    // With Vault, tenant-plane hosts hold no master key at all.
    let store: Arc<dyn SecretStore> = match settings.secrets.backend {
        secrets::Backend::Local => {
            let source = settings.keys.source()?;
            settings.secrets.open(&catalog, &Keyring::load(&source)?).await?
        }
        secrets::Backend::Vault => settings.secrets.open_vault().await?,
    };
    let state = AppState::new(catalog, store, url, settings.routing.clone())
        .with_limits(&settings.limits)
        .with_webhooks(settings.webhooks.clone())
        .with_connectors(settings.connectors.clone())
        .with_storage(storage::Platform::from_env().map_err(anyhow::Error::msg)?);
    let dev_default = std::path::Path::new("web/dist/portal");
    match &settings.portal_dir {
        Some(dir) => state.with_portal(dir),
        None if settings.keys.dev && dev_default.join("index.html").is_file() => state.with_portal(dev_default),
        None => Ok(state),
    }
}

/// A bound, not yet running tenant plane.
pub struct Application {
    listener: TcpListener,
    state: AppState,
    workers: Option<std::num::NonZeroUsize>,
}

impl Application {
    pub fn bind(addr: SocketAddr, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(addr).with_context(|| format!("bind {addr}"))?;
        Ok(Self { listener, state, workers: None })
    }

    pub fn from_listener(listener: TcpListener, state: AppState) -> Self {
        Self { listener, state, workers: None }
    }

    /// Serves with `workers` HTTP worker threads instead of one per available core.
    pub fn with_workers(mut self, workers: Option<std::num::NonZeroUsize>) -> Self {
        self.workers = workers;
        self
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `shutdown` resolves.
    pub async fn run_until(self, shutdown: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        let state = self.state.clone();
        let path_routing = state.routing.path_routing;
        let server = HttpServer::new(move || {
            let portal = state.portal.clone();
            App::new()
                .app_data(web::Data::new(state.clone()))
                .configure(|cfg| {
                    if let Some(portal) = portal {
                        cfg.app_data(web::Data::new(portal));
                    }
                })
                .configure(http_api::configure_extractors)
                .configure(|cfg| routes::config(cfg, path_routing))
                .default_service(web::to(http_api::serve_or_not_found))
                .wrap(from_fn(limits::rate_limit_headers))
                .wrap(from_fn(http_api::request_id_middleware))
        })
        .shutdown_timeout(10);
        // actix-web's default is one worker thread per available core.
        let server = match self.workers {
            Some(workers) => server.workers(workers.get()),
            None => server,
        };
        let server = server.listen(self.listener)?.run();
        let handle = server.handle();
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let listener = tokio::spawn(run_listener(
            self.state.catalog_url.clone(),
            self.state.routes.clone(),
            self.state.pools.clone(),
            self.state.listening.clone(),
            wait_for(stopped.clone()),
        ));
        let reaper =
            tokio::spawn(reap_idle(self.state.pools.clone(), self.state.limits.clone(), wait_for(stopped.clone())));
        let inbox = self.state.webhook_inbox.lock().ok().and_then(|mut inbox| inbox.take());
        let dispatcher =
            inbox.map(|inbox| tokio::spawn(webhooks::dispatcher::run(self.state.clone(), inbox, wait_for(stopped))));
        let replicator = crate::files::spawn_replicator(self.state.clone(), self.state.replication_every);
        let server_task = tokio::spawn(server);
        shutdown.await;
        tracing::info!("tenant plane shutting down");
        handle.stop(true).await;
        let _ = stop.send(true);
        let _ = listener.await;
        let _ = reaper.await;
        if let Some(dispatcher) = dispatcher {
            let _ = dispatcher.await;
        }
        replicator.abort();
        self.state.pools.evict_all();
        server_task.await??;
        Ok(())
    }
}

async fn wait_for(mut stopped: tokio::sync::watch::Receiver<bool>) {
    let _ = stopped.wait_for(|s| *s).await;
}

/// Closes idle connections: those idle for `CONNECTION_IDLE` periodically, and the longest-idle
/// ones when a pool finds the worker's connection budget exhausted.
async fn reap_idle(pools: PoolRegistry, limits: Limits, shutdown: impl std::future::Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(CONNECTION_IDLE / 2) => {
                pools.close_idle_connections(CONNECTION_IDLE);
                limits.shrink();
            }
            () = pools.reclaim_requested() => {
                pools.reclaim_idle_connections();
            }
        }
    }
}
