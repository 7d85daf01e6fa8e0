//! The background job draining fallback writes back to the primary: every few seconds, each
//! tenant on this worker with a fallback whose primary was out, or whose log holds entries,
//! replays its log (a pass stops at the first sign the primary is still out). Every
//! [`SWEEP_EVERY`] passes — and at the first — it also looks in the catalog for tenants with a
//! fallback that this worker has not served since it started, so a log left by a restart or a
//! crash is drained without waiting for the tenant's next request.

use std::{collections::HashSet, time::Duration};

use uuid::Uuid;

use crate::AppState;

/// Entries replayed per tenant per pass.
const BATCH: usize = 100;
/// Passes between two catalog sweeps.
const SWEEP_EVERY: u64 = 60;

pub fn spawn_replicator(state: AppState, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pass: u64 = 0;
        loop {
            tick.tick().await;
            if pass.is_multiple_of(SWEEP_EVERY) {
                sweep(&state).await;
            }
            pass = pass.wrapping_add(1);
            for files in state.files().cached() {
                replicate(&files).await;
            }
        }
    })
}

async fn replicate(files: &super::TenantFiles) {
    let Some(fallback) = &files.fallback else { return };
    let queued = fallback.queue_len().await.unwrap_or(0);
    if queued == 0 && !fallback.primary_down() {
        return;
    }
    match fallback.replicate(BATCH).await {
        Ok(pass) if pass.copied + pass.deleted > 0 => {
            tracing::info!(copied = pass.copied, deleted = pass.deleted, left = pass.left, "storage replication pass");
        }
        Ok(_) => {}
        Err(err) => tracing::warn!(error = %err, "storage replication failed"),
    }
}

/// Opens the files of every tenant with a fallback that is not cached yet (the next passes
/// then replay their logs).
async fn sweep(state: &AppState) {
    let cached: HashSet<Uuid> = state.files().cached_ids();
    let records = match state.catalog().hosted_storage_configs().await {
        Ok(records) => records,
        Err(err) => {
            tracing::warn!(error = %err, "storage sweep: catalog unavailable");
            return;
        }
    };
    for record in records {
        let has_fallback = record.config.get("fallback").is_some_and(serde_json::Value::is_object);
        if !has_fallback || cached.contains(&record.tenant_id) {
            continue;
        }
        if let Err(err) = state.files().for_tenant_id(record.tenant_id, state).await {
            tracing::warn!(tenant.id = %record.tenant_id, error = %format!("{err:#}"), "storage sweep: tenant skipped");
        }
    }
}
