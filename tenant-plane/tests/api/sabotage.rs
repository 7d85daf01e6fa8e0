use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Options, TestApp, assert_error};

async fn wait_until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < limit, "{what}: not within {limit:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn warm_tenants_are_served_while_the_catalog_is_unreachable_and_missed_changes_apply_after() {
    let app = TestApp::spawn_with(Options { catalog_proxy: true, ..Options::default() }).await;
    let proxy = app.catalog_proxy.as_ref().unwrap();
    let (_, warm) = app.create_tenant("warm").await;
    let (_, changed) = app.create_tenant("changed").await;
    let (_, cold) = app.create_tenant("cold").await;
    for slug in [&warm, &changed] {
        assert_eq!(app.tp(Method::GET, slug, "/v1/notes", None).await.status, StatusCode::OK);
    }

    // The catalog goes away for the tenant plane (its LISTEN connection too).
    proxy.cut().await;
    wait_until("listener notices", Duration::from_secs(5), async || !app.tp_state.is_listening()).await;

    let read = app.tp(Method::GET, &warm, "/v1/notes", None).await;
    let write = app.tp(Method::POST, &warm, "/v1/notes", Some(json!({ "title": "during the outage" }))).await;
    assert_eq!(read.status, StatusCode::OK, "{:?}", read.body);
    assert_eq!(write.status, StatusCode::CREATED, "{:?}", write.body);
    // The worker stays in rotation, degraded.
    let ready: serde_json::Value =
        app.http.get(format!("{}/ready", app.tp)).send().await.unwrap().json().await.unwrap();
    assert_eq!(ready["status"], "degraded");
    // A tenant this worker never served cannot be resolved without the catalog.
    assert_error(
        &app.tp(Method::GET, &cold, "/v1/notes", None).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVICE_UNAVAILABLE",
    );
    // A change made meanwhile cannot reach this worker yet.
    let suspended = app.cp(Method::POST, &format!("/v1/tenants/{changed}/suspend"), None).await;
    assert_eq!(suspended.status, StatusCode::OK);

    // The catalog comes back: the worker reconnects, flushes, and sees what it missed.
    proxy.restore().await.unwrap();
    wait_until("listener reconnects", Duration::from_secs(15), async || app.tp_state.is_listening()).await;
    wait_until("missed suspension applies", Duration::from_secs(5), async || {
        app.tp(Method::GET, &changed, "/v1/notes", None).await.status == StatusCode::FORBIDDEN
    })
    .await;
    wait_until("cold tenant served", Duration::from_secs(5), async || {
        app.tp(Method::GET, &cold, "/v1/notes", None).await.status == StatusCode::OK
    })
    .await;
    assert_eq!(app.tp(Method::GET, &warm, "/v1/notes", None).await.body["items"].as_array().unwrap().len(), 1);
    app.cleanup().await;
}
