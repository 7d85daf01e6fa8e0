//! Database servers and tenant database placements.

use chrono::{DateTime, Utc};
use domain::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    Set, Statement, TransactionTrait,
};
use uuid::Uuid;

use crate::{
    Catalog, CatalogError, Result,
    entity::{database_server, tenant_database},
};

/// Input of [`Catalog::upsert_server`].
#[derive(Debug, Clone)]
pub struct NewServer {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub admin_user: String,
    /// The admin password is in the secret store (put there before the row is written).
    pub admin_password_stored: bool,
    pub admin_database: String,
    pub template_database: String,
    pub capacity: i32,
    /// `platform` or `tenant_hosted`.
    pub kind: ServerKind,
    /// `shared` or `dedicated`.
    pub placement: PlacementMode,
    pub tls_mode: dbtls::TlsMode,
    /// Only with `verify-full`.
    pub tls_ca_pem: Option<String>,
    /// The client certificate chain presented (its key is stored before the row is written).
    pub tls_client_cert_pem: Option<String>,
}

/// Who runs a database server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServerKind {
    /// The system owner's own servers.
    Platform,
    /// A tenant's own server, on its premises: always dedicated to that tenant.
    TenantHosted,
}

impl ServerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Platform => "platform",
            Self::TenantHosted => "tenant_hosted",
        }
    }
}

/// How tenants land on a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlacementMode {
    /// Automatic placement ("fewest tenants") may choose it.
    Shared,
    /// Only a tenant pinned to it by name, and only one.
    Dedicated,
}

impl PlacementMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Shared => "shared",
            Self::Dedicated => "dedicated",
        }
    }
}

/// A server with the number of tenant databases on it.
#[derive(Debug, Clone)]
pub struct ServerSummary {
    pub server: database_server::Model,
    pub tenants: i64,
}

/// Changes an operator may make to a registered server.
#[derive(Debug, Clone, Default)]
pub struct ServerUpdate {
    /// `active` or `draining`.
    pub state: Option<String>,
    pub capacity: Option<i32>,
    pub placement: Option<PlacementMode>,
}

/// A new way to reach a server, after it passed a live check: its TLS settings, and whether
/// its admin password is (now) in the secret store.
#[derive(Debug, Clone)]
pub struct ServerAccessUpdate {
    pub tls_mode: dbtls::TlsMode,
    pub tls_ca_pem: Option<String>,
    /// The client certificate chain presented (its key stored before).
    pub tls_client_cert_pem: Option<String>,
    /// A new admin password was stored (a sealed one from an older release is dropped).
    pub admin_password_stored: bool,
    pub health: ServerHealth,
}

