//! Catalog change notifications: `LISTEN tenantry_tenant_changed`, invalidate the changed
//! tenant's routes (and close its pool) at once — or those of every tenant on a database
//! server whose access changed (`server:<id>`); after a lost connection, flush everything,
//! since changes may have been missed, and reconnect with backoff.

use std::{
    sync::Arc,
    sync::atomic::{AtomicBool, Ordering},
    time::Duration,
};

use futures::StreamExt;
use tokio_postgres::AsyncMessage;
use uuid::Uuid;

use super::{PoolRegistry, RouteCache};

const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// Listens until `shutdown` resolves. `connected` tells readiness probes whether it listens.
pub async fn run_listener(
    catalog_url: String,
    routes: RouteCache,
    pools: PoolRegistry,
    connected: Arc<AtomicBool>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    let mut backoff = Duration::from_millis(100);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            result = listen_once(&catalog_url, &routes, &pools, &connected) => {
                connected.store(false, Ordering::SeqCst);
                routes.flush();
                match result {
                    Ok(()) => tracing::warn!("catalog LISTEN connection closed; routes flushed"),
                    Err(err) => tracing::warn!(error = %format!("{err:#}"), "catalog LISTEN connection failed; routes flushed"),
                }
            }
        }
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

async fn listen_once(
    url: &str,
    routes: &RouteCache,
    pools: &PoolRegistry,
    connected: &AtomicBool,
) -> anyhow::Result<()> {
    // The catalog URL's own `sslmode`/`sslrootcert`, as the catalog reader's sea-orm pool has them.
    let (config, tls) = dbtls::config_from_url(url)?;
    let (client, mut connection) = config.connect(tls.connector()).await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| connection.poll_message(cx));
        while let Some(message) = messages.next().await {
            match message {
                Ok(AsyncMessage::Notification(n)) => {
                    if tx.send(n.payload().to_owned()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(err) => return Err(err),
            }
        }
        Ok(())
    });
    client.batch_execute(&format!("LISTEN {}", catalog::TENANT_CHANGED_CHANNEL)).await?;
    // Anything cached before LISTEN took effect may be stale.
    routes.flush();
    connected.store(true, Ordering::SeqCst);
    tracing::info!("listening for catalog changes");
    while let Some(payload) = rx.recv().await {
        // `<tenant id>`: that tenant changed; `server:<id>`: how a database server is reached.
        if let Some(server) = payload.strip_prefix("server:").and_then(|id| id.parse::<Uuid>().ok()) {
            tracing::info!(server.id = %server, "database server access changed; reconnecting its tenants");
            routes.invalidate_server(server);
            pools.evict_server(server).await;
            continue;
        }
        match payload.parse::<Uuid>() {
            Ok(tenant) => {
                routes.invalidate_tenant(tenant);
                pools.evict(tenant).await;
            }
            Err(_) => routes.flush(),
        }
    }
    drop(client);
    driver.await??;
    Ok(())
}
