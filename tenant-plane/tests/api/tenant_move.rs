//! `POST /v1/tenants/{tenant}/move` end to end: a tenant's database moves to a second real
//! cluster through the control plane, and the running tenant plane serves it from there.

use std::time::Duration;

use catalog::ServerKind;
use domain::{TenantId, TenantStatus};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

#[tokio::test]
async fn a_moved_tenant_is_served_from_its_new_server_with_its_data() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("mv").await;
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "written before the move" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    app.platform.add_server("second", &test_support::extra_cluster_url("c", "postgres"), ServerKind::Platform).await;
    let path = format!("/v1/tenants/{slug}/move");

    // Bad requests change nothing.
    for (body, field) in [(json!({ "server": "nowhere" }), "server"), (json!({ "server": "default" }), "server")] {
        let res = app.cp(Method::POST, &path, Some(body)).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], field, "{:?}", res.body);
    }
    let res = app.cp(Method::POST, &path, Some(json!({ "server": "second", "now": true }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    let res = app.cp(Method::POST, &path, Some(json!({ "server": "second" }))).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(
        (res.body["status"].as_str(), res.body["database"]["server"].as_str()),
        (Some("active"), Some("second"))
    );

    // The tenant plane reads the note from the new server and writes there.
    let notes = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    assert_eq!(notes.status, StatusCode::OK, "{:?}", notes.body);
    assert!(notes.body.to_string().contains("written before the move"), "{:?}", notes.body);
    let after = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "written after" }))).await;
    assert_eq!(after.status, StatusCode::CREATED, "{:?}", after.body);
    let placement = app.platform.catalog.placement(TenantId::from_uuid(id.parse().unwrap())).await.unwrap().unwrap();
    let second = test_support::extra_cluster_url("c", &placement.database_name);
    let titles =
        test_support::admin_client_at(&second).await.unwrap().query("SELECT title FROM notes", &[]).await.unwrap();
    assert_eq!(titles.len(), 2, "both notes are in the database on the new server");

    // Evacuating: only a draining server, with a sane concurrency; the moved tenant has left.
    let evacuate = |body| app.cp(Method::POST, "/v1/servers/default/evacuate", Some(body));
    assert_error(&evacuate(json!({})).await, StatusCode::CONFLICT, "INVALID_STATE");
    assert_error(&evacuate(json!({ "concurrency": 0 })).await, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let res = app.cp(Method::PATCH, "/v1/servers/default", Some(json!({ "state": "draining" }))).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let res = evacuate(json!({ "to": "second" })).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert!(!res.body["moved"].to_string().contains(&slug), "{:?}", res.body);

    let audit = app.cp(Method::GET, "/v1/audit-events?limit=50", None).await;
    assert!(audit.body["items"].as_array().unwrap().iter().any(|e| e["action"] == "tenant.move"), "{:?}", audit.body);
    app.cleanup().await;
}

#[tokio::test]
async fn a_tenant_being_moved_answers_503_tenant_moving() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("mvw").await;
    let tenant = TenantId::from_uuid(id.parse().unwrap());
    app.platform.catalog.transition_tenant(tenant, &[TenantStatus::Active], TenantStatus::Moving, None).await.unwrap();
    let mut res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    for _ in 0..40 {
        if res.status == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    }
    assert_error(&res, StatusCode::SERVICE_UNAVAILABLE, "TENANT_MOVING");
    // A second move of a tenant already moving is refused.
    app.platform.add_server("second", &test_support::extra_cluster_url("c", "postgres"), ServerKind::Platform).await;
    let res = app.cp(Method::POST, &format!("/v1/tenants/{slug}/move"), Some(json!({ "server": "second" }))).await;
    assert_error(&res, StatusCode::CONFLICT, "INVALID_STATE");
    app.cleanup().await;
}
