//! Rate limits and login lockout, met on purpose.

use std::num::NonZeroU32;

use reqwest::{Method, StatusCode};
use serde_json::json;
use tenant_plane::RateLimitSettings;

use crate::helpers::{Options, PASSWORD, TestApp, assert_error, into_response};

fn limited(auth_per_minute: u32, api: &str) -> Options {
    Options {
        limits: RateLimitSettings {
            auth_per_minute: NonZeroU32::new(auth_per_minute).unwrap(),
            api: api.parse().unwrap(),
            api_plans: Vec::new(),
        },
        ..Options::default()
    }
}

#[tokio::test]
async fn the_sixth_login_in_a_minute_gets_429_and_another_tenant_is_unaffected() {
    let app = TestApp::spawn_with(limited(5, "1000/300")).await;
    let (_, a) = app.create_tenant("lim-a").await;
    let (_, b) = app.create_tenant("lim-b").await;
    let body = json!({ "email": format!("owner@{a}.test"), "password": PASSWORD });
    for i in 0..5 {
        let res = app.tp_anon(Method::POST, &a, "/v1/auth/login", Some(body.clone())).await;
        assert_eq!(res.status, StatusCode::OK, "login {i}: {:?}", res.body);
        test_support::record_secret(res.body["accessToken"].as_str().unwrap());
        test_support::record_secret(res.body["refreshToken"].as_str().unwrap());
    }
    let req = app
        .tp_request(Method::POST, Some(&format!("{a}.{}", crate::helpers::BASE_DOMAIN)), "/v1/auth/login")
        .json(&body);
    let sixth = req.send().await.unwrap();
    let retry_after: u64 = sixth.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert_error(&into_response(sixth).await, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    // Register and accept-invitation share the budget.
    let register = app
        .tp_anon(Method::POST, &a, "/v1/auth/register", Some(json!({ "email": "n@x.io", "password": PASSWORD })))
        .await;
    assert_error(&register, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    // B, from the same address, is unaffected.
    assert!(app.owner_token(&b).await.is_some());
    app.cleanup().await;
}

#[tokio::test]
async fn the_tenant_api_budget_counts_authenticated_requests_per_tenant_and_is_announced() {
    let app = TestApp::spawn_with(limited(1000, "8/300")).await;
    let (_, a) = app.create_tenant("api-a").await;
    let (_, b) = app.create_tenant("api-b").await;
    let host = format!("{a}.{}", crate::helpers::BASE_DOMAIN);
    // An anonymous flood from another client address spends that client's ceiling (4 x 8),
    // not the tenant's budget.
    let other_client =
        reqwest::Client::builder().local_address(std::net::IpAddr::from([127, 0, 0, 2])).build().unwrap();
    let anonymous = |c: &reqwest::Client| c.get(format!("{}/v1/tenant", app.tp)).header("host", &host).send();
    for i in 0..32 {
        assert_eq!(anonymous(&other_client).await.unwrap().status(), StatusCode::OK, "anonymous request {i}");
    }
    let cut_off = anonymous(&other_client).await.unwrap();
    assert!(cut_off.headers().contains_key("retry-after"));
    assert_error(&into_response(cut_off).await, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");

    let token = app.owner_token(&a).await.unwrap();
    let mut remaining = Vec::new();
    for _ in 0..8 {
        let res = app.tp_request(Method::GET, Some(&host), "/v1/notes").bearer_auth(&token).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()["ratelimit-limit"], "8");
        assert_eq!(res.headers()["ratelimit-policy"], "8;w=300");
        remaining.push(res.headers()["ratelimit-remaining"].to_str().unwrap().parse::<u32>().unwrap());
    }
    assert_eq!(remaining, vec![7, 6, 5, 4, 3, 2, 1, 0]);
    let refused = app.tp_request(Method::GET, Some(&host), "/v1/notes").bearer_auth(&token).send().await.unwrap();
    assert!(refused.headers().contains_key("retry-after"));
    assert_error(&into_response(refused).await, StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    // Another tenant has its own budget; health checks are not tenant requests.
    assert_eq!(app.tp(Method::GET, &b, "/v1/notes", None).await.status, StatusCode::OK);
    assert_eq!(app.tp_request(Method::GET, Some(&host), "/health").send().await.unwrap().status(), StatusCode::OK);
    app.cleanup().await;
}

#[tokio::test]
async fn ten_failed_logins_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn().await;
    let (id, slug) = app.create_tenant("lockout").await;
    let email = format!("owner@{slug}.test");
    let started = std::time::Instant::now();
    for _ in 0..10 {
        let res = app
            .tp_anon(
                Method::POST,
                &slug,
                "/v1/auth/login",
                Some(json!({ "email": email, "password": "not the password" })),
            )
            .await;
        assert_error(&res, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    }
    // Failures slow the answers down (50 ms more per failure of the address).
    assert!(started.elapsed() >= std::time::Duration::from_millis(50 * 55), "{:?}", started.elapsed());
    let locked =
        app.tp_anon(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": email, "password": PASSWORD }))).await;
    assert_error(&locked, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let db = test_support::admin_client(&format!("tenant_{}", id.replace('-', ""))).await.unwrap();
    let row = db
        .query_one(
            "SELECT failed_logins, locked_until > now() + interval '14 minutes' FROM users WHERE email = $1",
            &[&email],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i32>(0), row.get::<_, bool>(1)), (11, true));
    let locks: i64 = db
        .query_one("SELECT count(*) FROM audit.events WHERE action = 'auth.account_locked'", &[])
        .await
        .unwrap()
        .get(0);
    assert!(locks >= 1);
    // When the lock expires, the right password works and the count starts over.
    db.execute("UPDATE users SET locked_until = now() - interval '1 second' WHERE email = $1", &[&email])
        .await
        .unwrap();
    assert!(!app.login_as(&slug, &email).await.is_empty());
    let failures: i32 =
        db.query_one("SELECT failed_logins FROM users WHERE email = $1", &[&email]).await.unwrap().get(0);
    assert_eq!(failures, 0);
    app.cleanup().await;
}

#[tokio::test]
async fn body_limits_are_set_per_route() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("bodies").await;
    let padding = "x".repeat(12 * 1024);
    // Sign-in bodies: 8 KiB.
    let login = app
        .tp_anon(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": "a@b.io", "password": padding })))
        .await;
    assert_error(&login, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    assert!(login.body["error"]["message"].as_str().unwrap().contains("8192"));
    // Settings: 16 KiB.
    let big = "y".repeat(20 * 1024);
    let profile = app.tp(Method::PATCH, &slug, "/v1/tenant", Some(json!({ "displayName": big }))).await;
    assert_error(&profile, StatusCode::PAYLOAD_TOO_LARGE, "PAYLOAD_TOO_LARGE");
    // Free text keeps 64 KiB: the same size reaches validation instead.
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "t", "body": big }))).await;
    assert_error(&note, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let fits = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "t", "body": "z".repeat(9_000) }))).await;
    assert_eq!(fits.status, StatusCode::CREATED);
    app.cleanup().await;
}
