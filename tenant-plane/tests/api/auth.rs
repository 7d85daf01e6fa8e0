use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{BASE_DOMAIN, PASSWORD, TestApp, assert_error, into_response};

async fn login(app: &TestApp, slug: &str) -> Value {
    let res = app
        .tp_anon(
            Method::POST,
            slug,
            "/v1/auth/login",
            Some(json!({ "email": format!("owner@{slug}.test"), "password": PASSWORD })),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    test_support::record_secret(res.body["accessToken"].as_str().unwrap());
    test_support::record_secret(res.body["refreshToken"].as_str().unwrap());
    res.body
}

async fn me(app: &TestApp, slug: &str, access_token: &str) -> crate::helpers::Response {
    let req = app.tp_request(Method::GET, Some(&format!("{slug}.{BASE_DOMAIN}")), "/v1/me").bearer_auth(access_token);
    into_response(req.send().await.unwrap()).await
}

#[tokio::test]
async fn a_token_minted_for_one_tenant_is_refused_at_another() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("auth-a").await;
    let (_, b) = app.create_tenant("auth-b").await;

    let tokens = login(&app, &a).await;
    let access = tokens["accessToken"].as_str().unwrap();
    let at_a = me(&app, &a, access).await;
    assert_eq!(at_a.status, StatusCode::OK, "{:?}", at_a.body);
    assert_eq!(at_a.body["email"], format!("owner@{a}.test"));
    assert_eq!(at_a.body["role"], "owner");
    assert_error(&me(&app, &b, access).await, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    // B's own token works at B, and A's refresh token is unknown there.
    let b_tokens = login(&app, &b).await;
    assert_eq!(me(&app, &b, b_tokens["accessToken"].as_str().unwrap()).await.status, StatusCode::OK);
    let cross = app
        .tp_anon(Method::POST, &b, "/v1/auth/refresh", Some(json!({ "refreshToken": tokens["refreshToken"] })))
        .await;
    assert_error(&cross, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    // The token names its signing key, published in A's JWKS only.
    let header = access.split('.').next().unwrap();
    use base64::Engine;
    let header: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    let kid = header["kid"].as_str().unwrap();
    let jwks_a = app.tp_anon(Method::GET, &a, "/.well-known/jwks.json", None).await;
    assert!(jwks_a.body["keys"].as_array().unwrap().iter().any(|k| k["kid"] == kid));
    app.cleanup().await;
}

#[tokio::test]
async fn bad_credentials_and_tokens_are_refused_alike() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("auth-bad").await;
    for body in [
        json!({ "email": format!("owner@{a}.test"), "password": "wrong password here" }),
        json!({ "email": "nobody@example.com", "password": PASSWORD }),
    ] {
        assert_error(
            &app.tp_anon(Method::POST, &a, "/v1/auth/login", Some(body)).await,
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
        );
    }
    for token in ["", "not-a-jwt", "a.b.c"] {
        assert_error(&me(&app, &a, token).await, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    let no_header =
        into_response(app.tp_request(Method::GET, Some(&format!("{a}.{BASE_DOMAIN}")), "/v1/me").send().await.unwrap())
            .await;
    assert_error(&no_header, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    app.cleanup().await;
}

#[tokio::test]
async fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let (a_id, a) = app.create_tenant("auth-rot").await;
    let first = login(&app, &a).await;

    let second =
        app.tp_anon(Method::POST, &a, "/v1/auth/refresh", Some(json!({ "refreshToken": first["refreshToken"] }))).await;
    assert_eq!(second.status, StatusCode::OK, "{:?}", second.body);
    assert_ne!(second.body["refreshToken"], first["refreshToken"]);
    assert_eq!(me(&app, &a, second.body["accessToken"].as_str().unwrap()).await.status, StatusCode::OK);

    // Refreshing never extends a session: the family keeps its first expiry.
    let db = test_support::admin_client(&format!("tenant_{}", a_id.replace('-', ""))).await.unwrap();
    let expiries: i64 =
        db.query_one("SELECT count(DISTINCT expires_at) FROM refresh_tokens", &[]).await.unwrap().get(0);
    assert_eq!(expiries, 1);

    // The first refresh token again: a stolen copy. It fails and takes the new one with it.
    let reuse =
        app.tp_anon(Method::POST, &a, "/v1/auth/refresh", Some(json!({ "refreshToken": first["refreshToken"] }))).await;
    assert_error(&reuse, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let after = app
        .tp_anon(Method::POST, &a, "/v1/auth/refresh", Some(json!({ "refreshToken": second.body["refreshToken"] })))
        .await;
    assert_error(&after, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // Logout ends a fresh session.
    let session = login(&app, &a).await;
    let out = app
        .tp_anon(Method::POST, &a, "/v1/auth/logout", Some(json!({ "refreshToken": session["refreshToken"] })))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    let refused = app
        .tp_anon(Method::POST, &a, "/v1/auth/refresh", Some(json!({ "refreshToken": session["refreshToken"] })))
        .await;
    assert_error(&refused, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    app.cleanup().await;
}
