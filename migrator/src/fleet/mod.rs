//! Bringing tenant databases to the newest tenant schema: one database (provisioning), or the
//! whole fleet as a managed run (`plan`, then `run` with a canary and waves, see [`run`]).

mod plan;
mod run;

use anyhow::Context;
use domain::RoleName;
use futures::future::BoxFuture;
use sea_orm::{Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use tokio_postgres::Client;

use crate::{ServerAccess, latest_version};

pub use plan::{DriftReport, FleetPlan, PlanOptions, ServerPlan, TenantPlan, plan_fleet};
pub use run::{FailurePolicy, FleetEvent, RunOptions, RunSummary, run_fleet};

/// A tenant migration set, as values (so provisioning and tests can pick one).
#[derive(Clone, Copy)]
pub struct TenantSchema {
    pub latest: fn() -> Option<String>,
    /// Every migration's name, in order.
    pub versions: fn() -> Vec<String>,
    pub up: for<'a> fn(&'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>>,
}

impl TenantSchema {
    pub fn of<M: MigratorTrait + 'static>() -> Self {
        Self {
            latest: latest_version::<M>,
            versions: || M::migrations().iter().map(|m| m.name().to_owned()).collect(),
            up: |db| Box::pin(M::up(db, None)),
        }
    }
}

impl std::fmt::Debug for TenantSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantSchema").field("latest", &(self.latest)()).finish()
    }
}

/// The migrations applied to a database, in order (empty before the first migration).
pub async fn applied_versions(client: &Client) -> anyhow::Result<Vec<String>> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'seaql_migrations'", &[])
        .await?
        .is_some();
    if !exists {
        return Ok(Vec::new());
    }
    let rows = client.query("SELECT version FROM seaql_migrations ORDER BY version", &[]).await?;
    Ok(rows.into_iter().map(|r| r.get(0)).collect())
}

/// Migrates one tenant database to the newest schema as the tenant's role; returns every
/// migration now applied. Fast when there is nothing to do: one connection and two queries.
pub async fn migrate_tenant_database(
    server: &ServerAccess,
    database: &str,
    role: &RoleName,
    schema: TenantSchema,
) -> anyhow::Result<Vec<String>> {
    let client = server.connect(database).await?;
    let applied = applied_versions(&client).await?;
    if applied.last() == (schema.latest)().as_ref() {
        return Ok(applied);
    }
    let db =
        Database::connect(server.migration_options(database, role.as_str())?).await.context("connect for migration")?;
    let result = (schema.up)(&db).await.context("apply tenant migrations");
    let _ = db.close().await;
    result?;
    applied_versions(&client).await
}
