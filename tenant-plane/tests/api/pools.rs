use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::Duration,
};

use reqwest::{Method, StatusCode};

use crate::helpers::{Options, TestApp};

/// Samples the tenant plane's backends on `databases` until stopped; returns the maximum.
fn sample_backends(databases: Vec<String>) -> (Arc<AtomicBool>, tokio::task::JoinHandle<i64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let admin = test_support::admin_client("postgres").await.unwrap();
        let max = AtomicI64::new(0);
        while !flag.load(Ordering::SeqCst) {
            let n: i64 = admin
                .query_one(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tenantry-tenant-plane' AND datname = ANY($1)",
                    &[&databases],
                )
                .await
                .unwrap()
                .get(0);
            max.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        max.load(Ordering::SeqCst)
    });
    (stop, task)
}

fn database_of(id: &str) -> String {
    format!("tenant_{}", id.replace('-', ""))
}

#[tokio::test]
async fn all_tenant_pools_share_one_connection_budget_and_idle_connections_are_reclaimed() {
    let app = TestApp::spawn_with(Options { max_db_connections: 3, tenant_pool_max: 2, ..Options::default() }).await;
    let mut tenants = Vec::new();
    for _ in 0..5 {
        tenants.push(app.create_tenant("budget").await);
    }
    let (stop, sampler) = sample_backends(tenants.iter().map(|(id, _)| database_of(id)).collect());

    // One after another: each pool keeps its connection idle; the fourth tenant only gets one
    // because idle connections of the others are reclaimed.
    for (_, slug) in &tenants {
        let res = app.tp(Method::GET, slug, "/v1/notes", None).await;
        assert_eq!(res.status, StatusCode::OK, "{slug}: {:?}", res.body);
    }
    // All at once.
    let requests = (0..50).map(|i| {
        let slug = tenants[i % tenants.len()].1.clone();
        let app = &app;
        async move { app.tp(Method::GET, &slug, "/v1/notes", None).await.status }
    });
    let statuses = futures::future::join_all(requests).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");

    stop.store(true, Ordering::SeqCst);
    let max = sampler.await.unwrap();
    assert!(max <= 3, "the worker held {max} connections with a budget of 3");
    assert!(max >= 1);
    assert!(app.tp_state.pools().connections_in_use() <= 3);
    app.cleanup().await;
}

#[tokio::test]
async fn a_hundred_concurrent_first_requests_to_a_cold_tenant_open_at_most_its_pool() {
    let app = TestApp::spawn_with(Options { max_db_connections: 40, tenant_pool_max: 3, ..Options::default() }).await;
    let (id, slug) = app.create_tenant("cold").await;
    let (stop, sampler) = sample_backends(vec![database_of(&id)]);

    let requests = (0..100).map(|_| app.tp(Method::GET, &slug, "/v1/notes", None));
    let responses = futures::future::join_all(requests).await;

    stop.store(true, Ordering::SeqCst);
    let max = sampler.await.unwrap();
    assert!(responses.iter().all(|r| r.status == StatusCode::OK));
    assert!((1..=3).contains(&max), "cold tenant opened {max} connections with a pool of 3");
    assert_eq!(app.tp_state.pools().pool_count(), 1, "concurrent first requests share one pool");
    app.cleanup().await;
}

/// Runs `job` to completion on a single-threaded runtime of its own, on its own thread, as an
/// actix worker thread runs requests; the runtime stays alive (idle) until `stop` is sent. The
/// caller's runtime keeps running meanwhile (a connection it drives still answers).
async fn on_other_worker_thread<T: Send + 'static>(
    job: impl std::future::Future<Output = T> + Send + 'static,
) -> (T, std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>) {
    let (result_tx, result_rx) = tokio::sync::oneshot::channel();
    let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let _ = result_tx.send(runtime.block_on(job));
        let _ = stop_rx.recv();
        // Let a retired driver task end before the runtime goes.
        runtime.block_on(tokio::task::yield_now());
    });
    let result = tokio::time::timeout(Duration::from_secs(20), result_rx).await.expect("other thread's job").unwrap();
    (result, stop_tx, thread)
}

/// A worker whose tenant pools hold one connection, and the pool of a new tenant of it.
async fn one_connection_pool(prefix: &str) -> (TestApp, tenant_plane::TenantPool) {
    let app = TestApp::spawn_with(Options { tenant_pool_max: 1, ..Options::default() }).await;
    let (_, slug) = app.create_tenant(prefix).await;
    let route = app.tp_state.routes().get(tenant_plane::RouteKey::Slug(slug)).await.unwrap().unwrap();
    let pool = app.tp_state.pools().pool(route.id, route.db.as_ref().unwrap()).await.unwrap();
    (app, pool)
}

#[tokio::test]
async fn a_tenant_connection_is_driven_by_the_worker_thread_that_checks_it_out() {
    let (app, pool) = one_connection_pool("homing").await;
    let pools = app.tp_state.pools().clone();
    let here = tokio::runtime::Handle::current().id();
    let backend = "SELECT pg_backend_pid()";

    let client = pool.get().await.unwrap();
    let first_pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
    assert_eq!(client.driven_by(), Some(here));
    drop(client);
    let opened = pools.stats().opened;

    // Another worker thread checks the same connection out (pool of one): it is driven there,
    // and its queries are answered there.
    let other_pool = pool.clone();
    let ((other_pid, driven_by, other), stop, thread) = on_other_worker_thread(async move {
        let client = other_pool.get().await.unwrap();
        let pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
        (pid, client.driven_by(), tokio::runtime::Handle::current().id())
    })
    .await;
    assert_eq!(other_pid, first_pid, "the pool's one connection was replaced instead of moved");
    assert_eq!(driven_by, Some(other));
    assert_ne!(other, here);

    // And back here, with the other thread's runtime idle (not polling anything).
    let client = pool.get().await.unwrap();
    let pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
    assert_eq!((pid, client.driven_by()), (first_pid, Some(here)));
    assert_eq!(pools.stats().opened, opened, "moving between threads must not open connections");
    drop(client);
    stop.send(()).unwrap();
    thread.join().unwrap();

    // Still in use after the other runtime is gone.
    let client = pool.get().await.unwrap();
    let pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
    assert_eq!(pid, first_pid);
    drop(client);
    app.cleanup().await;
}

#[tokio::test]
async fn an_idle_tenant_connection_the_server_closes_frees_its_budget_slot_and_is_replaced() {
    let (app, pool) = one_connection_pool("closed").await;
    let pools = app.tp_state.pools().clone();
    let client = pool.get().await.unwrap();
    let pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
    drop(client);
    assert_eq!(pools.connections_in_use(), 1);

    let admin = test_support::admin_client("postgres").await.unwrap();
    admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).await.unwrap();
    // Noticed while idle: the slot comes back without any request.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while pools.connections_in_use() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "the closed connection still holds its budget slot");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let client = pool.get().await.unwrap();
    let new_pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
    assert_ne!(new_pid, pid);
    drop(client);
    app.cleanup().await;
}
