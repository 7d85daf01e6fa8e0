use reqwest::{Method, StatusCode};
use secrets::{ExposeSecret, Scope, SecretError, SecretName, SecretStore};
use serde_json::json;

use crate::helpers::{Options, TestApp, vault_stores};

#[tokio::test]
async fn tenants_are_provisioned_and_served_with_their_credentials_in_vault() {
    let app = TestApp::spawn_with(Options { vault: true, ..Options::default() }).await;
    let (id, slug) = app.create_tenant("vaulted").await;

    let created = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "from vault creds" }))).await;
    assert_eq!(created.status, StatusCode::CREATED, "{:?}", created.body);
    // Nothing of the tenant's credentials is in the catalog.
    let db = test_support::admin_client(&app.platform.catalog_db).await.unwrap();
    let rows: i64 = db.query_one("SELECT count(*) FROM secrets", &[]).await.unwrap().get(0);
    assert_eq!(rows, 0);
    // Nor the database server's admin password: it is in Vault too.
    let sealed: i64 = db
        .query_one("SELECT count(*) FROM database_servers WHERE admin_password_sealed IS NOT NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(sealed, 0);
    let secret = migrator::admin_password_secret(app.platform.server.id);
    assert!(app.provisioner.secrets().get(&Scope::Platform, &secret, None).await.is_ok());

    let deleted = app.cp(Method::DELETE, &format!("/v1/tenants/{id}"), None).await;
    assert_eq!(deleted.status, StatusCode::OK);
    app.cleanup().await;
}

#[tokio::test]
async fn the_tenant_plane_token_reads_tenant_secrets_only() {
    let (writer, reader) = vault_stores().await;
    let tenant = Scope::Tenant(domain::TenantId::new());
    let key = SecretName::well_known(secrets::DB_PASSWORD);
    writer.ensure_scope(&tenant).await.unwrap();
    writer.put(&tenant, &key, "tenant-password", None).await.unwrap();
    writer.put(&Scope::Platform, &SecretName::well_known("smtp-password"), "platform-only", None).await.unwrap();

    assert_eq!(reader.get(&tenant, &key, None).await.unwrap().value.expose_secret(), "tenant-password");
    assert!(matches!(
        reader.get(&Scope::Platform, &SecretName::well_known("smtp-password"), None).await,
        Err(SecretError::Forbidden)
    ));
    assert!(matches!(reader.put(&tenant, &key, "x", None).await, Err(SecretError::Forbidden)));
}

#[tokio::test]
async fn with_vault_down_warm_tenants_are_served_and_cold_ones_get_a_clear_503_until_it_is_back() {
    let app = TestApp::spawn_with(Options { vault: true, ..Options::default() }).await;
    let proxy = app.vault_proxy.as_ref().unwrap();
    let (_, warm) = app.create_tenant("warm").await;
    let (_, cold) = app.create_tenant("cold").await;
    assert_eq!(app.tp(Method::GET, &warm, "/v1/notes", None).await.status, StatusCode::OK);
    let login = app
        .tp(
            Method::POST,
            &warm,
            "/v1/auth/login",
            Some(json!({ "email": format!("owner@{warm}.test"), "password": crate::helpers::PASSWORD })),
        )
        .await;
    let access = login.body["accessToken"].as_str().unwrap().to_owned();
    test_support::record_secret(&access);
    test_support::record_secret(login.body["refreshToken"].as_str().unwrap());
    let me = |token: String| {
        let req = app
            .tp_request(Method::GET, Some(&format!("{warm}.{}", crate::helpers::BASE_DOMAIN)), "/v1/me")
            .bearer_auth(token);
        async move { crate::helpers::into_response(req.send().await.unwrap()).await }
    };
    assert_eq!(me(access.clone()).await.status, StatusCode::OK);

    proxy.cut().await;
    // Tokens keep verifying after the worker's JWKS cache expired: the last known keys serve.
    tokio::time::sleep(std::time::Duration::from_secs(11)).await;
    let res = me(access).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    // Warm: served from cached credentials, even on a fresh login.
    app.tp_state.pools().close_idle_connections(std::time::Duration::ZERO);
    let res = app.tp(Method::POST, &warm, "/v1/notes", Some(json!({ "title": "vault is down" }))).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    // Cold: its credentials were never fetched.
    let res = app.tp(Method::GET, &cold, "/v1/notes", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE, "{:?}", res.body);
    assert_eq!(res.body["error"]["code"], "SECRETS_UNAVAILABLE");

    // Back: the cold tenant is served without any restart.
    proxy.restore().await.unwrap();
    let res = app.tp(Method::GET, &cold, "/v1/notes", None).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    app.cleanup().await;
}
