use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, assert_error};

async fn status_within(app: &TestApp, slug: &str, expected: StatusCode, limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        let res = app.tp(Method::GET, slug, "/v1/notes", None).await;
        if res.status == expected {
            return started.elapsed();
        }
        assert!(started.elapsed() < limit, "{slug}: still {} after {limit:?}: {:?}", res.status, res.body);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn suspend_resume_and_delete_take_effect_at_once_on_a_running_tenant_plane() {
    let app = TestApp::spawn().await;
    let (a_id, a) = app.create_tenant("life-a").await;
    let (_, b) = app.create_tenant("life-b").await;
    // Warm both tenants' routes and pools.
    assert_eq!(app.tp(Method::GET, &a, "/v1/notes", None).await.status, StatusCode::OK);
    assert_eq!(app.tp(Method::GET, &b, "/v1/notes", None).await.status, StatusCode::OK);

    let suspended = app
        .cp(Method::POST, &format!("/v1/tenants/{a}/suspend"), Some(serde_json::json!({ "reason": "unpaid" })))
        .await;
    assert_eq!(suspended.body["status"], "suspended");
    status_within(&app, &a, StatusCode::FORBIDDEN, Duration::from_secs(1)).await;
    assert_error(&app.tp(Method::GET, &a, "/v1/notes", None).await, StatusCode::FORBIDDEN, "TENANT_SUSPENDED");
    assert_eq!(app.tp(Method::GET, &b, "/v1/notes", None).await.status, StatusCode::OK, "B keeps working");

    app.cp(Method::POST, &format!("/v1/tenants/{a}/resume"), None).await;
    status_within(&app, &a, StatusCode::OK, Duration::from_secs(1)).await;

    let deleted = app.cp(Method::DELETE, &format!("/v1/tenants/{a_id}"), None).await;
    assert_eq!(deleted.body["status"], "deleted", "{:?}", deleted.body);
    let name = format!("tenant_{}", a_id.replace('-', ""));
    let admin = test_support::admin_client("postgres").await.unwrap();
    let db = admin.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await.unwrap();
    let role = admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&name]).await.unwrap();
    assert!(db.is_none() && role.is_none(), "database and role are dropped");
    status_within(&app, &a, StatusCode::NOT_FOUND, Duration::from_secs(1)).await;
    assert_error(&app.tp(Method::GET, &a, "/v1/notes", None).await, StatusCode::NOT_FOUND, "TENANT_NOT_FOUND");
    assert_eq!(app.tp(Method::GET, &b, "/v1/notes", None).await.status, StatusCode::OK);

    // A deleted tenant's credentials stay shredded: no rotation recreates them.
    for action in ["rotate-signing-key", "rotate-db-credentials"] {
        let res = app.cp(Method::POST, &format!("/v1/tenants/{a_id}/{action}"), None).await;
        assert_error(&res, StatusCode::CONFLICT, "INVALID_STATE");
    }
    assert!(app.platform.catalog.data_key(&format!("tenant/{a_id}")).await.unwrap().is_none());

    // Every change is in the audit log.
    let audit = app.cp(Method::GET, &format!("/v1/audit-events?tenantId={a_id}"), None).await;
    let actions: Vec<_> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    for action in ["tenant.create", "tenant.suspend", "tenant.resume", "tenant.delete"] {
        assert!(actions.iter().any(|a| a == action), "{action} missing from {actions:?}");
    }
    app.cleanup().await;
}
