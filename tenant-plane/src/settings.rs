//! Tenant-plane settings, from flags or `TENANTRY_*` environment variables.

use std::{net::SocketAddr, time::Duration};

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "tenant-plane", about = "Tenantry tenant plane: the shared tenant API")]
pub struct Settings {
    /// Address to listen on.
    #[arg(long, env = "TENANTRY_TENANT_PLANE_ADDR", default_value = "127.0.0.1:8081")]
    pub addr: SocketAddr,
    /// HTTP worker threads, each with its own runtime (default: one per available core). Where
    /// Postgres shares the machine's cores, fewer threads can serve more (`reports/scale.md`).
    #[arg(long, env = "TENANTRY_HTTP_WORKERS")]
    pub http_workers: Option<std::num::NonZeroUsize>,
    /// The built portal (`web/dist/portal`); served at `/` of every tenant host when set. Under
    /// `--dev` it defaults to `web/dist/portal` when that exists.
    #[arg(long, env = "TENANTRY_PORTAL_DIR")]
    pub portal_dir: Option<std::path::PathBuf>,
    /// Admin URL of the default database server (only used to derive the catalog URL).
    #[arg(long, env = "TENANTRY_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Catalog database URL (a read-only role is enough).
    #[arg(long, env = "TENANTRY_CATALOG_URL", hide_env_values = true)]
    pub catalog_url: Option<String>,
    #[command(flatten)]
    pub routing: RoutingSettings,
    #[command(flatten)]
    pub limits: crate::limits::RateLimitSettings,
    #[command(flatten)]
    pub webhooks: crate::webhooks::WebhookSettings,
    #[command(flatten)]
    pub connectors: crate::connectors::ConnectorSettings,
    #[command(flatten)]
    pub keys: secrets::KeySettings,
    #[command(flatten)]
    pub secrets: secrets::SecretsSettings,
}

/// How requests are resolved to tenants and how tenant connections are pooled.
#[derive(Debug, Clone, clap::Args)]
pub struct RoutingSettings {
    /// Tenants are served at `<slug>.<base domain>`.
    #[arg(long, env = "TENANTRY_BASE_DOMAIN", default_value = "localhost")]
    pub base_domain: String,
    /// Also serve tenants at `/t/<slug>/…`.
    #[arg(long, env = "TENANTRY_PATH_ROUTING", value_parser = clap::builder::BoolishValueParser::new())]
    pub path_routing: bool,
    /// Slug of the tenant served when nothing else names one.
    #[arg(long, env = "TENANTRY_DEFAULT_TENANT")]
    pub default_tenant: Option<String>,
    /// Cap on server connections across all tenant pools of this worker.
    #[arg(long, env = "TENANTRY_MAX_DB_CONNECTIONS", default_value_t = 80)]
    pub max_db_connections: usize,
    /// Connections per tenant pool.
    #[arg(long, env = "TENANTRY_TENANT_POOL_MAX", default_value_t = 5)]
    pub tenant_pool_max: usize,
    /// A tenant pool unused this long is closed.
    #[arg(long, env = "TENANTRY_POOL_IDLE_SECS", default_value_t = 300)]
    pub pool_idle_secs: u64,
    /// Backstop lifetime of a cached route (changes normally arrive by NOTIFY at once).
    #[arg(long, env = "TENANTRY_ROUTE_TTL_SECS", default_value_t = 60)]
    pub route_ttl_secs: u64,
}

impl RoutingSettings {
    pub fn pool_idle(&self) -> Duration {
        Duration::from_secs(self.pool_idle_secs)
    }
    pub fn route_ttl(&self) -> Duration {
        Duration::from_secs(self.route_ttl_secs)
    }
}

impl Settings {
    pub fn catalog_url(&self) -> Option<String> {
        catalog::catalog_url(self.catalog_url.as_deref(), self.database_url.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::Settings;

    #[test]
    fn http_worker_threads_default_to_one_per_core_and_zero_is_refused() {
        let parse = |args: &[&str]| Settings::try_parse_from([&["tenant-plane"], args].concat());
        assert_eq!(parse(&[]).unwrap().http_workers, None, "unset: actix's default, one per core");
        assert_eq!(parse(&["--http-workers", "1"]).unwrap().http_workers.map(|n| n.get()), Some(1));
        // actix panics on zero worker threads: refused with a clear error instead.
        let err = parse(&["--http-workers", "0"]).unwrap_err();
        assert!(err.to_string().contains("--http-workers"), "{err}");
    }
}
