//! An operator's changes inside a tenant: the first admin invited instead of given a password,
//! a new owner invitation, and the tenant's branding — each landing in the tenant's own
//! (hash-chained) audit log, and only in that tenant.

use provisioner::testing::unique_slug;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_error};

/// The new owner accepts an invitation and gets an access token.
async fn accept(app: &TestApp, slug: &str, token: &str) -> String {
    let body = json!({ "token": token, "password": PASSWORD, "name": "First Owner" });
    let joined = app.tp_anon(Method::POST, slug, "/v1/auth/accept-invitation", Some(body)).await;
    assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
    let access = joined.body["accessToken"].as_str().unwrap().to_owned();
    test_support::record_secret(&access);
    access
}

fn actions(log: &Value) -> Vec<(String, String)> {
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap_or_default().to_owned(), e["actorId"].as_str().unwrap_or("").to_owned()))
        .collect()
}

#[tokio::test]
async fn an_invited_first_admin_joins_with_the_token_shown_once_and_a_new_invitation_replaces_it() {
    let app = TestApp::spawn().await;
    let slug = unique_slug("invited");
    let email = format!("boss@{slug}.test");
    let created = app
        .cp(
            Method::POST,
            "/v1/tenants",
            Some(json!({ "slug": slug, "displayName": "Invited Co", "admin": { "email": email } })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    assert_eq!(created.body["status"], "active");
    assert_eq!(created.body["adminInvitation"]["email"], email.as_str());
    let first_token = created.body["adminInvitation"]["token"].as_str().unwrap().to_owned();
    test_support::record_secret(&first_token);
    // Nobody can sign in yet: the tenant has no user until the invitation is accepted.
    let login =
        app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": email, "password": PASSWORD }))).await;
    assert_error(&login, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    // The token is not in the job the console can read back.
    let jobs = app.cp(Method::GET, &format!("/v1/tenants/{slug}/jobs"), None).await;
    assert!(!jobs.body.to_string().contains(&first_token), "{:?}", jobs.body);

    // The operator issues a new invitation for the same address: the first token stops working.
    let reissued =
        app.cp(Method::POST, &format!("/v1/tenants/{slug}/admin-invitation"), Some(json!({ "email": email }))).await;
    assert_eq!(reissued.status, StatusCode::CREATED, "{:?}", reissued.body);
    let token = reissued.body["token"].as_str().unwrap().to_owned();
    test_support::record_secret(&token);
    assert_ne!(token, first_token);
    let stale = app
        .tp_anon(
            Method::POST,
            &slug,
            "/v1/auth/accept-invitation",
            Some(json!({ "token": first_token, "password": PASSWORD })),
        )
        .await;
    assert_error(&stale, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let access = accept(&app, &slug, &token).await;
    let me = app.tp_as(Some(&access), Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.body["role"], "owner", "{:?}", me.body);

    // An existing user cannot be invited again; a bad address is a validation error.
    let again =
        app.cp(Method::POST, &format!("/v1/tenants/{slug}/admin-invitation"), Some(json!({ "email": email }))).await;
    assert_error(&again, StatusCode::CONFLICT, "CONFLICT");
    let bad = app
        .cp(Method::POST, &format!("/v1/tenants/{slug}/admin-invitation"), Some(json!({ "email": "not-an-address" })))
        .await;
    assert_error(&bad, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(bad.body["error"]["details"]["field"], "email");

    // The tenant's own log names the operator; the chain still verifies.
    let log = app.tp_as(Some(&access), Method::GET, &slug, "/v1/audit-logs?limit=100", None).await;
    let seen = actions(&log.body);
    assert!(seen.iter().any(|(action, actor)| action == "user.invited" && actor.starts_with("operator:")), "{seen:?}");
    let id = domain::TenantId::from_uuid(created.body["id"].as_str().unwrap().parse().unwrap());
    let report = provisioner::verify_audit_log(&app.provisioner, id, None).await.unwrap();
    assert!(report.broken.is_none(), "{report:?}");

    // A suspended tenant's database is left alone.
    app.cp(Method::POST, &format!("/v1/tenants/{slug}/suspend"), Some(json!({ "reason": "test" }))).await;
    let suspended = app
        .cp(Method::POST, &format!("/v1/tenants/{slug}/admin-invitation"), Some(json!({ "email": "x@y.test" })))
        .await;
    assert_error(&suspended, StatusCode::CONFLICT, "INVALID_STATE");
    app.cleanup().await;
}

#[tokio::test]
async fn an_operator_sets_one_tenants_branding_and_its_portal_shows_it_and_no_other() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("brand").await;
    let (_, other) = app.create_tenant("plain").await;
    let path = format!("/v1/tenants/{slug}/branding");

    let empty = app.cp(Method::GET, &path, None).await;
    assert_eq!((empty.status, empty.body.clone()), (StatusCode::OK, json!({})));
    for (body, field) in [
        (json!({ "primaryColor": "teal" }), "primaryColor"),
        (json!({ "logoUrl": "http://cdn.example.com/logo.png" }), "logoUrl"),
    ] {
        let res = app.cp(Method::PUT, &path, Some(body)).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], field);
    }
    let unknown = app.cp(Method::PUT, &path, Some(json!({ "font": "Comic Sans" }))).await;
    assert_error(&unknown, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    let branding = json!({ "primaryColor": "#0b7285", "logoUrl": "https://cdn.example.com/logo.svg" });
    let saved = app.cp(Method::PUT, &path, Some(branding.clone())).await;
    assert_eq!((saved.status, saved.body.clone()), (StatusCode::OK, branding.clone()));
    assert_eq!(app.cp(Method::GET, &path, None).await.body, branding);

    // The portal reads it from the tenant's database; the other tenant is untouched.
    let profile = app.tp_anon(Method::GET, &slug, "/v1/tenant", None).await;
    assert_eq!(profile.body["branding"], branding);
    let untouched = app.tp_anon(Method::GET, &other, "/v1/tenant", None).await;
    assert_eq!(untouched.body["branding"], json!({}));
    let log = app.tp(Method::GET, &slug, "/v1/audit-logs?action=tenant.updated", None).await;
    let seen = actions(&log.body);
    assert!(seen.iter().any(|(_, actor)| actor.starts_with("operator:")), "{seen:?}");
    let other_log = app.tp(Method::GET, &other, "/v1/audit-logs?action=tenant.updated", None).await;
    assert!(actions(&other_log.body).is_empty());

    let missing = app.cp(Method::GET, "/v1/tenants/no-such-tenant/branding", None).await;
    assert_error(&missing, StatusCode::NOT_FOUND, "NOT_FOUND");
    app.cleanup().await;
}
