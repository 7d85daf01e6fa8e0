//! Building the control plane: state, HTTP app, server and worker.

use std::{
    net::{SocketAddr, TcpListener},
    time::Duration,
};

use actix_web::{App, HttpServer, dev::ServerHandle, middleware::from_fn, web};
use anyhow::Context;
use catalog::Catalog;
use provisioner::{DEFAULT_SERVER_NAME, Provisioner, ProvisionerConfig, register_server_from_url};
use secrets::Keyring;

use crate::{Settings, bootstrap, routes};

/// Everything a handler needs, built once.
#[derive(Clone)]
pub struct AppState {
    provisioner: Provisioner,
    tenant_url_template: String,
    console: Option<http_api::WebApp>,
    storage_probe_every: std::time::Duration,
    server_probe_every: std::time::Duration,
    /// Admin passwords of platform servers older than this are rotated (default: never).
    server_password_max_age: Option<chrono::TimeDelta>,
    sandbox_reap_every: std::time::Duration,
    /// Spare databases kept ready per shared server, and how often the pool is checked.
    spares: (usize, std::time::Duration),
}

impl AppState {
    pub fn new(provisioner: Provisioner, tenant_url_template: String) -> Self {
        Self {
            provisioner,
            tenant_url_template,
            console: None,
            storage_probe_every: Duration::from_secs(300),
            server_probe_every: Duration::from_secs(60),
            server_password_max_age: None,
            sandbox_reap_every: Duration::from_secs(30),
            spares: (0, Duration::from_secs(10)),
        }
    }

    /// Keeps `target` spare databases ready on every shared server, checked every `every` and
    /// after each provisioning (default: none).
    pub fn with_spares(mut self, target: usize, every: Duration) -> Self {
        self.spares = (target, every);
        self
    }

    /// How often expired sandboxes are looked for (default 30 seconds).
    pub fn with_sandbox_reap_every(mut self, every: Duration) -> Self {
        self.sandbox_reap_every = every;
        self
    }

    /// How often every database server is checked (default 1 minute).
    pub fn with_server_probe_every(mut self, every: Duration) -> Self {
        self.server_probe_every = every;
        self
    }

    /// Rotates a platform server's admin password once it is `max_age` old (checked with each
    /// server probe; default: never).
    pub fn with_server_password_max_age(mut self, max_age: Option<chrono::TimeDelta>) -> Self {
        self.server_password_max_age = max_age;
        self
    }

    /// How often tenant-hosted storage is probed (default 5 minutes).
    pub fn with_storage_probe_every(mut self, every: Duration) -> Self {
        self.storage_probe_every = every;
        self
    }

    /// Serves the built console from `dir` at `/` (the wizard learns the tenant URL template).
    pub fn with_console(mut self, dir: &std::path::Path) -> anyhow::Result<Self> {
        let app = http_api::WebApp::open(dir, http_api::CONSOLE_CSP)
            .with_context(|| format!("console at {}", dir.display()))?
            .with_meta("tenantry-tenant-url-template", &self.tenant_url_template);
        self.console = Some(app);
        Ok(self)
    }

    pub fn catalog(&self) -> &Catalog {
        self.provisioner.catalog()
    }

    pub fn provisioner(&self) -> &Provisioner {
        &self.provisioner
    }

    /// The URL a tenant is served at.
    pub fn tenant_url(&self, slug: &str) -> String {
        self.tenant_url_template.replace("{slug}", slug)
    }
}

/// Connects to the catalog, migrates it, registers the default database server, prepares
/// templates and issues the bootstrap token if no operator exists yet.
pub async fn build_state(settings: &Settings) -> anyhow::Result<AppState> {
    settings.secrets.validate(settings.keys.dev)?;
    let source = settings.keys.source()?;
    let keyring = Keyring::load(&source)?;
    let url = settings.catalog_url().context("set TENANTRY_DATABASE_URL or TENANTRY_CATALOG_URL")?;
    let catalog = Catalog::connect(&url).await.context("connect to catalog")?;
    migrator::migrate_catalog(&catalog).await.context("migrate catalog")?;
    refuse_missing_master_keys(&catalog, &keyring).await?;
    let store = settings.secrets.open(&catalog, &keyring).await?;
    let platform_storage = storage::Platform::from_env().map_err(anyhow::Error::msg)?;
    let config = ProvisionerConfig { secrets: Some(store), storage: platform_storage, ..ProvisionerConfig::default() };
    let provisioner = Provisioner::new(catalog.clone(), keyring.clone(), config);
    let credentials = provisioner.server_credentials();
    // Servers registered before admin passwords went to the secret store.
    credentials.move_sealed_into_store(&catalog).await.context("move server credentials to the secret store")?;
    if let Some(database_url) = &settings.database_url {
        register_server_from_url(&catalog, credentials, DEFAULT_SERVER_NAME, database_url, &settings.template_database)
            .await
            .context("register default database server")?;
    }
    for server in catalog.servers().await? {
        let prepared = async {
            let access = credentials.access(&server).await?;
            migrator::ensure_template(&access, provisioner.schema()).await
        };
        if let Err(err) = prepared.await {
            tracing::warn!(server = %server.name, error = %format!("{err:#}"), "could not prepare template database");
        }
    }
    bootstrap::issue_if_needed(&catalog, settings.bootstrap_token.clone(), settings.bootstrap_token_file.as_deref())
        .await?;
    let state = AppState::new(provisioner, settings.tenant_url_template.clone())
        .with_storage_probe_every(Duration::from_secs(settings.storage_probe_secs.max(1)))
        .with_server_probe_every(Duration::from_secs(settings.server_probe_secs.max(1)))
        .with_server_password_max_age(
            (settings.server_password_max_age_days > 0)
                .then(|| chrono::TimeDelta::days(i64::from(settings.server_password_max_age_days))),
        )
        .with_sandbox_reap_every(Duration::from_secs(settings.sandbox_reap_secs.max(1)))
        .with_spares(settings.spare_databases, Duration::from_secs(settings.spare_fill_secs.max(1)));
    let dev_default = std::path::Path::new("web/dist/console");
    match &settings.console_dir {
        Some(dir) => state.with_console(dir),
        None if settings.keys.dev && dev_default.join("index.html").is_file() => state.with_console(dev_default),
        None => Ok(state),
    }
}

