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

type Job = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

/// A single-threaded runtime on a thread of its own, as an actix worker thread runs requests:
/// it runs the jobs it is given and keeps polling its tasks between them, until stopped.
struct OtherWorkerThread {
    jobs: Option<tokio::sync::mpsc::UnboundedSender<Job>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl OtherWorkerThread {
    fn start() -> Self {
        let (jobs, mut inbox) = tokio::sync::mpsc::unbounded_channel::<Job>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async move {
                while let Some(job) = inbox.recv().await {
                    job.await;
                }
            });
        });
        Self { jobs: Some(jobs), thread: Some(thread) }
    }

    /// Runs `job` there; the caller's runtime keeps running meanwhile.
    async fn run<T: Send + 'static>(&self, job: impl std::future::Future<Output = T> + Send + 'static) -> T {
        let (result_tx, result_rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::pin(async move {
            let _ = result_tx.send(job.await);
        });
        self.jobs.as_ref().unwrap().send(job).unwrap();
        tokio::time::timeout(Duration::from_secs(20), result_rx).await.expect("other thread's job").unwrap()
    }

    /// Ends the thread and drops its runtime with every task still on it.
    fn stop(mut self) {
        drop(self.jobs.take());
        self.thread.take().unwrap().join().unwrap();
    }
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
    let other_thread = OtherWorkerThread::start();
    let other_pool = pool.clone();
    let (other_pid, driven_by, other) = other_thread
        .run(async move {
            let client = other_pool.get().await.unwrap();
            let pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
            (pid, client.driven_by(), tokio::runtime::Handle::current().id())
        })
        .await;
    assert_eq!(other_pid, first_pid, "the pool's one connection was replaced instead of moved");
    assert_eq!(driven_by, Some(other));
    assert_ne!(other, here);

    // And back here.
    let client = pool.get().await.unwrap();
    let pid: i32 = client.query_one(backend, &[]).await.unwrap().get(0);
    assert_eq!((pid, client.driven_by()), (first_pid, Some(here)));
    assert_eq!(pools.stats().opened, opened, "moving between threads must not open connections");
    drop(client);
    other_thread.stop();

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
    until_no_connection_is_held(&pools, "the closed connection still holds its budget slot").await;
    let client = pool.get().await.unwrap();
    let new_pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
    assert_ne!(new_pid, pid);
    drop(client);
    app.cleanup().await;
}

/// Checks the pool's connection out on the current runtime and returns its backend pid.
async fn check_out_and_query(pool: tenant_plane::TenantPool) -> (i32, usize) {
    let client = pool.get().await.unwrap();
    let pid: i32 = client.query_one("SELECT pg_backend_pid()", &[]).await.unwrap().get(0);
    (pid, client.driver_tasks())
}

/// Waits until the worker holds no tenant connection (an ended one frees its slot).
async fn until_no_connection_is_held(pools: &tenant_plane::PoolRegistry, why: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while pools.connections_in_use() != 0 {
        assert!(tokio::time::Instant::now() < deadline, "{why}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_connection_moving_between_worker_threads_keeps_one_driver_per_thread_and_they_end_with_it() {
    let (app, pool) = one_connection_pool("bounce").await;
    let pools = app.tp_state.pools().clone();
    let other = OtherWorkerThread::start();
    let (pid, _) = check_out_and_query(pool.clone()).await;
    let opened = pools.stats().opened;

    for _ in 0..5 {
        let (there, drivers) = other.run(check_out_and_query(pool.clone())).await;
        assert_eq!((there, drivers), (pid, 2), "one driver per runtime, not one per move");
        let (here, drivers) = check_out_and_query(pool.clone()).await;
        assert_eq!((here, drivers), (pid, 2));
    }
    assert_eq!(pools.stats().opened, opened, "moving between threads must not open connections");
    let tasks_there = || async { tokio::runtime::Handle::current().metrics().num_alive_tasks() };
    assert_eq!(other.run(tasks_there()).await, 1, "the other thread keeps its driver parked");

    // The server closes the connection while it is driven here: the parked driver there ends too.
    let admin = test_support::admin_client("postgres").await.unwrap();
    admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).await.unwrap();
    until_no_connection_is_held(&pools, "the closed connection still holds its budget slot").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while other.run(tasks_there()).await != 0 {
        assert!(tokio::time::Instant::now() < deadline, "a parked driver outlived its connection");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    other.stop();
    app.cleanup().await;
}

#[tokio::test]
async fn a_connection_whose_worker_thread_ends_is_driven_by_another_and_still_noticed_when_closed() {
    let (app, pool) = one_connection_pool("handover").await;
    let pools = app.tp_state.pools().clone();
    let (pid, _) = check_out_and_query(pool.clone()).await;
    // The other thread checks it out last, then ends while driving it (idle in the pool).
    let other = OtherWorkerThread::start();
    assert_eq!(other.run(check_out_and_query(pool.clone())).await.0, pid);
    other.stop();

    // Nothing checks it out here: only a driver that took over can notice the server closing it.
    let admin = test_support::admin_client("postgres").await.unwrap();
    admin.execute("SELECT pg_terminate_backend($1)", &[&pid]).await.unwrap();
    until_no_connection_is_held(&pools, "no thread drives the connection its thread left").await;
    let (new_pid, _) = check_out_and_query(pool.clone()).await;
    assert_ne!(new_pid, pid);
    app.cleanup().await;
}

#[tokio::test]
async fn a_restarted_workers_webhook_sweep_checks_every_tenant_one_at_a_time_and_keeps_no_connection() {
    let mut app = TestApp::spawn().await;
    const TENANTS: usize = 6;
    for _ in 0..TENANTS {
        app.create_tenant("swept").await;
    }
    // A new worker looks at every active tenant's webhook outbox once (a login each).
    let (_, worker) = app.spawn_second_tenant_plane(Duration::from_secs(60)).await;
    let pools = worker.pools().clone();
    let mut most = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while pools.stats().opened < TENANTS as u64 || pools.connections_in_use() > 0 {
        assert!(tokio::time::Instant::now() < deadline, "the start sweep did not finish: {:?}", pools.stats());
        most = most.max(pools.connections_in_use());
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // One tenant at a time, each connection closed after its look (the next may open while the
    // last one's socket closes): never the whole budget, and nothing held for tenants it does
    // not serve.
    assert!(most <= 2, "the sweep held {most} connections at once");
    assert_eq!(pools.stats().opened, TENANTS as u64, "one login per tenant");
    assert_eq!(pools.tenants(), Vec::<uuid::Uuid>::new(), "no pool kept for tenants the worker does not serve");
    app.cleanup().await;
}
