//! Test support: a real Postgres cluster for tests, shared by every test process of a run.
//!
//! The cluster is started from the machine's Postgres binaries on first use (guarded by a
//! file lock, so parallel test processes share one), non-durable for speed, and left
//! running for the next test; `TENANTRY_TEST_DATABASE_URL` points tests at an existing
//! server instead. Each test creates its own databases with unique names and drops them.

mod chaos;
mod servers;
mod tls;
mod vault;

use std::{fs, path::PathBuf, sync::OnceLock};

use anyhow::Context;
use nix::fcntl::{Flock, FlockArg};
use pgcluster::{ClusterConfig, PgCluster};

pub use chaos::ChaosProxy;
pub use servers::{AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer, S3Server, SmtpServer};
pub use tls::{ClientCert, another_ca_pem, foreign_client_cert};
pub use vault::vault;

/// The superuser URL of the test server, for `database`.
pub fn admin_url(database: &str) -> String {
    static BASE: OnceLock<String> = OnceLock::new();
    let base = BASE.get_or_init(|| match std::env::var("TENANTRY_TEST_DATABASE_URL") {
        Ok(url) => url.rsplit_once('/').map_or(url.clone(), |(base, _)| base.to_owned()),
        Err(_) => match start_shared_cluster() {
            Ok(cluster) => cluster.url("").trim_end_matches('/').to_owned(),
            Err(err) => panic!("could not start the test Postgres cluster: {err:#}"),
        },
    });
    format!("{base}/{database}")
}

/// A name no other test uses: `<prefix>_<uuid>`.
pub fn unique_name(prefix: &str) -> String {
    format!("{prefix}_{}", uuid::Uuid::now_v7().simple())
}

/// Test logs: to the terminal with `TEST_LOG=1`; as JSON lines at debug level into
/// `$TENANTRY_TEST_LOG_DIR/<pid>.log` when that is set (`scripts/test.sh` sets it and scans
/// every line for the secrets the tests recorded with [`record_secret`]); quiet otherwise.
pub fn init_test_logging() {
    if let Some(dir) = std::env::var_os("TENANTRY_TEST_LOG_DIR") {
        let path = PathBuf::from(dir).join(format!("{}.log", std::process::id()));
        if let Ok(file) = fs::OpenOptions::new().create(true).append(true).open(path) {
            let _ = tracing_subscriber::fmt()
                .json()
                .with_current_span(true)
                .with_env_filter("debug,sqlx=warn,hyper=info,h2=info,reqwest=info,rustls=info")
                .with_writer(std::sync::Mutex::new(file))
                .try_init();
        }
    } else if std::env::var("TEST_LOG").is_ok() {
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("info").try_init();
    }
}

/// Records a secret value a test created or handled, for the suite-wide log scan
/// (`$TENANTRY_TEST_LOG_DIR/<pid>.secrets`, one per line). No-op when the scan is off. Of a
/// PEM text (a client certificate's bundle) the lines of its private key are recorded.
pub fn record_secret(value: &str) {
    use std::io::Write;
    let Some(dir) = std::env::var_os("TENANTRY_TEST_LOG_DIR") else { return };
    let lines: Vec<&str> = if value.contains('\n') { private_key_lines(value) } else { vec![value] };
    let lines: Vec<&str> = lines.into_iter().filter(|line| line.len() >= 8).collect();
    if lines.is_empty() {
        return;
    }
    let path = PathBuf::from(dir).join(format!("{}.secrets", std::process::id()));
    if let Ok(mut file) = fs::OpenOptions::new().create(true).append(true).open(path) {
        for line in lines {
            let _ = writeln!(file, "{line}");
        }
    }
}

/// The base64 lines inside the `PRIVATE KEY` blocks of a PEM text.
fn private_key_lines(pem: &str) -> Vec<&str> {
    let mut inside = false;
    let mut lines = Vec::new();
    for line in pem.lines().map(str::trim) {
        if line.starts_with("-----BEGIN") {
            inside = line.contains("PRIVATE KEY");
        } else if line.starts_with("-----END") {
            inside = false;
        } else if inside {
            lines.push(line);
        }
    }
    lines
}

