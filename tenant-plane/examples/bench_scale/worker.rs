//! The tenant-plane worker under test, in this process, and the tenant backends it holds.

use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use provisioner::testing::TestPlatform;
use tenant_plane::{RateLimitSettings, RoutingSettings};

/// A tenant-plane worker in this process, stopped when dropped.
pub struct Worker {
    pub url: String,
    pub state: tenant_plane::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

/// Tenants are served at `<slug>.bench.test` (and at `/t/<slug>/…`).
pub const BASE_DOMAIN: &str = "bench.test";
pub const BUDGET: usize = 60;
pub const POOL_MAX: usize = 5;

/// A worker with `threads` HTTP worker threads (`None`: one per core, the default).
pub async fn start_worker(platform: &TestPlatform, threads: Option<std::num::NonZeroUsize>) -> Worker {
    let routing = RoutingSettings {
        base_domain: BASE_DOMAIN.into(),
        path_routing: true,
        default_tenant: None,
        max_db_connections: BUDGET,
        tenant_pool_max: POOL_MAX,
        pool_idle_secs: 300,
        route_ttl_secs: 300,
    };
    let limits = RateLimitSettings {
        auth_per_minute: std::num::NonZeroU32::new(100_000).unwrap(),
        api: "100000000/300".parse().unwrap(),
        api_plans: Vec::new(),
    };
    let catalog = catalog::Catalog::connect(&platform.reader_url).await.unwrap();
    let store: Arc<dyn secrets::SecretStore> =
        Arc::new(secrets::LocalStore::new(catalog.clone(), platform.keyring.clone()));
    let state = tenant_plane::AppState::new(catalog, store, platform.reader_url.clone(), routing).with_limits(&limits);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = tenant_plane::Application::from_listener(listener, state.clone()).with_workers(threads);
    let done = tokio::spawn(async move {
        let _ = app
            .run_until(async {
                let _ = rx.await;
            })
            .await;
    });
    for _ in 0..200 {
        if state.is_listening() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Worker { url, state, stop: Some(tx), done: Some(done) }
}

impl Worker {
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}

/// Tenant-role backends on the server (roles `tenant_…`).
pub async fn tenant_backends(admin: &tokio_postgres::Client) -> i64 {
    admin.query_one("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'tenant\\_%'", &[]).await.unwrap().get(0)
}

/// Samples tenant backends every 50 ms until stopped; returns the maximum seen.
pub fn sample_backends(url: String) -> (Arc<AtomicBool>, tokio::task::JoinHandle<i64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let admin = test_support::admin_client_at(&url).await.unwrap();
        let mut max = 0;
        while !flag.load(Ordering::SeqCst) {
            max = std::cmp::max(max, tenant_backends(&admin).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        max
    });
    (stop, task)
}
