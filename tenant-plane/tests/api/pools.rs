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
