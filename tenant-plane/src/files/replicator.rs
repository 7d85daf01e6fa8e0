//! The background job draining fallback writes back to the primary: every few seconds, each
//! tenant on this worker with a fallback whose primary was out, or whose log holds entries,
//! replays its log (a pass stops at the first sign the primary is still out).

use std::time::Duration;

use super::FileStores;

/// Entries replayed per tenant per pass.
const BATCH: usize = 100;

pub fn spawn_replicator(stores: FileStores, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            for files in stores.cached() {
                let Some(fallback) = &files.fallback else { continue };
                let queued = fallback.queue_len().await.unwrap_or(0);
                if queued == 0 && !fallback.primary_down() {
                    continue;
                }
                match fallback.replicate(BATCH).await {
                    Ok(pass) if pass.copied + pass.deleted > 0 => {
                        tracing::info!(
                            copied = pass.copied,
                            deleted = pass.deleted,
                            left = pass.left,
                            "storage replication pass"
                        );
                    }
                    Ok(_) => {}
                    Err(err) => tracing::warn!(error = %err, "storage replication failed"),
                }
            }
        }
    })
}