/// Connects as superuser to `database` (default `postgres`).
pub async fn admin_client(database: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(&admin_url(database), tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Connects with a full URL (another cluster's, from [`extra_cluster_url`]).
pub async fn admin_client_at(url: &str) -> anyhow::Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// Creates an empty database and returns its name.
pub async fn create_database(prefix: &str) -> anyhow::Result<String> {
    let name = unique_name(prefix);
    admin_client("postgres").await?.batch_execute(&format!("CREATE DATABASE \"{name}\"")).await?;
    Ok(name)
}

/// Drops a database, disconnecting its sessions.
pub async fn drop_database(name: &str) -> anyhow::Result<()> {
    admin_client("postgres").await?.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await?;
    Ok(())
}

fn cluster_dir() -> PathBuf {
    std::env::var_os("TENANTRY_TEST_PG_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("tenantry-test-pg-{}", nix::unistd::geteuid())))
}

/// The superuser URL (for `database`) of another shared test cluster named `name`, started on
/// first use like the main one: for tests that need several database servers. Its folder sits
/// next to the main cluster's, so `scripts/test.sh` stops it too.
pub fn extra_cluster_url(name: &str, database: &str) -> String {
    static BASES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let mut bases = BASES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, base)) = bases.iter().find(|(n, _)| n == name) {
        return format!("{base}/{database}");
    }
    let cluster = match start_cluster(&cluster_dir().join(format!("extra-{name}"))) {
        Ok(cluster) => cluster,
        Err(err) => panic!("could not start the extra test cluster {name}: {err:#}"),
    };
    let base = cluster.url("").trim_end_matches('/').to_owned();
    bases.push((name.to_owned(), base.clone()));
    format!("{base}/{database}")
}

fn start_shared_cluster() -> anyhow::Result<PgCluster> {
    start_cluster(&cluster_dir())
}

/// Starts (or reuses) the cluster kept in `dir` under a file lock shared by test processes.
fn start_cluster(dir: &std::path::Path) -> anyhow::Result<PgCluster> {
    start_cluster_with(dir, None)
}

fn start_cluster_with(dir: &std::path::Path, tls: Option<pgcluster::ServerTls>) -> anyhow::Result<PgCluster> {
    fs::create_dir_all(dir)?;
    let lock_path = dir.with_extension("lock");
    let lock_file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(&lock_path)?;
    let _lock = Flock::lock(lock_file, FlockArg::LockExclusive).map_err(|(_, e)| e).context("lock test cluster")?;
    let port_file = dir.join("port");
    let port = match fs::read_to_string(&port_file).ok().and_then(|p| p.trim().parse().ok()) {
        Some(port) => port,
        None => {
            let port = pgcluster::free_port()?;
            fs::write(&port_file, port.to_string())?;
            port
        }
    };
    let config = ClusterConfig { root: dir.join("cluster"), port, durable: false, max_connections: 500, tls };
    PgCluster::start(&config)
}

/// A test cluster that accepts connections only over TLS, with a certificate for `127.0.0.1`
/// and `localhost` issued by a test CA. Started on first use like [`extra_cluster_url`].
pub struct TlsCluster {
    base: String,
    /// The CA that issued the server's certificate, PEM.
    pub ca_pem: String,
    /// The certificate the server presents, PEM.
    pub server_cert_pem: String,
}

impl TlsCluster {
    /// The superuser URL for `database` (its password: never log it).
    pub fn url(&self, database: &str) -> String {
        format!("{}/{database}", self.base)
    }
}

/// A test cluster that, like [`TlsCluster`], accepts only TLS, and then only connections that
/// present a client certificate issued by its client CA (`clientcert=verify-ca`), as an
/// agency's server that admits only certificates of its own PKI. Started on first use.
pub struct MtlsCluster {
    base: String,
    /// The CA that issued the server's certificate, PEM.
    pub ca_pem: String,
    /// A client certificate the cluster accepts.
    pub client: tls::ClientCert,
    /// Another one from the same CA (a renewed certificate).
    pub renewed_client: tls::ClientCert,
}

impl MtlsCluster {
    /// The superuser URL for `database` (its password: never log it). Connecting needs
    /// [`MtlsCluster::client`] too.
    pub fn url(&self, database: &str) -> String {
        format!("{}/{database}", self.base)
    }
}

/// The client-certificate test cluster (see [`MtlsCluster`]).
pub fn mtls_cluster() -> &'static MtlsCluster {
    static CLUSTER: OnceLock<MtlsCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let started = start_tls_cluster("extra-mtls", true).and_then(|started| {
            let [client, renewed_client] = started.clients.context("the cluster's client certificates")?;
            Ok(MtlsCluster { base: started.base, ca_pem: started.ca_pem, client, renewed_client })
        });
        started.unwrap_or_else(|err| panic!("could not start the client-certificate test cluster: {err:#}"))
    })
}

/// The TLS-only test cluster (see [`TlsCluster`]).
pub fn tls_cluster() -> &'static TlsCluster {
    static CLUSTER: OnceLock<TlsCluster> = OnceLock::new();
    CLUSTER.get_or_init(|| {
        let started = start_tls_cluster("extra-tls", false).map(|started| TlsCluster {
            base: started.base,
            ca_pem: started.ca_pem,
            server_cert_pem: started.server_cert_pem,
        });
        started.unwrap_or_else(|err| panic!("could not start the TLS test cluster: {err:#}"))
    })
}

/// A TLS-only cluster as [`start_tls_cluster`] started it.
struct StartedTls {
    base: String,
    ca_pem: String,
    server_cert_pem: String,
    /// With a client CA: two client certificates it issued.
    clients: Option<[tls::ClientCert; 2]>,
}

/// Starts (or finds running) the TLS-only cluster in `name`, also requiring a client
/// certificate from a client CA of its own when `clients`.
fn start_tls_cluster(name: &str, clients: bool) -> anyhow::Result<StartedTls> {
    let dir = cluster_dir().join(name);
    fs::create_dir_all(&dir)?;
    // One set of certificates for every test process of the run.
    let lock_file = fs::OpenOptions::new().create(true).truncate(false).write(true).open(dir.join("certs.lock"))?;
    let lock = Flock::lock(lock_file, FlockArg::LockExclusive).map_err(|(_, e)| e).context("lock certificates")?;
    let (ca_pem, mut server) = tls::test_certificates(&dir)?;
    let clients = if clients {
        let (client_ca_pem, issued) = tls::client_certificates(&dir)?;
        server.client_ca_pem = Some(client_ca_pem);
        Some(issued)
    } else {
        None
    };
    drop(lock);
    let server_cert_pem = server.cert_pem.clone();
    let cluster = start_cluster_with(&dir, Some(server))?;
    Ok(StartedTls { base: cluster.url("").trim_end_matches('/').to_owned(), ca_pem, server_cert_pem, clients })
}
