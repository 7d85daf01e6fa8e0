//! `/v1/servers` end to end: a tenant-hosted Postgres (a second real cluster) registered through
//! the control plane with its live check, a tenant pinned to it and served by the tenant plane.

use reqwest::{Method, StatusCode};
use serde_json::json;

use provisioner::testing::unique_slug;

use crate::helpers::{PASSWORD, TestApp, assert_error};

fn body(name: &str, admin_url: &str, password: Option<&str>) -> serde_json::Value {
    let url = url::Url::parse(admin_url).unwrap();
    json!({
        "name": name, "host": url.host_str().unwrap(), "port": url.port().unwrap(),
        "adminUser": url.username(), "adminPassword": password.or(url.password()),
        "kind": "tenant_hosted",
    })
}

#[tokio::test]
async fn a_tenant_hosted_server_is_registered_after_a_live_check_and_serves_its_tenant() {
    let app = TestApp::spawn().await;
    let url = test_support::extra_cluster_url("c", "postgres");
    let name = format!("agency-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    // Wrong credentials: refused with the check's reason; nothing stored.
    let res = app.cp(Method::POST, "/v1/servers", Some(body(&name, &url, Some("wrong-password")))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert!(res.body["error"]["details"]["check"].as_str().unwrap().contains("cannot connect"), "{:?}", res.body);
    assert_error(&app.cp(Method::GET, &format!("/v1/servers/{name}"), None).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    // Unknown fields and bad names are validation errors, not 500s.
    let mut extra = body(&name, &url, None);
    extra["sslCert"] = json!("x");
    assert_error(
        &app.cp(Method::POST, "/v1/servers", Some(extra)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    let res = app.cp(Method::POST, "/v1/servers", Some(body("Not A Name", &url, None))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "name");

    // The right ones: registered with what the check found; the password is never returned.
    let password = url::Url::parse(&url).unwrap().password().unwrap().to_owned();
    let mut good = body(&name, &url, None);
    good["capacity"] = json!(1);
    let res = app.cp(Method::POST, "/v1/servers", Some(good)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert!(!res.body.to_string().contains(&password));
    assert_eq!(res.body["server"]["kind"], "tenant_hosted");
    assert_eq!(res.body["server"]["placement"], "dedicated");
    assert_eq!(res.body["server"]["health"], "ok");
    assert!(res.body["check"]["version"].is_string());
    let list = app.cp(Method::GET, "/v1/servers", None).await;
    assert!(!list.body.to_string().contains(&password));
    assert!(list.body["items"].as_array().unwrap().iter().any(|s| s["name"] == name.as_str()));

    // A tenant pinned to it: provisioned there, served through the tenant plane.
    let slug = unique_slug("gov");
    let create = json!({ "slug": slug, "displayName": "Agency", "server": name,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.body["database"]["server"], name.as_str());
    let me = app.tp(Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    let tenants = app.cp(Method::GET, "/v1/tenants?limit=100", None).await;
    let listed =
        tenants.body["items"].as_array().unwrap().iter().find(|t| t["slug"] == slug.as_str()).cloned().unwrap();
    assert_eq!(listed["database"]["server"], name.as_str());
    assert_eq!(listed["database"]["serverHealth"], "ok");
    assert!(listed["database"]["schemaVersion"].is_string());

    // Dedicated and taken; draining; an occupied server cannot be removed.
    let other = unique_slug("gov");
    let create = json!({ "slug": other, "displayName": "Other", "server": name,
        "admin": { "email": format!("owner@{other}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "server");
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "state": "draining" }))).await;
    assert_eq!((res.status, res.body["state"].as_str()), (StatusCode::OK, Some("draining")));
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "state": "gone" }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "placement": "shared" }))).await;
    assert_error(&res, StatusCode::CONFLICT, "INVALID_STATE");
    assert_error(
        &app.cp(Method::DELETE, &format!("/v1/servers/{name}"), None).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );
    let res = app.cp(Method::POST, &format!("/v1/servers/{name}/check"), None).await;
    assert_eq!((res.status, res.body["server"]["health"].as_str()), (StatusCode::OK, Some("ok")), "{:?}", res.body);

    // Every action is in the control-plane audit log.
    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    let actions: Vec<_> = audit.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"server.register") && actions.contains(&"server.update"), "{actions:?}");

    // Offboarding frees it; then it can go.
    let res = app.cp(Method::DELETE, &format!("/v1/tenants/{slug}"), None).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let res = app.cp(Method::DELETE, &format!("/v1/servers/{name}"), None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    app.cleanup().await;
}
