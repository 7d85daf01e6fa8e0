//! `tenantry migrate plan`: what a run would do where, and the drift report (tenants behind,
//! failed, the spread of versions). From the catalog's ledger; `live` also reads every tenant
//! database and reports where the ledger and the database disagree.

use std::collections::{BTreeMap, HashMap, HashSet};

use catalog::{Catalog, FleetTenant};
use futures::StreamExt;

use serde::Serialize;
use uuid::Uuid;

use super::{TenantSchema, applied_versions};
use crate::{ServerAccess, ServerCredentials, server_template_version};

/// Options of [`plan_fleet`].
#[derive(Debug, Clone, Copy)]
pub struct PlanOptions {
    /// Read each tenant database's applied migrations too (one connection per database).
    pub live: bool,
    /// Databases read at once when `live`.
    pub concurrency: usize,
}

impl Default for PlanOptions {
    fn default() -> Self {
        Self { live: false, concurrency: 16 }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetPlan {
    pub target_version: Option<String>,
    pub servers: Vec<ServerPlan>,
    /// Tenants with work to do, or whose ledger disagrees with their database.
    pub tenants: Vec<TenantPlan>,
    pub drift: DriftReport,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServerPlan {
    pub name: String,
    pub state: String,
    pub health: String,
    pub template_version: Option<String>,
    /// The template cannot be read (the server is down or refuses the admin).
    pub template_error: Option<String>,
    pub tenants: usize,
    pub pending: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantPlan {
    pub tenant_id: Uuid,
    pub slug: String,
    pub server: String,
    pub database: String,
    /// Migrations a run would apply, in order.
    pub pending: Vec<String>,
    pub last_error: Option<String>,
    /// What the database itself has applied (with `live`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_applied: Option<Vec<String>>,
    /// The ledger and the database disagree (with `live`).
    pub ledger_mismatch: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    pub tenants: usize,
    pub up_to_date: usize,
    /// Tenants with at least one migration to apply.
    pub behind: usize,
    /// Tenants whose last migration attempt failed.
    pub failed: usize,
    /// Tenants per newest applied version (`none` before the first).
    pub versions: BTreeMap<String, usize>,
    /// Tenants whose ledger disagrees with their database (with `live`), or whose database
    /// could not be read.
    pub ledger_mismatches: usize,
    /// Tenant databases that could not be read (with `live`).
    pub unreadable: usize,
}

/// Tenants that fleet runs migrate: not ones still being provisioned (their saga migrates them).
pub(super) fn migratable(tenant: &FleetTenant) -> bool {
    matches!(tenant.status.as_str(), "active" | "suspended")
}

/// What the ledger says is missing for a tenant, in migration order.
pub(super) fn pending_of(target: &[String], applied: &[String]) -> Vec<String> {
    let applied: HashSet<&str> = applied.iter().map(String::as_str).collect();
    target.iter().filter(|v| !applied.contains(v.as_str())).cloned().collect()
}

/// Plans a fleet run without changing anything.
pub async fn plan_fleet(
    catalog: &Catalog,
    credentials: &ServerCredentials,
    schema: TenantSchema,
    options: PlanOptions,
) -> anyhow::Result<FleetPlan> {
    let target = (schema.versions)();
    let servers = catalog.servers().await?;
    let tenants: Vec<FleetTenant> = catalog.fleet_tenants().await?.into_iter().filter(migratable).collect();
    let ledger = catalog.migration_ledger().await?;
    let mut accesses: HashMap<Uuid, ServerAccess> = HashMap::new();
    for server in &servers {
        match credentials.access(server).await {
            Ok(access) => {
                accesses.insert(server.id, access);
            }
            Err(err) => {
                tracing::warn!(server = %server.name, error = %format!("{err:#}"), "no admin access to plan with")
            }
        }
    }
    let server_name = |id: Uuid| servers.iter().find(|s| s.id == id).map_or_else(|| id.to_string(), |s| s.name.clone());

    let live: HashMap<Uuid, anyhow::Result<Vec<String>>> = if options.live {
        futures::stream::iter(tenants.iter().map(|t| (t.tenant_id, t.server_id, t.database_name.clone())))
            .map(|(tenant_id, server_id, database)| {
                let access = accesses.get(&server_id).cloned();
                async move {
                    let result = match access {
                        Some(access) => match access.connect(&database).await {
                            Ok(client) => applied_versions(&client).await,
                            Err(err) => Err(err),
                        },
                        None => Err(anyhow::anyhow!("unknown server")),
                    };
                    (tenant_id, result)
                }
            })
            .buffer_unordered(options.concurrency.max(1))
            .collect()
            .await
    } else {
        HashMap::new()
    };

    let empty = Vec::new();
    let mut drift = DriftReport { tenants: tenants.len(), ..DriftReport::default() };
    let mut plans = Vec::new();
    let mut pending_per_server: HashMap<Uuid, usize> = HashMap::new();
    for t in &tenants {
        let recorded = ledger.get(&t.tenant_id).unwrap_or(&empty);
        let live_applied = live.get(&t.tenant_id).map(|r| r.as_ref().ok().cloned());
        let (applied, mismatch) = match &live_applied {
            Some(Some(actual)) => (actual, actual != recorded),
            Some(None) => {
                drift.unreadable += 1;
                (recorded, true)
            }
            None => (recorded, false),
        };
        let pending = pending_of(&target, applied);
        *drift.versions.entry(applied.last().cloned().unwrap_or_else(|| "none".into())).or_default() += 1;
        if pending.is_empty() {
            drift.up_to_date += 1;
        } else {
            drift.behind += 1;
            *pending_per_server.entry(t.server_id).or_default() += 1;
        }
        if t.last_migration_error.is_some() {
            drift.failed += 1;
        }
        if mismatch {
            drift.ledger_mismatches += 1;
        }
        if !pending.is_empty() || mismatch || t.last_migration_error.is_some() {
            plans.push(TenantPlan {
                tenant_id: t.tenant_id,
                slug: t.slug.clone(),
                server: server_name(t.server_id),
                database: t.database_name.clone(),
                pending,
                last_error: t.last_migration_error.clone(),
                live_applied: live_applied.flatten(),
                ledger_mismatch: mismatch,
            });
        }
    }

    let mut server_plans = Vec::new();
    for server in &servers {
        let (template_version, template_error) = match accesses.get(&server.id) {
            Some(access) => match server_template_version(access).await {
                Ok(version) => (version, None),
                Err(err) => (None, Some(format!("{err:#}"))),
            },
            None => (None, Some("cannot open the server's credentials".into())),
        };
        server_plans.push(ServerPlan {
            name: server.name.clone(),
            state: server.state.clone(),
            health: server.health.clone(),
            template_version,
            template_error,
            tenants: tenants.iter().filter(|t| t.server_id == server.id).count(),
            pending: pending_per_server.get(&server.id).copied().unwrap_or(0),
        });
    }
    server_plans.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(FleetPlan { target_version: (schema.latest)(), servers: server_plans, tenants: plans, drift })
}
