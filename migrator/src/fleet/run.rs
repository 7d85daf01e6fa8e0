//! `tenantry migrate run`: a managed fleet migration.
//!
//! One run at a time (a session advisory lock in the catalog, released by Postgres if the
//! process dies). Every server's template first; then the tenants the ledger shows behind, a
//! canary group spread over the servers, then waves. Concurrency is capped overall and per
//! server. A failing canary always stops the run; a failing wave stops it under
//! [`FailurePolicy::Stop`]. Each tenant's outcome is written to the ledger as soon as it is
//! known, so a rerun after a crash does only what is left.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use anyhow::bail;
use catalog::{Catalog, FleetTenant};
use domain::{RoleName, TenantId};
use futures::StreamExt;

use serde::Serialize;
use tokio::sync::Semaphore;
use uuid::Uuid;

use super::{
    TenantSchema, migrate_tenant_database,
    plan::{migratable, pending_of},
};
use crate::{ServerCredentials, ensure_template};

/// How often a running run records that it is alive.
const HEARTBEAT_EVERY: Duration = Duration::from_secs(5);

/// What a failed tenant does to the rest of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailurePolicy {
    /// Finish the wave, then stop.
    Stop,
    /// Go on with every wave; report the failures at the end.
    Continue,
}

/// Options of [`run_fleet`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOptions {
    /// Tenants migrated first, spread over the servers; any failure among them stops the run.
    pub canary: usize,
    /// Tenants per wave after the canary; 0: one wave.
    pub wave_size: usize,
    /// Tenant databases migrated at once on one server.
    pub per_server: usize,
    /// Tenant databases migrated at once overall.
    pub concurrency: usize,
    pub on_failure: FailurePolicy,
    /// Who started it (recorded with the run).
    pub started_by: String,
}

impl Default for RunOptions {
    fn default() -> Self {
        Self {
            canary: 5,
            wave_size: 200,
            per_server: 4,
            concurrency: 16,
            on_failure: FailurePolicy::Stop,
            started_by: "tenantry".into(),
        }
    }
}

/// Progress of a run, as it happens (the CLI prints them as JSON lines with `--json`).
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum FleetEvent {
    #[serde(rename_all = "camelCase")]
    RunStarted { run_id: Uuid, target_version: Option<String>, tenants: usize, pending: usize, waves: usize },
    #[serde(rename_all = "camelCase")]
    Template { server: String, version: Option<String>, error: Option<String> },
    #[serde(rename_all = "camelCase")]
    WaveStarted { wave: usize, name: String, tenants: usize },
    #[serde(rename_all = "camelCase")]
    Tenant {
        wave: usize,
        tenant_id: Uuid,
        slug: String,
        server: String,
        /// Migrations this run applied to it.
        applied: Vec<String>,
        error: Option<String>,
        duration_ms: u64,
    },
    #[serde(rename_all = "camelCase")]
    WaveFinished { wave: usize, name: String, succeeded: usize, failed: usize },
    #[serde(rename_all = "camelCase")]
    RunFinished { summary: RunSummary },
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FailedTenant {
    pub tenant_id: Uuid,
    pub slug: String,
    pub server: String,
    pub error: String,
}

/// The outcome of a run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunSummary {
    pub run_id: Uuid,
    /// `succeeded`, `failed` (some tenant or template failed) or `stopped` (the policy stopped
    /// it before every tenant was tried).
    pub state: String,
    pub target_version: Option<String>,
    /// Tenant databases in the fleet.
    pub tenants: usize,
    /// Tenants the ledger showed behind when the run started.
    pub pending: usize,
    pub migrated: usize,
    pub failed: Vec<FailedTenant>,
    /// Pending tenants not tried because the run stopped.
    pub not_tried: usize,
    pub template_errors: Vec<String>,
    pub duration_ms: u64,
}

/// What happened to one tenant in a wave: the migrations applied, or the error.
struct Outcome {
    tenant: FleetTenant,
    server: String,
    result: Result<Vec<String>, String>,
    duration_ms: u64,
}

