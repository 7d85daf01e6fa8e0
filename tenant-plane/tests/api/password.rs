//! `POST /v1/me/password`: the current password is checked, the new one works, the old one
//! and every existing refresh token stop working; API keys cannot change passwords.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_error};

#[tokio::test]
async fn a_user_changes_their_password_and_their_other_sessions_end() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("pw").await;
    let email = format!("owner@{slug}.test");
    let login = |password: &str| json!({ "email": email, "password": password });
    let first = app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(login(PASSWORD))).await;
    let other = app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(login(PASSWORD))).await;
    let token = first.body["accessToken"].as_str().unwrap().to_owned();
    let other_refresh = other.body["refreshToken"].as_str().unwrap().to_owned();

    let wrong = json!({ "currentPassword": "not it at all", "newPassword": "a brand new passphrase" });
    let res = app.tp_as(Some(&token), Method::POST, &slug, "/v1/me/password", Some(wrong)).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "currentPassword");
    let short = json!({ "currentPassword": PASSWORD, "newPassword": "short" });
    let res = app.tp_as(Some(&token), Method::POST, &slug, "/v1/me/password", Some(short)).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "newPassword");

    let change = json!({ "currentPassword": PASSWORD, "newPassword": "a brand new passphrase" });
    let res = app.tp_as(Some(&token), Method::POST, &slug, "/v1/me/password", Some(change)).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);

    let old = app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(login(PASSWORD))).await;
    assert_error(&old, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let new = app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(login("a brand new passphrase"))).await;
    assert_eq!(new.status, StatusCode::OK);
    let refresh =
        app.tp_anon(Method::POST, &slug, "/v1/auth/refresh", Some(json!({ "refreshToken": other_refresh }))).await;
    assert_error(&refresh, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // An API key of the same user cannot do it.
    let new_token = new.body["accessToken"].as_str().unwrap().to_owned();
    let key = app
        .tp_as(
            Some(&new_token),
            Method::POST,
            &slug,
            "/v1/api-keys",
            Some(json!({ "name": "k", "scopes": ["users.read"] })),
        )
        .await;
    let key = key.body["secret"].as_str().unwrap().to_owned();
    let by_key = json!({ "currentPassword": "a brand new passphrase", "newPassword": "yet another passphrase" });
    let res = app.tp_as(Some(&key), Method::POST, &slug, "/v1/me/password", Some(by_key)).await;
    assert_error(&res, StatusCode::FORBIDDEN, "FORBIDDEN");
    app.cleanup().await;
}
