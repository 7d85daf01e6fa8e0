//! API keys: shown once, routed on the key alone, scoped, revocable, tied to their creator.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, assert_error, into_response};

#[tokio::test]
async fn a_key_is_shown_once_routes_by_itself_and_does_only_what_its_scopes_allow() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("keys").await;
    let created = app
        .tp(Method::POST, &slug, "/v1/api-keys", Some(json!({ "name": "reporting", "scopes": ["notes.read"] })))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let key = created.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&key);
    let key_id = created.body["id"].as_str().unwrap().to_owned();

    // Listed without the secret (nor any longer part of it than the hint).
    let listed = app.tp(Method::GET, &slug, "/v1/api-keys", None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.body.to_string().contains(&key[..20]), "{:?}", listed.body);
    assert!(listed.body["items"][0]["lastUsedAt"].is_null());

    // The key alone names the tenant: no tenant host, header or path needed.
    let bare =
        into_response(app.tp_request(Method::GET, None, "/v1/notes").header("x-api-key", &key).send().await.unwrap())
            .await;
    assert_eq!(bare.status, StatusCode::OK, "{:?}", bare.body);
    // Scopes: it reads notes but cannot write them or manage keys.
    assert_error(
        &app.tp_as(Some(&key), Method::POST, &slug, "/v1/notes", Some(json!({ "title": "x" }))).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    assert_error(
        &app.tp_as(Some(&key), Method::GET, &slug, "/v1/api-keys", None).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    let me = app.tp_as(Some(&key), Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.body["permissions"], json!(["notes.read"]));
    // Use is recorded.
    let listed = app.tp(Method::GET, &slug, "/v1/api-keys", None).await;
    assert!(listed.body["items"][0]["lastUsedAt"].is_string());

    // A key cannot mint keys, whatever its scopes.
    let manager =
        app.tp(Method::POST, &slug, "/v1/api-keys", Some(json!({ "name": "m", "scopes": ["api_keys.manage"] }))).await;
    let manager_key = manager.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&manager_key);
    let minted = app
        .tp_as(
            Some(&manager_key),
            Method::POST,
            &slug,
            "/v1/api-keys",
            Some(json!({ "name": "child", "scopes": ["notes.read"] })),
        )
        .await;
    assert_error(&minted, StatusCode::FORBIDDEN, "FORBIDDEN");
    app.tp(Method::DELETE, &slug, &format!("/v1/api-keys/{}", manager.body["id"].as_str().unwrap()), None).await;

    // Revoked: refused at once.
    assert_eq!(
        app.tp(Method::DELETE, &slug, &format!("/v1/api-keys/{key_id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &app.tp_as(Some(&key), Method::GET, &slug, "/v1/notes", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    assert!(app.tp(Method::GET, &slug, "/v1/api-keys", None).await.body["items"].as_array().unwrap().is_empty());
    app.cleanup().await;
}

#[tokio::test]
async fn a_key_cannot_exceed_its_creator_and_dies_with_its_creators_access() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("keyown").await;
    let (admin_id, admin) = app.add_user(&slug, "admin@x.io", "admin").await;
    // Scopes must be real permissions, once each, and ones the creator has.
    for (scopes, status, code) in [
        (json!([]), StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED"),
        (json!(["root.everything"]), StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED"),
        (json!(["notes.read", "notes.read"]), StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED"),
    ] {
        let res = app
            .tp_as(Some(&admin), Method::POST, &slug, "/v1/api-keys", Some(json!({ "name": "k", "scopes": scopes })))
            .await;
        assert_error(&res, status, code);
    }
    let past = app
        .tp_as(
            Some(&admin),
            Method::POST,
            &slug,
            "/v1/api-keys",
            Some(json!({ "name": "k", "scopes": ["notes.read"], "expiresAt": "2020-01-01T00:00:00Z" })),
        )
        .await;
    assert_error(&past, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let created = app
        .tp_as(
            Some(&admin),
            Method::POST,
            &slug,
            "/v1/api-keys",
            Some(json!({ "name": "admin key", "scopes": ["users.read", "notes.read"] })),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    let key = created.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&key);
    assert_eq!(app.tp_as(Some(&key), Method::GET, &slug, "/v1/users", None).await.status, StatusCode::OK);

    // Demoting the creator narrows the key to what the creator still has.
    app.tp(Method::PATCH, &slug, &format!("/v1/users/{admin_id}"), Some(json!({ "role": "viewer" }))).await;
    assert_error(
        &app.tp_as(Some(&key), Method::GET, &slug, "/v1/users", None).await,
        StatusCode::FORBIDDEN,
        "FORBIDDEN",
    );
    assert_eq!(app.tp_as(Some(&key), Method::GET, &slug, "/v1/notes", None).await.status, StatusCode::OK);
    // Removing the creator ends the key.
    assert_eq!(
        app.tp(Method::DELETE, &slug, &format!("/v1/users/{admin_id}"), None).await.status,
        StatusCode::NO_CONTENT
    );
    assert_error(
        &app.tp_as(Some(&key), Method::GET, &slug, "/v1/notes", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    app.cleanup().await;
}
