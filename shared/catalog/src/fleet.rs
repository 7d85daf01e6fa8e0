//! Fleet migrations: the run records, the lock that lets one run at a time, and the
//! per-tenant ledger of applied tenant migrations.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use domain::TenantId;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, TransactionTrait, sqlx};
use uuid::Uuid;

use crate::{Catalog, Result};

/// Advisory-lock key held by the one running fleet migration (`hashtext('tenantry:fleet-migration')`
/// would do as well; a constant keeps it readable in `pg_locks`).
const FLEET_LOCK_KEY: i64 = 0x7465_6e61_6e74_7279; // "tenantry"

/// Held while a fleet migration runs: a session advisory lock on a connection of its own.
/// When the process dies, Postgres drops the connection and the lock with it, so a crashed
/// run never blocks the next one.
pub struct FleetLock {
    conn: sqlx::PgConnection,
}

impl FleetLock {
    /// Releases the lock now. Only dropping it would leave the release to the server noticing
    /// the closed connection, and a run started right after could still find it held (the
    /// scale bench's back-to-back runs did once).
    pub async fn release(mut self) {
        use sea_orm::sqlx::Connection;
        if let Err(err) =
            sqlx::query("SELECT pg_advisory_unlock($1)").bind(FLEET_LOCK_KEY).execute(&mut self.conn).await
        {
            tracing::warn!(error = %err, "releasing the fleet lock failed; it goes with its connection");
        }
        let _ = self.conn.close().await;
    }
}

impl std::fmt::Debug for FleetLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FleetLock")
    }
}

/// A fleet migration run as recorded.
#[derive(Debug, Clone, FromQueryResult, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MigrationRun {
    pub id: Uuid,
    pub target_version: Option<String>,
    /// `running`, `succeeded`, `failed`, `stopped` or `interrupted`.
    pub state: String,
    pub options: serde_json::Value,
    pub summary: Option<serde_json::Value>,
    pub started_by: String,
    pub started_at: DateTime<Utc>,
    pub heartbeat_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One tenant database as the fleet runner sees it.
#[derive(Debug, Clone, FromQueryResult)]
pub struct FleetTenant {
    pub tenant_id: Uuid,
    pub slug: String,
    pub status: String,
    pub server_id: Uuid,
    pub database_name: String,
    pub role_name: String,
    pub schema_version: Option<String>,
    pub last_migration_error: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(FromQueryResult)]
struct LedgerRow {
    tenant_id: Uuid,
    version: String,
}

fn sqlx_error(err: sqlx::Error) -> crate::CatalogError {
    crate::CatalogError::Db(DbErr::Custom(format!("fleet lock: {err}")))
}

impl Catalog {
    /// Takes the fleet-migration lock, or `None` if another run holds it. Runs left `running`
    /// by a process that died are marked `interrupted`.
    pub async fn try_lock_fleet(&self) -> Result<Option<FleetLock>> {
        let mut conn = self.db.get_postgres_connection_pool().acquire().await.map_err(sqlx_error)?.detach();
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
            .bind(FLEET_LOCK_KEY)
            .fetch_one(&mut conn)
            .await
            .map_err(sqlx_error)?;
        if !locked {
            return Ok(None);
        }
        self.db
            .execute_unprepared(
                "UPDATE migration_runs SET state = 'interrupted', finished_at = heartbeat_at WHERE state = 'running'",
            )
            .await?;
        Ok(Some(FleetLock { conn }))
    }

    pub async fn start_migration_run(
        &self,
        _lock: &FleetLock,
        id: Uuid,
        target: Option<&str>,
        options: serde_json::Value,
        started_by: &str,
    ) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO migration_runs (id, target_version, state, options, started_by) VALUES ($1, $2, 'running', $3, $4)",
            [id.into(), target.map(str::to_owned).into(), options.into(), started_by.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    pub async fn heartbeat_migration_run(&self, id: Uuid) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE migration_runs SET heartbeat_at = now() WHERE id = $1",
            [id.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    pub async fn finish_migration_run(&self, id: Uuid, state: &str, summary: serde_json::Value) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE migration_runs SET state = $2, summary = $3, heartbeat_at = now(), finished_at = now() WHERE id = $1",
            [id.into(), state.into(), summary.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    /// Recent runs, newest first.
    pub async fn migration_runs(&self, limit: u64) -> Result<Vec<MigrationRun>> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT * FROM migration_runs ORDER BY started_at DESC LIMIT $1",
            [i64::try_from(limit).unwrap_or(i64::MAX).into()],
        );
        Ok(MigrationRun::find_by_statement(stmt).all(&self.db).await?)
    }

    /// Every placed tenant database with its tenant's slug and status, oldest tenant first.
    pub async fn fleet_tenants(&self) -> Result<Vec<FleetTenant>> {
        let stmt = Statement::from_string(
            DbBackend::Postgres,
            "SELECT d.tenant_id, t.slug, t.status, d.server_id, d.database_name, d.role_name, d.schema_version, \
                    d.last_migration_error, t.created_at \
             FROM tenant_databases d JOIN tenants t ON t.id = d.tenant_id ORDER BY t.created_at, t.id",
        );
        Ok(FleetTenant::find_by_statement(stmt).all(&self.db).await?)
    }

    /// The ledger: every tenant's applied tenant migrations.
    pub async fn migration_ledger(&self) -> Result<HashMap<Uuid, Vec<String>>> {
        let stmt = Statement::from_string(
            DbBackend::Postgres,
            "SELECT tenant_id, version FROM tenant_migrations ORDER BY version",
        );
        let mut ledger: HashMap<Uuid, Vec<String>> = HashMap::new();
        for row in LedgerRow::find_by_statement(stmt).all(&self.db).await? {
            ledger.entry(row.tenant_id).or_default().push(row.version);
        }
        Ok(ledger)
    }

    /// Records that `versions` are applied to the tenant's database (by `run`, or at
    /// provisioning when `None`), and clears its last error.
    pub async fn record_applied(&self, tenant: TenantId, versions: &[String], run: Option<Uuid>) -> Result<()> {
        let txn = self.db.begin().await?;
        record_applied_in(&txn, tenant, versions, run).await?;
        txn.commit().await?;
        Ok(())
    }

    /// Records a failed migration of the tenant's database.
    pub async fn record_migration_failure(&self, tenant: TenantId, error: &str, run: Option<Uuid>) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE tenant_databases SET last_migration_error = $2, last_run_id = COALESCE($3, last_run_id) \
             WHERE tenant_id = $1",
            [tenant.as_uuid().into(), error.into(), run.into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }
}

/// [`Catalog::record_applied`] inside the caller's transaction.
pub(crate) async fn record_applied_in(
    txn: &sea_orm::DatabaseTransaction,
    tenant: TenantId,
    versions: &[String],
    run: Option<Uuid>,
) -> Result<()> {
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "INSERT INTO tenant_migrations (tenant_id, version, run_id) SELECT $1, v, $3 FROM unnest($2::text[]) AS v \
         ON CONFLICT DO NOTHING",
        [tenant.as_uuid().into(), versions.to_vec().into(), run.into()],
    );
    txn.execute_raw(stmt).await?;
    let stmt = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "UPDATE tenant_databases SET schema_version = $2, migrated_at = now(), last_migration_error = NULL, \
           last_run_id = COALESCE($3, last_run_id) WHERE tenant_id = $1",
        [tenant.as_uuid().into(), versions.iter().max().cloned().into(), run.into()],
    );
    txn.execute_raw(stmt).await?;
    Ok(())
}
