//! The audit log as tenant admins read it: written by the actions themselves, filtered and
//! paginated, chained, and hidden from those without `audit.read`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_error};

fn actions(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn actions_are_audited_and_the_log_is_filtered_paginated_and_admin_only() {
    let app = TestApp::spawn().await;
    let (tenant_id, slug) = app.create_tenant("auditlog").await;
    let owner = app.tp(Method::GET, &slug, "/v1/me", None).await.body["id"].as_str().unwrap().to_owned();
    let (viewer_id, viewer) = app.add_user(&slug, "v@x.io", "viewer").await;
    app.tp_anon(
        Method::POST,
        &slug,
        "/v1/auth/login",
        Some(json!({ "email": "v@x.io", "password": "wrong password!!" })),
    )
    .await;
    app.tp(Method::PATCH, &slug, &format!("/v1/users/{viewer_id}"), Some(json!({ "role": "staff" }))).await;
    let key = app.tp(Method::POST, &slug, "/v1/api-keys", Some(json!({ "name": "k", "scopes": ["notes.read"] }))).await;
    test_support::record_secret(key.body["secret"].as_str().unwrap());
    app.tp(Method::DELETE, &slug, &format!("/v1/api-keys/{}", key.body["id"].as_str().unwrap()), None).await;
    app.tp(Method::PATCH, &slug, "/v1/tenant", Some(json!({ "displayName": "Audited" }))).await;

    let all = app.tp(Method::GET, &slug, "/v1/audit-logs?limit=200", None).await;
    assert_eq!(all.status, StatusCode::OK, "{:?}", all.body);
    let seen = actions(&all.body);
    for expected in [
        "auth.login",
        "user.invited",
        "invitation.accepted",
        "auth.login_failed",
        "user.role_changed",
        "api_key.created",
        "api_key.revoked",
        "tenant.updated",
    ] {
        assert!(seen.iter().any(|a| a == expected), "{expected} missing from {seen:?}");
    }
    // Newest first, numbered without gaps, each carrying its hash; never a secret.
    let seqs: Vec<i64> = all.body["items"].as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] == w[1] + 1), "{seqs:?}");
    assert!(!all.body.to_string().contains(key.body["secret"].as_str().unwrap()));
    assert!(!all.body.to_string().contains(PASSWORD));
    let change = all.body["items"].as_array().unwrap().iter().find(|e| e["action"] == "user.role_changed").unwrap();
    assert_eq!(
        (change["actorId"].as_str(), change["targetId"].as_str()),
        (Some(owner.as_str()), Some(viewer_id.as_str()))
    );
    assert_eq!(change["metadata"], json!({ "from": "viewer", "to": "staff" }));
    assert_eq!(change["ip"], "127.0.0.1");
    assert!(change["requestId"].is_string());

    // Filters: action, action prefix, actor, time; and pagination by cursor.
    let keys = app.tp(Method::GET, &slug, "/v1/audit-logs?action=api_key.", None).await;
    assert_eq!(actions(&keys.body), vec!["api_key.revoked", "api_key.created"]);
    let by_viewer = app.tp(Method::GET, &slug, &format!("/v1/audit-logs?actor={viewer_id}"), None).await;
    assert_eq!(actions(&by_viewer.body), vec!["invitation.accepted"]);
    let future = app.tp(Method::GET, &slug, "/v1/audit-logs?from=2999-01-01T00:00:00Z", None).await;
    assert!(actions(&future.body).is_empty());
    let mut paged = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let path = match cursor {
            Some(c) => format!("/v1/audit-logs?limit=3&cursor={c}"),
            None => "/v1/audit-logs?limit=3".to_owned(),
        };
        let page = app.tp(Method::GET, &slug, &path, None).await;
        paged.extend(actions(&page.body));
        match page.body["nextCursor"].as_i64() {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    // The listing above also added nothing: reads are not audited.
    assert_eq!(paged, seen);
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/audit-logs?limit=0", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/audit-logs?cursor=abc", None).await,
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY",
    );

    // Staff cannot read it; the chain verifies.
    assert_error(
        &app.tp_as(Some(&viewer), Method::GET, &slug, "/v1/audit-logs", None).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    let report =
        provisioner::verify_audit_log(&app.platform.provisioner(), tenant_id.parse().unwrap(), None).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows_checked as usize, seen.len());
    app.cleanup().await;
}
