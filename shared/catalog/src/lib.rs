//! The catalog: platform metadata in one Postgres database.
//!
//! ## What do we store?
//! Tenants (with tombstones), their custom domains, the database servers tenant databases are
//! placed on, each tenant's database placement and sealed role password, provisioning jobs
//! with per-step state and leases, operators and their session tokens (hashed), the one-time
//! bootstrap token (hashed) and the control-plane audit log. **Never tenant data**: that lives
//! only in each tenant's own database.
//!
//! Every change to `tenants`, `domains` or `tenant_databases` fires `NOTIFY tenantry_tenant_changed` (a trigger
//! installed by the catalog migrations), which the tenant plane listens to.

mod api_tokens;
mod audit;
pub mod entity;
mod fleet;
mod jobs;
mod moves;
mod operators;
mod routes;
mod sandboxes;
mod secrets;
mod servers;
mod spares;
mod storage;
mod tenants;

use std::time::Duration;

use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr, SqlErr};

pub use api_tokens::{ApiToken, NewApiToken};
pub use audit::NewAuditEvent;
pub use fleet::{FleetLock, FleetTenant, MigrationRun};
pub use jobs::{JobProgress, JobState};
pub use routes::RouteRecord;
pub use secrets::KekUsage;
pub use servers::{
    NewServer, PlacementMode, ServerAccessUpdate, ServerHealth, ServerKind, ServerSummary, ServerUpdate,
};
pub use spares::SpareDatabase;
pub use storage::StorageRecord;
pub use tenants::{NewTenant, TenantPage};

/// The channel the catalog's triggers notify on; the payload is the tenant id.
pub const TENANT_CHANGED_CHANNEL: &str = "tenantry_tenant_changed";

/// Catalog connections per process. The catalog sees light, short queries; a small pool
/// keeps the catalog server's connection count predictable across many workers.
pub const CATALOG_POOL_MAX: u32 = 10;
/// How long a caller waits for a catalog connection before the request fails.
pub const CATALOG_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("{what} is {actual}, expected one of {expected}")]
    InvalidState { what: &'static str, actual: String, expected: String },
    #[error("catalog query failed")]
    Db(#[source] DbErr),
}

impl From<DbErr> for CatalogError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => Self::Conflict(msg),
            _ => Self::Db(err),
        }
    }
}

impl CatalogError {
    /// Whether retrying the same call may succeed (connection trouble, not a logic error).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Db(DbErr::Conn(_) | DbErr::ConnectionAcquire(_)))
    }
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

/// Handle to the catalog database. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Catalog {
    db: DatabaseConnection,
}

impl Catalog {
    /// Connects to the catalog at `url`.
    pub async fn connect(url: &str) -> Result<Self> {
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.max_connections(CATALOG_POOL_MAX)
            .min_connections(1)
            .acquire_timeout(CATALOG_ACQUIRE_TIMEOUT)
            .connect_timeout(Duration::from_secs(5))
            .sqlx_logging(false);
        Ok(Self { db: Database::connect(opts).await? })
    }

    pub fn from_connection(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The underlying connection, for migrations.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    /// `SELECT 1`, for readiness probes.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }
}

/// Default name of the catalog database on the default server.
pub const DEFAULT_CATALOG_DATABASE: &str = "tenantry_catalog";

/// The catalog URL: `explicit` if given, else `database_url` with its database replaced by
/// [`DEFAULT_CATALOG_DATABASE`].
pub fn catalog_url(explicit: Option<&str>, database_url: Option<&str>) -> Option<String> {
    if let Some(url) = explicit {
        return Some(url.to_owned());
    }
    let base = database_url?;
    let (head, tail) = match base.find("://").map(|i| i + 3) {
        Some(start) => base.split_at(start),
        None => return None,
    };
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    let authority = tail.split(['/', '?']).next().unwrap_or(tail);
    Some(format!("{head}{authority}/{DEFAULT_CATALOG_DATABASE}{query}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn catalog_url_replaces_the_database() {
        assert_eq!(
            super::catalog_url(None, Some("postgres://u:p@h:5/postgres?sslmode=disable")).as_deref(),
            Some("postgres://u:p@h:5/tenantry_catalog?sslmode=disable")
        );
        assert_eq!(super::catalog_url(None, Some("postgres://h")).as_deref(), Some("postgres://h/tenantry_catalog"));
        assert_eq!(super::catalog_url(Some("x"), Some("postgres://h/db")).as_deref(), Some("x"));
    }
}
