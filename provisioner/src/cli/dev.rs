//! `tenantry dev`: the whole platform on one machine. Starts a private, durable Postgres
//! cluster from the machine's binaries (unless `TENANTRY_DATABASE_URL` names a server),
//! creates the catalog database, starts the control-plane and tenant-plane processes, prints
//! their URLs and the first-run bootstrap token, and stops everything on Ctrl-C, SIGTERM or SIGHUP.

use std::{
    path::{Path, PathBuf},
    process::{Child, ExitCode},
    time::Duration,
};

use anyhow::{Context, bail};
use clap::Args;
use pgcluster::{ClusterConfig, PgCluster};

use super::GlobalArgs;

#[derive(Debug, Clone, Args)]
pub struct DevArgs {
    /// Port of the embedded Postgres cluster.
    #[arg(long, env = "TENANTRY_PG_PORT", default_value_t = 54329)]
    pub pg_port: u16,
    /// Control-plane address.
    #[arg(long, env = "TENANTRY_CONTROL_PLANE_ADDR", default_value = "127.0.0.1:8080")]
    pub control_plane_addr: String,
    /// Tenant-plane address.
    #[arg(long, env = "TENANTRY_TENANT_PLANE_ADDR", default_value = "127.0.0.1:8081")]
    pub tenant_plane_addr: String,
    /// Base domain of tenant hosts (`*.localhost` resolves to loopback in browsers and curl).
    #[arg(long, env = "TENANTRY_BASE_DOMAIN", default_value = "localhost")]
    pub base_domain: String,
}

/// Children are stopped (SIGTERM, then SIGKILL) when this is dropped.
struct Children(Vec<(&'static str, Child)>);

impl Drop for Children {
    fn drop(&mut self) {
        for (name, child) in &mut self.0 {
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            for _ in 0..100 {
                if matches!(child.try_wait(), Ok(Some(_))) {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
                let _ = child.wait();
            }
            tracing::info!(process = *name, "stopped");
        }
    }
}

pub async fn run(global: &GlobalArgs, args: DevArgs) -> anyhow::Result<ExitCode> {
    for addr in [&args.control_plane_addr, &args.tenant_plane_addr] {
        ensure_free(addr)?;
    }
    std::fs::create_dir_all(&global.keys.data_dir)?;
    let data_dir = std::fs::canonicalize(&global.keys.data_dir)?;
    let (database_url, cluster) = match &global.database_url {
        Some(url) => (url.clone(), None),
        None => {
            let config = ClusterConfig {
                root: data_dir.join("postgres"),
                port: args.pg_port,
                durable: true,
                max_connections: 200,
                tls: None,
            };
            let cluster = tokio::task::spawn_blocking(move || PgCluster::start(&config)).await??;
            (cluster.url("postgres"), Some(cluster))
        }
    };
    ensure_catalog_database(&database_url).await?;
    let reader_url = prepare_catalog(&database_url).await?;
    let key_file = match (&global.keys.master_key, &global.keys.master_key_file) {
        (None, None) => {
            let path = data_dir.join("master.key");
            secrets::Keyring::load(&secrets::KeySource::DevFile(path.clone()))?;
            Some(path)
        }
        (_, file) => file.clone(),
    };
    let token_file = data_dir.join("bootstrap.token");
    let _ = std::fs::remove_file(&token_file);
    let env: Vec<(&'static str, String)> = [
        ("TENANTRY_DEV", "true".to_owned()),
        ("TENANTRY_DATABASE_URL", database_url.clone()),
        ("TENANTRY_DATA_DIR", data_dir.display().to_string()),
        ("TENANTRY_BOOTSTRAP_TOKEN_FILE", token_file.display().to_string()),
        ("TENANTRY_CONTROL_PLANE_ADDR", args.control_plane_addr.clone()),
        ("TENANTRY_TENANT_PLANE_ADDR", args.tenant_plane_addr.clone()),
        ("TENANTRY_BASE_DOMAIN", args.base_domain.clone()),
        ("TENANTRY_PATH_ROUTING", "true".to_owned()),
        (
            "TENANTRY_TENANT_URL_TEMPLATE",
            format!("http://{{slug}}.{}:{}", args.base_domain, port_of(&args.tenant_plane_addr)),
        ),
    ]
    .into_iter()
    .chain(key_file.map(|f| ("TENANTRY_MASTER_KEY_FILE", f.display().to_string())))
    // The console and the portal, when built (`scripts/dev.sh` builds them).
    .chain(
        std::path::Path::new("web/dist/console/index.html")
            .is_file()
            .then(|| ("TENANTRY_CONSOLE_DIR", "web/dist/console".to_owned())),
    )
    .chain(
        std::path::Path::new("web/dist/portal/index.html")
            .is_file()
            .then(|| ("TENANTRY_PORTAL_DIR", "web/dist/portal".to_owned())),
    )
    // Tenant files on the local disk (sealed with each tenant's key) unless storage is configured.
    .chain(std::env::var_os("TENANTRY_STORAGE").is_none().then(|| ("TENANTRY_STORAGE", "local".to_owned())))
    .chain(
        std::env::var_os("TENANTRY_STORAGE")
            .is_none()
            .then(|| ("TENANTRY_STORAGE_DIR", data_dir.join("storage").display().to_string())),
    )
    .collect();
    let mut children = Children(Vec::new());
    let control_plane = spawn("control-plane", &env)?;
    children.0.push(("control-plane", control_plane));
    wait_healthy(&format!("http://{}/health", args.control_plane_addr), &mut children).await?;
    // The tenant plane gets the least-privilege catalog login, never the superuser URL.
    let mut tenant_plane_env: Vec<_> = env.iter().filter(|(k, _)| *k != "TENANTRY_DATABASE_URL").cloned().collect();
    tenant_plane_env.push(("TENANTRY_CATALOG_URL", reader_url));
    let tenant_plane = spawn("tenant-plane", &tenant_plane_env)?;
    children.0.push(("tenant-plane", tenant_plane));
    wait_healthy(&format!("http://{}/health", args.tenant_plane_addr), &mut children).await?;

    println!("\nTenantry is running (Ctrl-C stops it):");
    println!("  control plane  http://{}", args.control_plane_addr);
    println!(
        "  tenant plane   http://{}  (tenants at http://<slug>.{}:{}, or /t/<slug>/)",
        args.tenant_plane_addr,
        args.base_domain,
        port_of(&args.tenant_plane_addr)
    );
    if cluster.is_some() {
        println!("  postgres       127.0.0.1:{} (data in {})", args.pg_port, data_dir.join("postgres").display());
    }
    match std::fs::read_to_string(&token_file) {
        Ok(token) => println!("  bootstrap token (first operator, one use): {}", token.trim()),
        Err(_) => println!("  an operator exists already: log in with POST /v1/auth/login"),
    }
    println!();

    let outcome = tokio::select! {
        () = http_api::shutdown_signal() => Ok(ExitCode::SUCCESS),
        exited = watch_children(&mut children) => exited,
    };
    drop(children);
    if let Some(cluster) = cluster {
        tokio::task::spawn_blocking(move || cluster.stop()).await??;
    }
    outcome
}

/// Fails early, and clearly, when something already listens on `addr`.
fn ensure_free(addr: &str) -> anyhow::Result<()> {
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Ok(()),
        Err(err) => bail!("cannot listen on {addr} ({err}); is another `tenantry dev` running?"),
    }
}

fn port_of(addr: &str) -> &str {
    addr.rsplit_once(':').map_or("80", |(_, p)| p)
}

async fn ensure_catalog_database(database_url: &str) -> anyhow::Result<()> {
    let (client, conn) =
        tokio_postgres::connect(database_url, tokio_postgres::NoTls).await.context("connect to database server")?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let exists = client
        .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&catalog::DEFAULT_CATALOG_DATABASE])
        .await?
        .is_some();
    if !exists {
        client
            .batch_execute(&format!("CREATE DATABASE {}", domain::quote_ident(catalog::DEFAULT_CATALOG_DATABASE)))
            .await
            .context("create catalog database")?;
    }
    Ok(())
}

