//! The tenant plane's one catalog read: everything needed to serve a tenant.

use sea_orm::{DbBackend, FromQueryResult, Statement};
use uuid::Uuid;

use crate::{Catalog, Result};

/// A tenant joined with its placement and server. `placement` fields are `None` while the
/// tenant is still being placed.
#[derive(Debug, Clone, FromQueryResult)]
pub struct RouteRecord {
    pub tenant_id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub status: String,
    pub plan: String,
    pub server_id: Option<Uuid>,
    pub database_name: Option<String>,
    pub role_name: Option<String>,
    pub host: Option<String>,
    pub port: Option<i32>,
    pub tls_mode: Option<String>,
    pub tls_ca_pem: Option<String>,
    /// The server asks for a client certificate: the tenant's copy of it is in its scope.
    pub tls_client_cert: Option<bool>,
}

const ROUTE_SELECT: &str = "SELECT t.id AS tenant_id, t.slug, t.display_name, t.status, t.plan, \
       d.server_id, d.database_name, d.role_name, s.host, s.port, s.tls_mode, s.tls_ca_pem, \
       s.tls_client_cert_pem IS NOT NULL AS tls_client_cert \
     FROM tenants t \
     LEFT JOIN tenant_databases d ON d.tenant_id = t.id \
     LEFT JOIN database_servers s ON s.id = d.server_id";

impl Catalog {
    /// The live tenant with this slug.
    pub async fn route_by_slug(&self, slug: &str) -> Result<Option<RouteRecord>> {
        let sql = format!("{ROUTE_SELECT} WHERE t.slug = $1 AND t.status <> 'deleted'");
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [slug.into()]);
        Ok(RouteRecord::find_by_statement(stmt).one(&self.db).await?)
    }

    /// The tenant with this id (tombstones included, so a deleted tenant is `410`-able).
    pub async fn route_by_id(&self, id: Uuid) -> Result<Option<RouteRecord>> {
        let sql = format!("{ROUTE_SELECT} WHERE t.id = $1");
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [id.into()]);
        Ok(RouteRecord::find_by_statement(stmt).one(&self.db).await?)
    }

    /// The tenant served at a verified custom domain.
    pub async fn route_by_domain(&self, hostname: &str) -> Result<Option<RouteRecord>> {
        let sql = format!(
            "{ROUTE_SELECT} JOIN domains dm ON dm.tenant_id = t.id \
             WHERE dm.hostname = $1 AND dm.verified AND t.status <> 'deleted'"
        );
        let stmt = Statement::from_sql_and_values(DbBackend::Postgres, sql, [hostname.into()]);
        Ok(RouteRecord::find_by_statement(stmt).one(&self.db).await?)
    }
}