/// The outcome of a server health check.
#[derive(Debug, Clone)]
pub struct ServerHealth {
    pub ok: bool,
    pub detail: Option<String>,
    pub version: Option<String>,
    pub checked_at: DateTime<Utc>,
    /// When the server's TLS certificate expires (recorded when `ok`).
    pub tls_certificate_expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

#[derive(Debug, FromQueryResult)]
struct Count2 {
    server_id: Uuid,
    n: i64,
}

/// A new, active server row; its health from a live check, if one ran.
fn new_row(id: Uuid, new: &NewServer, health: Option<&ServerHealth>) -> database_server::ActiveModel {
    database_server::ActiveModel {
        id: Set(id),
        name: Set(new.name.clone()),
        host: Set(new.host.clone()),
        port: Set(i32::from(new.port)),
        admin_user: Set(new.admin_user.clone()),
        admin_password_sealed: Set(None),
        admin_password_stored: Set(new.admin_password_stored),
        admin_database: Set(new.admin_database.clone()),
        template_database: Set(new.template_database.clone()),
        state: Set("active".to_owned()),
        capacity: Set(new.capacity),
        created_at: Set(Utc::now()),
        kind: Set(new.kind.as_str().to_owned()),
        placement: Set(new.placement.as_str().to_owned()),
        tls_mode: Set(new.tls_mode.as_str().to_owned()),
        tls_ca_pem: Set(new.tls_ca_pem.clone()),
        server_version: Set(health.and_then(|h| h.version.clone())),
        health: Set(health.map_or("unknown", |h| if h.ok { "ok" } else { "failing" }).to_owned()),
        health_detail: Set(health.and_then(|h| h.detail.clone())),
        checked_at: Set(health.map(|h| h.checked_at)),
        tls_certificate_expires_at: Set(health.and_then(|h| h.tls_certificate_expires_at)),
        access_version: Set(1),
        admin_password_changed_at: Set(None),
        tls_client_cert_pem: Set(new.tls_client_cert_pem.clone()),
    }
}

async fn least_loaded(db: &impl ConnectionTrait) -> Result<database_server::Model> {
    let sql = "SELECT s.* FROM database_servers s \
               LEFT JOIN tenant_databases d ON d.server_id = s.id \
               WHERE s.state = 'active' AND s.placement = 'shared' AND s.health <> 'failing' \
               GROUP BY s.id HAVING count(d.tenant_id) < s.capacity \
               ORDER BY count(d.tenant_id), s.created_at LIMIT 1";
    database_server::Model::find_by_statement(Statement::from_string(DbBackend::Postgres, sql))
        .one(db)
        .await?
        .ok_or(CatalogError::NotFound("active shared database server with spare capacity"))
}

/// Whether `server`, holding `count` tenant databases, takes one more.
fn admissible(server: &database_server::Model, count: i64) -> Result<()> {
    let refuse = |actual: String, expected: &str| {
        Err(CatalogError::InvalidState { what: "database server", actual, expected: expected.to_owned() })
    };
    if server.state != "active" {
        return refuse(format!("{} ({})", server.name, server.state), "active");
    }
    if server.placement == PlacementMode::Dedicated.as_str() && count > 0 {
        return refuse(format!("{} (dedicated, taken)", server.name), "a dedicated server without a tenant");
    }
    if count >= i64::from(server.capacity) {
        return refuse(format!("{} (full: {count} of {})", server.name, server.capacity), "below capacity");
    }
    Ok(())
}

impl Catalog {
    /// Registers a server by name, or updates its connection settings if it exists (the
    /// platform's default server at every start; its kind, placement and capacity are kept).
    pub async fn upsert_server(&self, id: Uuid, new: &NewServer) -> Result<database_server::Model> {
        if let Some(existing) =
            database_server::Entity::find().filter(database_server::Column::Name.eq(&new.name)).one(&self.db).await?
        {
            let mut active: database_server::ActiveModel = existing.into();
            active.host = Set(new.host.clone());
            active.port = Set(i32::from(new.port));
            active.admin_user = Set(new.admin_user.clone());
            active.admin_password_sealed = Set(None);
            active.admin_password_stored = Set(new.admin_password_stored);
            active.tls_mode = Set(new.tls_mode.as_str().to_owned());
            active.tls_ca_pem = Set(new.tls_ca_pem.clone());
            active.tls_client_cert_pem = Set(new.tls_client_cert_pem.clone());
            active.admin_database = Set(new.admin_database.clone());
            active.template_database = Set(new.template_database.clone());
            return Ok(active.update(&self.db).await?);
        }
        Ok(new_row(id, new, None).insert(&self.db).await?)
    }

    /// Registers a new server after its live check; `Conflict` if the name is taken.
    pub async fn insert_server(
        &self,
        id: Uuid,
        new: &NewServer,
        health: &ServerHealth,
    ) -> Result<database_server::Model> {
        Ok(new_row(id, new, Some(health)).insert(&self.db).await?)
    }

    pub async fn server_by_name(&self, name: &str) -> Result<database_server::Model> {
        database_server::Entity::find()
            .filter(database_server::Column::Name.eq(name))
            .one(&self.db)
            .await?
            .ok_or(CatalogError::NotFound("database server"))
    }