/// Migrates the catalog and (re)creates the tenant plane's least-privilege catalog login with a
/// fresh password; returns the tenant plane's catalog URL.
async fn prepare_catalog(database_url: &str) -> anyhow::Result<String> {
    let catalog_url = catalog::catalog_url(None, Some(database_url)).context("derive catalog URL")?;
    let catalog = catalog::Catalog::connect(&catalog_url).await.context("connect to catalog")?;
    migrator::migrate_catalog(&catalog).await.context("migrate catalog")?;
    let (admin, conn) = tokio_postgres::connect(&catalog_url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    let password = secrets::random_password();
    migrator::ensure_catalog_reader(&admin, catalog::DEFAULT_CATALOG_DATABASE, TENANT_PLANE_LOGIN, &password).await?;
    let mut url = url::Url::parse(&catalog_url)?;
    url.set_username(TENANT_PLANE_LOGIN).map_err(|()| anyhow::anyhow!("set catalog user"))?;
    url.set_password(Some(&password)).map_err(|()| anyhow::anyhow!("set catalog password"))?;
    Ok(url.to_string())
}

/// The tenant plane's catalog login under `tenantry dev`.
const TENANT_PLANE_LOGIN: &str = "tenantry_tenant_plane";

fn binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name(name);
    if !Path::new(&path).exists() {
        bail!("{} not found next to tenantry; build the workspace binaries (cargo build)", path.display());
    }
    Ok(path)
}

fn spawn(name: &str, env: &[(&'static str, String)]) -> anyhow::Result<Child> {
    let mut cmd = std::process::Command::new(binary(name)?);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.spawn().with_context(|| format!("start {name}"))
}

async fn wait_healthy(url: &str, children: &mut Children) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    for _ in 0..300 {
        if http.get(url).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        for (name, child) in &mut children.0 {
            if let Ok(Some(status)) = child.try_wait() {
                bail!("{name} exited during start-up ({status})");
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("{url} did not become healthy in 30 s")
}

async fn watch_children(children: &mut Children) -> anyhow::Result<ExitCode> {
    loop {
        for (name, child) in &mut children.0 {
            if let Ok(Some(status)) = child.try_wait() {
                bail!("{name} exited ({status})");
            }
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
