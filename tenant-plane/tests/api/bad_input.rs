use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{BASE_DOMAIN, PASSWORD, TestApp, assert_error, into_response};

fn tenant_body(slug: &str) -> Value {
    json!({ "slug": slug, "displayName": "Bad Input", "admin": { "email": "owner@bad.test", "password": PASSWORD } })
}

#[tokio::test]
async fn bad_slugs_are_refused_with_the_documented_error() {
    let app = TestApp::spawn().await;
    let (_, taken) = app.create_tenant("taken").await;
    for slug in ["Acme", &"a".repeat(64), "-acme", "xn--acme", "www", "admin", "ab", "ac me", ""] {
        let res = app.cp(Method::POST, "/v1/tenants", Some(tenant_body(slug))).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], "slug", "{slug}");
    }
    let dup = app.cp(Method::POST, "/v1/tenants", Some(tenant_body(&taken))).await;
    assert_error(&dup, StatusCode::CONFLICT, "SLUG_TAKEN");
    app.cleanup().await;
}

#[tokio::test]
async fn malformed_bodies_get_the_error_body_and_never_a_500() {
    let app = TestApp::spawn().await;
    let url = format!("{}/v1/tenants", app.cp);
    let send = |body: reqwest::Body, content_type: &'static str| {
        app.http.post(&url).bearer_auth(&app.token).header("content-type", content_type).body(body).send()
    };
    let cases: Vec<(reqwest::Body, &str, StatusCode, &str)> = vec![
        (
            json!({ "slug": "missing-fields" }).to_string().into(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
        (
            json!({ "slug": 42, "displayName": "x", "admin": {"email": "a@b.io", "password": PASSWORD} })
                .to_string()
                .into(),
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
        (
            {
                let mut b = tenant_body("extra-field");
                b["color"] = json!("red");
                b.to_string().into()
            },
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
        (
            {
                let mut b = tenant_body("huge");
                b["displayName"] = json!("x".repeat(1024 * 1024));
                b.to_string().into()
            },
            "application/json",
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
        ),
        (
            {
                let mut b = tenant_body("long-name");
                b["displayName"] = json!("x".repeat(101));
                b.to_string().into()
            },
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
        ("{not json".into(), "application/json", StatusCode::BAD_REQUEST, "INVALID_JSON"),
        (
            tenant_body("wrong-type").to_string().into(),
            "text/plain",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
        ),
        (
            {
                let mut b = tenant_body("bad-mail");
                b["admin"]["email"] = json!("nobody");
                b.to_string().into()
            },
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
        (
            {
                let mut b = tenant_body("short-pw");
                b["admin"]["password"] = json!("short");
                b.to_string().into()
            },
            "application/json",
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        ),
    ];
    for (body, content_type, status, code) in cases {
        let res = into_response(send(body, content_type).await.unwrap()).await;
        assert_error(&res, status, code);
    }
    // Bad query strings and paths, unauthenticated calls, unknown routes.
    assert_error(&app.cp(Method::GET, "/v1/tenants?limit=abc", None).await, StatusCode::BAD_REQUEST, "INVALID_QUERY");
    assert_error(
        &app.cp(Method::GET, "/v1/tenants?limit=0", None).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(&app.cp(Method::GET, "/v1/jobs/not-a-uuid", None).await, StatusCode::BAD_REQUEST, "INVALID_PATH");
    assert_error(
        &app.cp_raw(Method::GET, "/v1/tenants", None, None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    assert_error(
        &app.cp_raw(Method::GET, "/v1/tenants", None, Some("forged")).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    assert_error(&app.cp(Method::GET, "/v1/nope", None).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    // Nothing was created by any of it.
    assert_eq!(app.cp(Method::GET, "/v1/tenants", None).await.body["items"].as_array().unwrap().len(), 0);
    // The tenant plane answers malformed notes the same way.
    let (_, slug) = app.create_tenant("notes").await;
    assert_error(
        &app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "" }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(
        &app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "x", "evil": 1 }))).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(
        &app.tp(Method::GET, &slug, "/v1/notes/1%27%20OR%201=1", None).await,
        StatusCode::BAD_REQUEST,
        "INVALID_PATH",
    );
    // NUL and other control characters (found by schemathesis): refused, never a 500.
    for body in
        [json!({ "title": "a\u{0}b" }), json!({ "title": "ok", "body": "x\u{0}y" }), json!({ "title": "bell\u{7}" })]
    {
        assert_error(
            &app.tp(Method::POST, &slug, "/v1/notes", Some(body)).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
        );
    }
    let fine =
        app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "ok", "body": "line\nbreak\ttab" }))).await;
    assert_eq!(fine.status, StatusCode::CREATED);
    let nul_login = app
        .tp(Method::POST, &slug, "/v1/auth/login", Some(json!({ "email": "a\u{0}@x.io", "password": PASSWORD })))
        .await;
    assert_error(&nul_login, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let cp_login = app
        .cp_raw(
            Method::POST,
            "/v1/auth/login",
            Some(json!({ "email": "ops\u{0}@example.com", "password": PASSWORD })),
            None,
        )
        .await;
    assert_error(&cp_login, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let reason =
        app.cp(Method::POST, &format!("/v1/tenants/{slug}/suspend"), Some(json!({ "reason": "nul\u{0}" }))).await;
    assert_error(&reason, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    app.cleanup().await;
}

#[tokio::test]
async fn hosts_resolve_or_fail_as_documented() {
    let app = TestApp::spawn().await;
    let (_, slug) = app.create_tenant("hosts").await;
    let get = |host: Option<String>| {
        let req = app.tp_request(Method::GET, host.as_deref(), "/v1/tenant");
        async move { into_response(req.send().await.unwrap()).await }
    };
    // Served: port, upper case and a trailing dot are normalised.
    for host in [
        format!("{slug}.{BASE_DOMAIN}:8081"),
        format!("{}.{}", slug.to_uppercase(), BASE_DOMAIN.to_uppercase()),
        format!("{slug}.{BASE_DOMAIN}."),
    ] {
        let res = get(Some(host.clone())).await;
        assert_eq!(res.status, StatusCode::OK, "{host}: {:?}", res.body);
        assert_eq!(res.body["slug"], slug.as_str());
    }
    // Not a tenant: an IP, an unknown slug, the bare base domain, a reserved label.
    for host in [
        "127.0.0.1".to_owned(),
        format!("nobody-here.{BASE_DOMAIN}"),
        BASE_DOMAIN.to_owned(),
        format!("www.{BASE_DOMAIN}"),
        "[::1]:8081".to_owned(),
    ] {
        assert_error(&get(Some(host)).await, StatusCode::NOT_FOUND, "TENANT_NOT_FOUND");
    }
    // No Host header at all (HTTP/1.0).
    let addr = app.tp.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(b"GET /v1/tenant HTTP/1.0\r\n\r\n").await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    assert!(raw.starts_with("HTTP/1.0 404"), "{raw}");
    assert!(raw.contains("TENANT_NOT_FOUND"), "{raw}");
    // Malformed hosts.
    for host in ["bad_host.tenants.test", "a..b", "x.tenants.test:notaport"] {
        assert_error(&get(Some(host.to_owned())).await, StatusCode::BAD_REQUEST, "INVALID_HOST");
    }
    app.cleanup().await;
}
