//! CI sandboxes end to end: an operator mints a `sandbox` API token; with it a pipeline brings a
//! sandbox up, uses it through the tenant plane, and tears it down — or lets it expire. Either
//! way nothing is left: no database, role, storage, secrets or catalog rows.

use domain::TenantId;
use reqwest::{Method, StatusCode};
use secrets::Scope;
use serde_json::json;

use crate::helpers::{TestApp, assert_error};

/// Whether anything of the sandbox is left anywhere.
async fn leftovers(app: &TestApp, id: TenantId) -> Vec<String> {
    let mut left = Vec::new();
    let role = domain::RoleName::for_tenant(&id).as_str().to_owned();
    let admin = test_support::admin_client("postgres").await.unwrap();
    if admin.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&role]).await.unwrap().is_some() {
        left.push("database".into());
    }
    if admin.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role]).await.unwrap().is_some() {
        left.push("role".into());
    }
    let catalog = test_support::admin_client(&app.platform.catalog_db).await.unwrap();
    for table in ["tenants", "tenant_databases", "tenant_storage", "tenant_migrations", "provisioning_jobs"] {
        let column = if table == "tenants" { "id" } else { "tenant_id" };
        let sql = format!("SELECT count(*) FROM {table} WHERE {column} = $1");
        let n: i64 = catalog.query_one(&sql, &[&id.as_uuid()]).await.unwrap().get(0);
        if n > 0 {
            left.push(table.into());
        }
    }
    let scope = Scope::Tenant(id);
    let secret = app.platform.catalog.latest_secret(&scope.key(), secrets::DB_PASSWORD).await.unwrap();
    if secret.is_some() {
        left.push("secret".into());
    }
    if let Some(dir) = &app.storage_dir
        && dir.path().join(format!("tenantry-{}", id.as_uuid().simple())).exists()
    {
        left.push("storage".into());
    }
    left
}

#[tokio::test]
async fn a_ci_token_brings_a_sandbox_up_uses_it_and_tears_it_down_leaving_nothing() {
    let app = TestApp::spawn().await;

    // The operator mints a sandbox token, shown once.
    let res = app.cp(Method::POST, "/v1/api-tokens", Some(json!({ "name": "ci pipeline" }))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let ci = res.body["token"].as_str().unwrap().to_owned();
    test_support::record_secret(&ci);
    assert_eq!(res.body["scope"], "sandbox");
    let listed = app.cp(Method::GET, "/v1/api-tokens", None).await;
    assert!(!listed.body.to_string().contains(&ci), "a token is shown once");

    // The CI token manages sandboxes and nothing else.
    let app_ref = &app;
    let cp = |method: Method, path: &str, body: Option<serde_json::Value>| {
        let ci = ci.clone();
        let path = path.to_owned();
        async move { app_ref.cp_raw(method, &path, body, Some(&ci)).await }
    };
    assert_error(&cp(Method::GET, "/v1/tenants", None).await, StatusCode::FORBIDDEN, "FORBIDDEN");
    assert_error(
        &cp(Method::POST, "/v1/api-tokens", Some(json!({ "name": "x" }))).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    let (_, regular) = app.create_tenant("reg").await;
    assert_error(
        &cp(Method::DELETE, &format!("/v1/sandboxes/{regular}"), None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    let bad = cp(Method::POST, "/v1/sandboxes", Some(json!({ "ttlSeconds": 5 }))).await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(bad.body["error"]["details"]["field"], "ttl");

    // Up: ready at once, with a working API key and admin login.
    let res = cp(Method::POST, "/v1/sandboxes", Some(json!({ "ttlSeconds": 600, "label": "job 42" }))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let slug = res.body["slug"].as_str().unwrap().to_owned();
    let id: TenantId = res.body["id"].as_str().unwrap().parse().unwrap();
    let key = res.body["apiKey"].as_str().unwrap().to_owned();
    let password = res.body["admin"]["password"].as_str().unwrap().to_owned();
    test_support::record_secret(&key);
    test_support::record_secret(&password);
    assert!(res.body["expiresAt"].is_string());
    let users = app.tp_as(Some(&key), Method::GET, &slug, "/v1/users", None).await;
    assert_eq!(users.status, StatusCode::OK, "{:?}", users.body);
    let invite = json!({ "email": "qa@example.com", "role": "staff" });
    assert_eq!(
        app.tp_as(Some(&key), Method::POST, &slug, "/v1/invitations", Some(invite)).await.status,
        StatusCode::CREATED
    );
    let login = json!({ "email": res.body["admin"]["email"], "password": password });
    let session = app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(login)).await;
    assert_eq!(session.status, StatusCode::OK, "{:?}", session.body);
    // The key is worthless at another tenant.
    let elsewhere = app.tp_as(Some(&key), Method::GET, &regular, "/v1/users", None).await;
    assert!(elsewhere.status.is_client_error());
    let listed = cp(Method::GET, "/v1/sandboxes", None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.body.to_string().contains(&key));

    // Down: nothing left, and the key is dead.
    assert_eq!(cp(Method::DELETE, &format!("/v1/sandboxes/{slug}"), None).await.status, StatusCode::NO_CONTENT);
    assert_eq!(leftovers(&app, id).await, Vec::<String>::new());
    assert!(app.tp_as(Some(&key), Method::GET, &slug, "/v1/users", None).await.status.is_client_error());
    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    assert!(audit.body.to_string().contains("sandbox.destroy"), "the audit log remembers it");

    // A revoked token is refused.
    let tokens = app.cp(Method::GET, "/v1/api-tokens", None).await;
    let token_id = tokens.body["items"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        app.cp(Method::DELETE, &format!("/v1/api-tokens/{token_id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(&cp(Method::GET, "/v1/sandboxes", None).await, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    app.cleanup().await;
}

#[tokio::test]
async fn expired_sandboxes_are_reaped_and_live_ones_and_regular_tenants_stay() {
    let app = TestApp::spawn().await;
    let app_ref = &app;
    let up = |ttl: u64| {
        let body = json!({ "ttlSeconds": ttl });
        async move {
            let res = app_ref.cp(Method::POST, "/v1/sandboxes", Some(body)).await;
            assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
            test_support::record_secret(res.body["apiKey"].as_str().unwrap());
            test_support::record_secret(res.body["admin"]["password"].as_str().unwrap());
            res.body["id"].as_str().unwrap().parse::<TenantId>().unwrap()
        }
    };
    let short = up(60).await;
    let long = up(3600).await;
    let (regular, _) = app.create_tenant("reg").await;

    // The reaper's sweep, as if two minutes had passed.
    let reaped = app.provisioner.reap_sandboxes(chrono::Utc::now() + chrono::Duration::minutes(2)).await.unwrap();
    assert_eq!(reaped, 1);
    assert_eq!(leftovers(&app, short).await, Vec::<String>::new());
    assert!(leftovers(&app, long).await.contains(&"database".to_owned()), "a live sandbox stays");
    let regular = app.cp(Method::GET, &format!("/v1/tenants/{regular}"), None).await;
    assert_eq!(regular.body["status"], "active", "regular tenants are never reaped");
    app.cleanup().await;
}
