//! Bringing tenant databases to the newest tenant schema, one or the whole fleet.

use std::time::Instant;

use anyhow::Context;
use catalog::Catalog;
use domain::{RoleName, TenantId};
use futures::{StreamExt, future::BoxFuture};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use sea_orm_migration::MigratorTrait;
use secrets::Keyring;
use tokio_postgres::Client;

use crate::{ServerAccess, ensure_template, latest_version};

/// A tenant migration set, as values (so provisioning and tests can pick one).
#[derive(Clone, Copy)]
pub struct TenantSchema {
    pub latest: fn() -> Option<String>,
    pub up: for<'a> fn(&'a DatabaseConnection) -> BoxFuture<'a, Result<(), DbErr>>,
}

impl TenantSchema {
    pub fn of<M: MigratorTrait + 'static>() -> Self {
        Self { latest: latest_version::<M>, up: |db| Box::pin(M::up(db, None)) }
    }
}

impl std::fmt::Debug for TenantSchema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantSchema").field("latest", &(self.latest)()).finish()
    }
}

/// The newest applied migration of a database (`None` before the first migration).
pub async fn applied_version(client: &Client) -> anyhow::Result<Option<String>> {
    let exists = client
        .query_opt("SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'seaql_migrations'", &[])
        .await?
        .is_some();
    if !exists {
        return Ok(None);
    }
    let row = client.query_one("SELECT max(version) FROM seaql_migrations", &[]).await?;
    Ok(row.get(0))
}

/// Migrates one tenant database to the newest schema as the tenant's role; returns the version.
/// Fast when there is nothing to do: one connection and one query.
pub async fn migrate_tenant_database(
    server: &ServerAccess,
    database: &str,
    role: &RoleName,
    schema: TenantSchema,
) -> anyhow::Result<Option<String>> {
    let latest = (schema.latest)();
    let client = server.connect(database).await?;
    if applied_version(&client).await? == latest {
        return Ok(latest);
    }
    drop(client);
    let mut opts = ConnectOptions::new(server.migration_url(database, role.as_str())?);
    opts.max_connections(1).sqlx_logging(false);
    let db = Database::connect(opts).await.context("connect for migration")?;
    let result = (schema.up)(&db).await.context("apply tenant migrations");
    let _ = db.close().await;
    result?;
    Ok(latest)
}

/// Options of a fleet migration run.
#[derive(Debug, Clone, Copy)]
pub struct FleetOptions {
    /// Tenant databases migrated at once.
    pub concurrency: usize,
}

impl Default for FleetOptions {
    fn default() -> Self {
        Self { concurrency: 8 }
    }
}

/// What happened to one tenant database.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TenantOutcome {
    pub tenant_id: uuid::Uuid,
    pub database: String,
    pub version: Option<String>,
    pub error: Option<String>,
    pub duration_ms: u64,
}

/// The result of [`migrate_fleet`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct FleetReport {
    pub target_version: Option<String>,
    /// Template errors per server (a server whose template failed still has its tenants tried).
    pub template_errors: Vec<String>,
    pub tenants: Vec<TenantOutcome>,
}

impl FleetReport {
    pub fn failed(&self) -> usize {
        self.tenants.iter().filter(|t| t.error.is_some()).count() + self.template_errors.len()
    }
}

/// Brings every server's template and every tenant database to the newest schema with
/// bounded concurrency, records each tenant's version or error in the catalog, and goes on
/// past failures.
pub async fn migrate_fleet(
    catalog: &Catalog,
    keyring: &Keyring,
    schema: TenantSchema,
    options: FleetOptions,
) -> anyhow::Result<FleetReport> {
    let servers = catalog.servers().await?;
    let mut accesses = std::collections::HashMap::new();
    let mut template_errors = Vec::new();
    for server in &servers {
        let access = ServerAccess::open(server, keyring)?;
        if let Err(err) = ensure_template(&access, schema).await {
            tracing::error!(server = %server.name, error = %format!("{err:#}"), "template migration failed");
            template_errors.push(format!("{}: {err:#}", server.name));
        }
        accesses.insert(server.id, access);
    }
    let placements = catalog.placements().await?;
    let tenants = futures::stream::iter(placements)
        .map(|placement| {
            let access = accesses.get(&placement.server_id).cloned();
            async move {
                let started = Instant::now();
                let tenant = TenantId::from_uuid(placement.tenant_id);
                let result = match access {
                    Some(access) => {
                        let role = RoleName::from_catalog(placement.role_name.clone());
                        migrate_tenant_database(&access, &placement.database_name, &role, schema).await
                    }
                    None => Err(anyhow::anyhow!("unknown database server {}", placement.server_id)),
                };
                let (version, error) = match result {
                    Ok(version) => (version, None),
                    Err(err) => (None, Some(format!("{err:#}"))),
                };
                if let Err(err) = catalog.record_migration(tenant, version.as_deref(), error.as_deref()).await {
                    tracing::error!(tenant.id = %tenant, error = %err, "could not record migration outcome");
                }
                TenantOutcome {
                    tenant_id: placement.tenant_id,
                    database: placement.database_name,
                    version,
                    error,
                    duration_ms: started.elapsed().as_millis() as u64,
                }
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .collect::<Vec<_>>()
        .await;
    Ok(FleetReport { target_version: (schema.latest)(), template_errors, tenants })
}