/// A master key may be retired only when nothing references it: refuse to start when a data
/// key or a server credential is sealed by a key this process was not given (`tenantry keys
/// status` shows what each key still wraps; `tenantry keys rewrap` moves everything to the
/// active key).
pub async fn refuse_missing_master_keys(catalog: &Catalog, keyring: &Keyring) -> anyhow::Result<()> {
    let loaded = keyring.key_ids();
    let mut missing: Vec<String> = catalog
        .kek_usage()
        .await?
        .into_iter()
        .filter(|u| u.data_keys > 0 && !loaded.contains(&u.kek_id.as_str()))
        .map(|u| u.kek_id)
        .collect();
    for server in catalog.servers().await? {
        if let Some(id) = server.admin_password_sealed.as_deref().and_then(|s| secrets::sealed_key_id(s).ok())
            && !loaded.contains(&id)
            && !missing.iter().any(|m| m == id)
        {
            missing.push(id.to_owned());
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    anyhow::bail!(
        "master key(s) {} still seal data keys or server credentials but are not configured; add them back \
         (after the active key) and run `tenantry keys rewrap` before retiring them",
        missing.join(", ")
    )
}

/// A bound, not yet running control plane.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub fn bind(settings: &Settings, state: AppState) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.addr).with_context(|| format!("bind {}", settings.addr))?;
        Ok(Self { listener, state })
    }

    /// For tests: listen on an already bound socket (port 0).
    pub fn from_listener(listener: TcpListener, state: AppState) -> Self {
        Self { listener, state }
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves HTTP and runs the provisioning worker until `shutdown` resolves.
    pub async fn run_until(self, shutdown: impl std::future::Future<Output = ()>) -> anyhow::Result<()> {
        let state = self.state.clone();
        let server = HttpServer::new(move || {
            let console = state.console.clone();
            App::new()
                .app_data(web::Data::new(state.clone()))
                .configure(|cfg| {
                    if let Some(console) = console {
                        cfg.app_data(web::Data::new(console));
                    }
                })
                .configure(http_api::configure_extractors)
                .configure(routes::config)
                .default_service(web::to(http_api::serve_or_not_found))
                .wrap(from_fn(http_api::request_id_middleware))
        })
        .listen(self.listener)?
        .shutdown_timeout(10)
        .run();
        let handle: ServerHandle = server.handle();
        let (stop_worker, worker_stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(provisioner::run_worker(self.state.provisioner.clone(), async {
            let _ = worker_stopped.await;
        }));
        let (stop_prober, prober_stopped) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|stop| *stop).await;
        };
        let storage_prober = tokio::spawn(provisioner::run_storage_prober(
            self.state.provisioner.clone(),
            self.state.storage_probe_every,
            stopped(prober_stopped.clone()),
        ));
        let server_prober = tokio::spawn(provisioner::run_server_prober(
            self.state.provisioner.clone(),
            self.state.server_probe_every,
            self.state.server_password_max_age,
            stopped(prober_stopped.clone()),
        ));
        let reaper = tokio::spawn(provisioner::run_sandbox_reaper(
            self.state.provisioner.clone(),
            self.state.sandbox_reap_every,
            stopped(prober_stopped.clone()),
        ));
        let (spares, fill_every) = self.state.spares;
        let filler = tokio::spawn(provisioner::run_spare_filler(
            self.state.provisioner.clone(),
            spares,
            fill_every,
            stopped(prober_stopped),
        ));
        let server_task = tokio::spawn(server);
        shutdown.await;
        tracing::info!("control plane shutting down");
        handle.stop(true).await;
        let _ = stop_worker.send(());
        let _ = stop_prober.send(true);
        let _ = worker.await;
        let _ = storage_prober.await;
        let _ = server_prober.await;
        let _ = reaper.await;
        let _ = filler.await;
        server_task.await??;
        Ok(())
    }
}
