use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{BASE_DOMAIN, TestApp, assert_error, into_response};

#[tokio::test]
async fn each_tenants_notes_are_visible_only_at_its_own_host() {
    let app = TestApp::spawn().await;
    let (_, a) = app.create_tenant("iso-a").await;
    let (b_id, b) = app.create_tenant("iso-b").await;

    let note_a = app.tp(Method::POST, &a, "/v1/notes", Some(json!({ "title": "A's secret" }))).await;
    let note_b = app.tp(Method::POST, &b, "/v1/notes", Some(json!({ "title": "B's secret" }))).await;
    assert_eq!(note_a.status, StatusCode::CREATED);
    assert_eq!(note_b.status, StatusCode::CREATED);
    let b_note_id = note_b.body["id"].as_str().unwrap();

    // Each host lists only its own notes.
    let list_a = app.tp(Method::GET, &a, "/v1/notes", None).await;
    let titles: Vec<_> = list_a.body["items"].as_array().unwrap().iter().map(|n| n["title"].clone()).collect();
    assert_eq!(titles, vec![json!("A's secret")]);
    let list_b = app.tp(Method::GET, &b, "/v1/notes", None).await;
    assert_eq!(list_b.body["items"].as_array().unwrap().len(), 1);

    // B's note id at A's host: not found, and deleting it there does nothing.
    assert_error(
        &app.tp(Method::GET, &a, &format!("/v1/notes/{b_note_id}"), None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_error(
        &app.tp(Method::DELETE, &a, &format!("/v1/notes/{b_note_id}"), None).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_eq!(app.tp(Method::GET, &b, &format!("/v1/notes/{b_note_id}"), None).await.status, StatusCode::OK);

    // Naming B in a header or path at A's host is refused, not served.
    for header in [b.as_str(), b_id.as_str()] {
        let res = app
            .tp_request(Method::GET, Some(&format!("{a}.{BASE_DOMAIN}")), "/v1/notes")
            .header("x-tenant-id", header)
            .send()
            .await
            .unwrap();
        assert_error(&into_response(res).await, StatusCode::BAD_REQUEST, "TENANT_MISMATCH");
    }
    let res = app
        .tp_request(Method::GET, Some(&format!("{a}.{BASE_DOMAIN}")), &format!("/t/{b}/v1/notes"))
        .send()
        .await
        .unwrap();
    assert_error(&into_response(res).await, StatusCode::BAD_REQUEST, "TENANT_MISMATCH");

    // The profile comes from each tenant's own database.
    assert_eq!(app.tp(Method::GET, &a, "/v1/tenant", None).await.body["slug"], a.as_str());
    assert_eq!(app.tp(Method::GET, &b, "/v1/tenant", None).await.body["slug"], b.as_str());
    app.cleanup().await;
}

#[tokio::test]
async fn path_routing_and_the_tenant_header_reach_the_named_tenant() {
    let app = TestApp::spawn().await;
    let (a_id, a) = app.create_tenant("route").await;
    app.tp(Method::POST, &a, "/v1/notes", Some(json!({ "title": "by host" }))).await;

    let token = app.owner_token(&a).await.unwrap();
    let by_path = into_response(
        app.tp_request(Method::GET, None, &format!("/t/{a}/v1/notes")).bearer_auth(&token).send().await.unwrap(),
    )
    .await;
    let by_header = into_response(
        app.tp_request(Method::GET, None, "/v1/notes")
            .header("x-tenant-id", &a_id)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .await;

    assert_eq!(by_path.status, StatusCode::OK, "{:?}", by_path.body);
    assert_eq!(by_path.body["items"][0]["title"], "by host");
    assert_eq!(by_header.body["items"][0]["title"], "by host");
    app.cleanup().await;
}

#[tokio::test]
async fn the_tenant_planes_catalog_role_reads_only_what_serving_needs() {
    let app = TestApp::spawn().await;
    app.create_tenant("least").await;
    let (reader, conn) = tokio_postgres::connect(&app.platform.reader_url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(conn);

    assert!(reader.query("SELECT slug, status FROM tenants", &[]).await.is_ok());
    // Tenant secrets are readable (to open tenant databases); platform secrets are invisible.
    let store = app.platform.provisioner();
    store
        .secrets()
        .put(&secrets::Scope::Platform, &secrets::SecretName::well_known("smtp-password"), "platform-only", None)
        .await
        .unwrap();
    let visible: i64 =
        reader.query_one("SELECT count(*) FROM secrets WHERE scope = 'platform'", &[]).await.unwrap().get(0);
    let tenant_rows: i64 =
        reader.query_one("SELECT count(*) FROM secrets WHERE scope LIKE 'tenant/%'", &[]).await.unwrap().get(0);
    assert_eq!(visible, 0, "row-level security hides platform secrets");
    assert!(tenant_rows >= 1);
    assert!(reader.query("SELECT host, port FROM database_servers", &[]).await.is_ok());
    for forbidden in [
        "SELECT admin_password_sealed FROM database_servers",
        "SELECT * FROM operators",
        "SELECT * FROM operator_sessions",
        "SELECT * FROM provisioning_jobs",
        "SELECT * FROM audit_events",
        "UPDATE tenants SET status = 'active'",
        "DELETE FROM tenant_databases",
    ] {
        let err = reader.batch_execute(forbidden).await.expect_err(forbidden);
        assert!(err.as_db_error().is_some_and(|e| e.message().contains("permission denied")), "{forbidden}: {err}");
    }
    app.cleanup().await;
}

#[tokio::test]
async fn another_tenants_credentials_forged_tokens_and_ids_are_refused() {
    let app = TestApp::spawn().await;
    let (a_id, a) = app.create_tenant("atk-a").await;
    let (b_id, b) = app.create_tenant("atk-b").await;
    let a_owner = app.tp(Method::GET, &a, "/v1/me", None).await.body["id"].as_str().unwrap().to_owned();

    // A's access token, refresh token and API key, presented at B's host.
    let a_token = app.owner_token(&a).await.unwrap();
    assert_error(
        &app.tp_as(Some(&a_token), Method::GET, &b, "/v1/notes", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    let a_login = app
        .tp_anon(
            Method::POST,
            &a,
            "/v1/auth/login",
            Some(json!({ "email": format!("owner@{a}.test"), "password": crate::helpers::PASSWORD })),
        )
        .await;
    let a_refresh = a_login.body["refreshToken"].as_str().unwrap();
    test_support::record_secret(a_refresh);
    test_support::record_secret(a_login.body["accessToken"].as_str().unwrap());
    let refreshed = app.tp_anon(Method::POST, &b, "/v1/auth/refresh", Some(json!({ "refreshToken": a_refresh }))).await;
    assert_error(&refreshed, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");
    let key = app.tp(Method::POST, &a, "/v1/api-keys", Some(json!({ "name": "a", "scopes": ["notes.read"] }))).await;
    let a_key = key.body["secret"].as_str().unwrap().to_owned();
    test_support::record_secret(&a_key);
    assert_error(
        &app.tp_as(Some(&a_key), Method::GET, &b, "/v1/notes", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );
    // The key names A: sent to B by header it is a mismatch, not a way in.
    let by_header = into_response(
        app.tp_request(Method::GET, None, "/v1/notes")
            .header("x-tenant-id", &b_id)
            .header("x-api-key", &a_key)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(&by_header, StatusCode::UNAUTHORIZED, "UNAUTHENTICATED");

    // A token with B's audience and B's owner as subject, signed with A's own key.
    let b_owner = app.tp(Method::GET, &b, "/v1/me", None).await.body["id"].as_str().unwrap().to_owned();
    let signing = app.platform.provisioner().signing_keys();
    let a_key_pair = signing.active(&secrets::Scope::Tenant(a_id.parse().unwrap()), chrono::Utc::now()).await.unwrap();
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
    header.kid = Some(a_key_pair.kid.clone());
    let now = chrono::Utc::now().timestamp();
    let claims =
        json!({ "iss": "tenantry", "aud": b_id, "sub": b_owner, "role": "owner", "iat": now, "exp": now + 600 });
    let forged = jsonwebtoken::encode(&header, &claims, &a_key_pair.encoding).unwrap();
    test_support::record_secret(&forged);
    assert_error(
        &app.tp_as(Some(&forged), Method::GET, &b, "/v1/users", None).await,
        StatusCode::UNAUTHORIZED,
        "UNAUTHENTICATED",
    );

    // A's user id and A's note id used at B: not found there, and A's rows are untouched.
    let note = app.tp(Method::POST, &a, "/v1/notes", Some(json!({ "title": "A only" }))).await;
    let note_id = note.body["id"].as_str().unwrap();
    for (method, path, body) in [
        (Method::GET, format!("/v1/users/{a_owner}"), None),
        (Method::PATCH, format!("/v1/users/{a_owner}"), Some(json!({ "status": "disabled" }))),
        (Method::DELETE, format!("/v1/users/{a_owner}"), None),
        (Method::DELETE, format!("/v1/notes/{note_id}"), None),
    ] {
        assert_error(&app.tp(method, &b, &path, body).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    }
    assert_eq!(app.tp(Method::GET, &a, &format!("/v1/notes/{note_id}"), None).await.status, StatusCode::OK);
    assert_eq!(app.tp(Method::GET, &a, "/v1/me", None).await.body["status"], "active");
    app.cleanup().await;
}
