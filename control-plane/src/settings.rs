//! Control-plane settings, from flags or `TENANTRY_*` environment variables.

use std::{net::SocketAddr, path::PathBuf};

use secrecy::SecretString;

/// Settings of the control plane. Secrets are never echoed in `--help` or logs.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "control-plane", about = "Tenantry control plane: the system owner's API")]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "TENANTRY_CONTROL_PLANE_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Admin URL of the default database server (registered as `default` at start-up).
    #[arg(long, env = "TENANTRY_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Catalog database URL; defaults to the database server's `tenantry_catalog`.
    #[arg(long, env = "TENANTRY_CATALOG_URL", hide_env_values = true)]
    pub catalog_url: Option<String>,
    /// Template database tenant databases are cloned from.
    #[arg(long, env = "TENANTRY_TEMPLATE_DATABASE", default_value = "tenantry_template")]
    pub template_database: String,
    /// Base domain tenants are served under (for the URLs shown to operators).
    #[arg(long, env = "TENANTRY_BASE_DOMAIN", default_value = "localhost")]
    pub base_domain: String,
    /// Public URL scheme and port suffix of the tenant plane, e.g. `http://{slug}.localhost:8081`.
    #[arg(long, env = "TENANTRY_TENANT_URL_TEMPLATE", default_value = "http://{slug}.localhost:8081")]
    pub tenant_url_template: String,
    /// One-time bootstrap token for the first operator; generated when unset.
    #[arg(long, env = "TENANTRY_BOOTSTRAP_TOKEN", hide_env_values = true)]
    pub bootstrap_token: Option<SecretString>,
    /// Where to write a generated bootstrap token (mode 0600) instead of printing it.
    #[arg(long, env = "TENANTRY_BOOTSTRAP_TOKEN_FILE")]
    pub bootstrap_token_file: Option<PathBuf>,
    /// The built console (`web/dist/console`); served at `/` when set. Under `--dev` it
    /// defaults to `web/dist/console` when that exists.
    #[arg(long, env = "TENANTRY_CONSOLE_DIR")]
    pub console_dir: Option<PathBuf>,
    /// Seconds between health probes of tenant-hosted storage backends.
    #[arg(long, env = "TENANTRY_STORAGE_PROBE_SECS", default_value_t = 300)]
    pub storage_probe_secs: u64,
    /// Seconds between health checks of the database servers.
    #[arg(long, env = "TENANTRY_SERVER_PROBE_SECS", default_value_t = 60)]
    pub server_probe_secs: u64,
    /// Days after which the platform rotates a platform database server's admin password
    /// itself (checked with each server probe; tenant-hosted servers and the `default` one
    /// are left alone). 0 turns it off.
    #[arg(long, env = "TENANTRY_SERVER_PASSWORD_MAX_AGE_DAYS", default_value_t = 0)]
    pub server_password_max_age_days: u32,
    /// Seconds between sweeps for expired CI sandboxes.
    #[arg(long, env = "TENANTRY_SANDBOX_REAP_SECS", default_value_t = 30)]
    pub sandbox_reap_secs: u64,
    /// Spare databases kept ready on every shared database server: provisioning renames one
    /// instead of cloning the template. 0 turns the pool off.
    #[arg(long, env = "TENANTRY_SPARE_DATABASES", default_value_t = 2)]
    pub spare_databases: usize,
    /// Seconds between checks of the spare pool (it is also refilled after each provisioning).
    #[arg(long, env = "TENANTRY_SPARE_FILL_SECS", default_value_t = 10)]
    pub spare_fill_secs: u64,
    #[command(flatten)]
    pub keys: secrets::KeySettings,
    #[command(flatten)]
    pub secrets: secrets::SecretsSettings,
}

impl Settings {
    pub fn catalog_url(&self) -> Option<String> {
        catalog::catalog_url(self.catalog_url.as_deref(), self.database_url.as_deref())
    }
}