    /// Every server with its number of tenant databases, by name.
    pub async fn server_summaries(&self) -> Result<Vec<ServerSummary>> {
        let counts = Count2::find_by_statement(Statement::from_string(
            DbBackend::Postgres,
            "SELECT server_id, count(*) AS n FROM tenant_databases GROUP BY server_id",
        ))
        .all(&self.db)
        .await?;
        let mut servers = self.servers().await?;
        servers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(servers
            .into_iter()
            .map(|server| {
                let tenants = counts.iter().find(|c| c.server_id == server.id).map_or(0, |c| c.n);
                ServerSummary { server, tenants }
            })
            .collect())
    }

    /// Applies an operator's change. A capacity below the server's current tenant count is
    /// allowed (the server then takes no new tenants) but a dedicated server must hold at most one.
    pub async fn update_server(&self, id: Uuid, update: &ServerUpdate) -> Result<database_server::Model> {
        let server = self.server(id).await?;
        if update.placement == Some(PlacementMode::Dedicated) && self.tenant_count_on(id).await? > 1 {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: "holding several tenants".into(),
                expected: "at most one tenant to become dedicated".into(),
            });
        }
        if update.placement == Some(PlacementMode::Shared) && server.kind == ServerKind::TenantHosted.as_str() {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: "tenant_hosted".into(),
                expected: "a platform server to be shared".into(),
            });
        }
        let mut active: database_server::ActiveModel = server.into();
        if let Some(state) = &update.state {
            active.state = Set(state.clone());
        }
        if let Some(capacity) = update.capacity {
            active.capacity = Set(capacity);
        }
        if let Some(placement) = update.placement {
            active.placement = Set(placement.as_str().to_owned());
        }
        Ok(active.update(&self.db).await?)
    }

    /// Removes a server that holds no tenant databases.
    pub async fn remove_server(&self, id: Uuid) -> Result<()> {
        if self.tenant_count_on(id).await? > 0 {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: "holding tenant databases".into(),
                expected: "empty".into(),
            });
        }
        database_server::Entity::delete_by_id(id).exec(&self.db).await?;
        Ok(())
    }

    /// Records a new way to reach server `id` and counts it in `access_version` (which tells
    /// the tenant planes to reconnect its tenants).
    pub async fn update_server_access(&self, id: Uuid, update: &ServerAccessUpdate) -> Result<database_server::Model> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE database_servers SET tls_mode = $2, tls_ca_pem = $3, \
               admin_password_stored = admin_password_stored OR $4, \
               admin_password_sealed = CASE WHEN $4 THEN NULL ELSE admin_password_sealed END, \
               admin_password_changed_at = CASE WHEN $4 THEN now() ELSE admin_password_changed_at END, \
               access_version = access_version + 1, \
               health = 'ok', health_detail = $7, server_version = COALESCE($5, server_version), checked_at = $6, \
               tls_certificate_expires_at = $8, tls_client_cert_pem = $9 \
             WHERE id = $1 RETURNING *",
            [
                id.into(),
                update.tls_mode.as_str().into(),
                update.tls_ca_pem.clone().into(),
                update.admin_password_stored.into(),
                update.health.version.clone().into(),
                update.health.checked_at.into(),
                update.health.detail.clone().into(),
                update.health.tls_certificate_expires_at.into(),
                update.tls_client_cert_pem.clone().into(),
            ],
        );
        database_server::Model::find_by_statement(stmt)
            .one(&self.db)
            .await?
            .ok_or(CatalogError::NotFound("database server"))
    }

    /// Records a health check's outcome.
    pub async fn record_server_health(&self, id: Uuid, health: &ServerHealth) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE database_servers SET health = $2, health_detail = $3, \
               server_version = COALESCE($4, server_version), checked_at = $5, \
               tls_certificate_expires_at = CASE WHEN $2 = 'ok' THEN $6 ELSE tls_certificate_expires_at END \
             WHERE id = $1",
            [
                id.into(),
                (if health.ok { "ok" } else { "failing" }).into(),
                health.detail.clone().into(),
                health.version.clone().into(),
                health.checked_at.into(),
                health.tls_certificate_expires_at.into(),
            ],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    pub async fn server(&self, id: Uuid) -> Result<database_server::Model> {
        database_server::Entity::find_by_id(id).one(&self.db).await?.ok_or(CatalogError::NotFound("database server"))
    }

    pub async fn servers(&self) -> Result<Vec<database_server::Model>> {
        Ok(database_server::Entity::find().all(&self.db).await?)
    }

    /// Placement policy "fewest tenants": the active, shared, not failing server with spare
    /// capacity holding the fewest tenant databases.
    pub async fn least_loaded_server(&self) -> Result<database_server::Model> {
        least_loaded(&self.db).await
    }

    /// Number of tenant databases on a server.
    pub async fn tenant_count_on(&self, server_id: Uuid) -> Result<i64> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM tenant_databases WHERE server_id = $1",
            [server_id.into()],
        );
        Ok(Count::find_by_statement(stmt).one(&self.db).await?.map_or(0, |c| c.n))
    }

    /// Whether a tenant may be pinned to `server` now: it is active, below capacity, and if
    /// dedicated, empty. Checked before a tenant is reserved and again by [`Catalog::place_tenant`].
    pub async fn check_pin(&self, server: &database_server::Model) -> Result<()> {
        admissible(server, self.tenant_count_on(server.id).await?)
    }

    /// Records where a tenant's database goes (the `place` step): on `pinned` or, without one,
    /// the server the "fewest tenants" policy picks. The server row is locked while its tenants
    /// are counted, so concurrent placements never overfill it or share a dedicated server.
    /// Idempotent: an existing placement is returned unchanged.
    pub async fn place_tenant(
        &self,
        tenant: TenantId,
        pinned: Option<Uuid>,
        database_name: &str,
        role_name: &str,
    ) -> Result<tenant_database::Model> {
        if let Some(existing) = self.placement(tenant).await? {
            return Ok(existing);
        }
        let txn = self.db.begin().await?;
        let server_id = match pinned {
            Some(id) => id,
            None => least_loaded(&txn).await?.id,
        };
        let server = database_server::Entity::find_by_id(server_id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(CatalogError::NotFound("database server"))?;
        let count = Count::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM tenant_databases WHERE server_id = $1",
            [server.id.into()],
        ))
        .one(&txn)
        .await?
        .map_or(0, |c| c.n);
        admissible(&server, count)?;
        if pinned.is_none() && server.placement != PlacementMode::Shared.as_str() {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: server.placement,
                expected: "shared".into(),
            });
        }
        let placed = tenant_database::ActiveModel {
            tenant_id: Set(tenant.as_uuid()),
            server_id: Set(server_id),
            database_name: Set(database_name.to_owned()),
            role_name: Set(role_name.to_owned()),
            schema_version: Set(None),
            migrated_at: Set(None),
            last_migration_error: Set(None),
            created_at: Set(Utc::now()),
            last_run_id: Set(None),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(placed)
    }

    pub async fn placement(&self, tenant: TenantId) -> Result<Option<tenant_database::Model>> {
        Ok(tenant_database::Entity::find_by_id(tenant.as_uuid()).one(&self.db).await?)
    }

    /// The placements of the given tenants (those that have one).
    pub async fn placements_of(&self, tenants: &[Uuid]) -> Result<Vec<tenant_database::Model>> {
        Ok(tenant_database::Entity::find()
            .filter(tenant_database::Column::TenantId.is_in(tenants.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// All placements (for fleet migrations), optionally on one server.
    pub async fn placements(&self) -> Result<Vec<tenant_database::Model>> {
        Ok(tenant_database::Entity::find().all(&self.db).await?)
    }

    /// Records that a server's admin password, sealed in the catalog as `sealed`, is now in the
    /// secret store; `false` if the row changed meanwhile.
    pub async fn mark_server_password_stored(&self, id: Uuid, sealed: &str) -> Result<bool> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE database_servers SET admin_password_sealed = NULL, admin_password_stored = true \
             WHERE id = $1 AND admin_password_sealed = $2",
            [id.into(), sealed.into()],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    pub async fn remove_placement(&self, tenant: TenantId) -> Result<()> {
        tenant_database::Entity::delete_by_id(tenant.as_uuid()).exec(&self.db).await?;
        Ok(())
    }
}