/// A spawned task aborted when this guard goes away, also when the run's future is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Picks the canary spread over the servers (round-robin by server, in fleet order); the rest
/// keeps fleet order, so every wave mixes servers and the per-server caps spread the load.
fn split_canary(pending: Vec<FleetTenant>, canary: usize) -> (Vec<FleetTenant>, Vec<FleetTenant>) {
    let mut servers: Vec<Uuid> = Vec::new();
    for t in &pending {
        if !servers.contains(&t.server_id) {
            servers.push(t.server_id);
        }
    }
    let mut picked: Vec<Uuid> = Vec::new();
    let mut round = 0;
    while picked.len() < canary.min(pending.len()) {
        for server in &servers {
            let nth = pending.iter().filter(|t| t.server_id == *server).nth(round);
            if let Some(t) = nth
                && picked.len() < canary
            {
                picked.push(t.tenant_id);
            }
        }
        round += 1;
    }
    let (canary, rest): (Vec<_>, Vec<_>) = pending.into_iter().partition(|t| picked.contains(&t.tenant_id));
    (canary, rest)
}

/// Runs a fleet migration; `on_event` sees every step as it happens.
pub async fn run_fleet(
    catalog: &Catalog,
    credentials: &ServerCredentials,
    schema: TenantSchema,
    options: RunOptions,
    on_event: &(dyn Fn(&FleetEvent) + Send + Sync),
) -> anyhow::Result<RunSummary> {
    let started = Instant::now();
    let Some(lock) = catalog.try_lock_fleet().await? else {
        bail!("another fleet migration is running (it holds the catalog's fleet lock)");
    };
    let run_id = Uuid::now_v7();
    let target = (schema.versions)();
    let target_version = (schema.latest)();
    catalog
        .start_migration_run(
            &lock,
            run_id,
            target_version.as_deref(),
            serde_json::to_value(&options)?,
            &options.started_by,
        )
        .await?;
    let heartbeat = {
        let catalog = catalog.clone();
        AbortOnDrop(tokio::spawn(async move {
            loop {
                tokio::time::sleep(HEARTBEAT_EVERY).await;
                if let Err(err) = catalog.heartbeat_migration_run(run_id).await {
                    tracing::warn!(error = %err, "could not record the fleet run's heartbeat");
                }
            }
        }))
    };

    // Templates first, so tenants provisioned during the run are cloned at the new version.
    let servers = catalog.servers().await?;
    let mut accesses = HashMap::new();
    let mut template_errors = Vec::new();
    for server in &servers {
        let access = credentials.access(server).await?;
        let (version, error) = match ensure_template(&access, schema).await {
            Ok(version) => (version, None),
            Err(err) => {
                tracing::error!(server = %server.name, error = %format!("{err:#}"), "template migration failed");
                template_errors.push(format!("{}: {err:#}", server.name));
                (None, Some(format!("{err:#}")))
            }
        };
        on_event(&FleetEvent::Template { server: server.name.clone(), version, error });
        accesses.insert(server.id, (access, server.name.clone()));
    }

    let fleet: Vec<FleetTenant> = catalog.fleet_tenants().await?.into_iter().filter(migratable).collect();
    let ledger = catalog.migration_ledger().await?;
    let empty = Vec::new();
    let pending: Vec<FleetTenant> = fleet
        .iter()
        .filter(|t| !pending_of(&target, ledger.get(&t.tenant_id).unwrap_or(&empty)).is_empty())
        .cloned()
        .collect();
    let pending_count = pending.len();
    let (canary, rest) = split_canary(pending, options.canary);
    let mut waves: Vec<(String, Vec<FleetTenant>)> = Vec::new();
    if !canary.is_empty() {
        waves.push(("canary".into(), canary));
    }
    let wave_size = if options.wave_size == 0 { rest.len().max(1) } else { options.wave_size };
    for (i, chunk) in rest.chunks(wave_size).enumerate() {
        waves.push((format!("wave {}", i + 1), chunk.to_vec()));
    }
    on_event(&FleetEvent::RunStarted {
        run_id,
        target_version: target_version.clone(),
        tenants: fleet.len(),
        pending: pending_count,
        waves: waves.len(),
    });

    let semaphores: HashMap<Uuid, Arc<Semaphore>> =
        servers.iter().map(|s| (s.id, Arc::new(Semaphore::new(options.per_server.max(1))))).collect();
    let mut migrated = 0;
    let mut failed = Vec::new();
    let mut tried = 0;
    let mut stopped = false;
    for (index, (name, tenants)) in waves.iter().enumerate() {
        let wave = index + 1;
        on_event(&FleetEvent::WaveStarted { wave, name: name.clone(), tenants: tenants.len() });
        let outcomes: Vec<Outcome> = futures::stream::iter(
            tenants.iter().cloned(),
        )
        .map(|t: FleetTenant| {
            let entry = accesses.get(&t.server_id).cloned();
            let semaphore = semaphores.get(&t.server_id).cloned();
            let recorded = ledger.get(&t.tenant_id).cloned().unwrap_or_default();
            async move {
                let begun = Instant::now();
                let Some(((access, server), semaphore)) = entry.zip(semaphore) else {
                    let err = format!("unknown database server {}", t.server_id);
                    let server = t.server_id.to_string();
                    return Outcome { tenant: t, server, result: Err(err), duration_ms: 0 };
                };
                let _permit = semaphore.acquire().await;
                let role = RoleName::from_catalog(t.role_name.clone());
                let tenant = TenantId::from_uuid(t.tenant_id);
                let result = match migrate_tenant_database(&access, &t.database_name, &role, schema).await {
                    Ok(applied) => match catalog.record_applied(tenant, &applied, Some(run_id)).await {
                        Ok(()) => Ok(pending_of(&applied, &recorded)),
                        Err(err) => Err(format!("migrated, but the ledger could not be written: {err}")),
                    },
                    Err(err) => {
                        let error = format!("{err:#}");
                        if let Err(err) = catalog.record_migration_failure(tenant, &error, Some(run_id)).await {
                            tracing::error!(tenant.id = %tenant, error = %err, "could not record a migration failure");
                        }
                        Err(error)
                    }
                };
                Outcome { tenant: t, server, result, duration_ms: begun.elapsed().as_millis() as u64 }
            }
        })
        .buffer_unordered(options.concurrency.max(1))
        .inspect(|Outcome { tenant: t, server, result, duration_ms }| {
            let (applied, error) = match result {
                Ok(applied) => (applied.clone(), None),
                Err(error) => (Vec::new(), Some(error.clone())),
            };
            on_event(&FleetEvent::Tenant {
                wave,
                tenant_id: t.tenant_id,
                slug: t.slug.clone(),
                server: server.clone(),
                applied,
                error,
                duration_ms: *duration_ms,
            });
        })
        .collect()
        .await;
        tried += outcomes.len();
        let before = failed.len();
        for Outcome { tenant: t, server, result, .. } in outcomes {
            match result {
                Ok(_) => migrated += 1,
                Err(error) => failed.push(FailedTenant { tenant_id: t.tenant_id, slug: t.slug, server, error }),
            }
        }
        let wave_failed = failed.len() - before;
        on_event(&FleetEvent::WaveFinished {
            wave,
            name: name.clone(),
            succeeded: tenants.len() - wave_failed,
            failed: wave_failed,
        });
        let is_canary = name == "canary";
        if wave_failed > 0 && (is_canary || options.on_failure == FailurePolicy::Stop) && index + 1 < waves.len() {
            stopped = true;
            break;
        }
    }
    drop(heartbeat);

    let state = if stopped {
        "stopped"
    } else if failed.is_empty() && template_errors.is_empty() {
        "succeeded"
    } else {
        "failed"
    };
    let summary = RunSummary {
        run_id,
        state: state.into(),
        target_version,
        tenants: fleet.len(),
        pending: pending_count,
        migrated,
        failed,
        not_tried: pending_count - tried,
        template_errors,
        duration_ms: started.elapsed().as_millis() as u64,
    };
    catalog.finish_migration_run(run_id, state, serde_json::to_value(&summary)?).await?;
    lock.release().await;
    on_event(&FleetEvent::RunFinished { summary: summary.clone() });
    Ok(summary)
}
