//! A database server's admin password rotated by the platform (`POST /v1/servers/{name}/
//! rotate-password`), seen from the tenant plane: the old password stops working, new tenants
//! are provisioned with the new one, and the tenants already on the server keep the
//! connections they had (they log in as their own roles, which the rotation leaves alone).

use reqwest::{Method, StatusCode};
use serde_json::json;

use provisioner::testing::unique_slug;

use crate::helpers::{PASSWORD, TestApp, assert_error};

/// Backend pids of `role`'s connections on the cluster `admin` is connected to.
async fn role_backends(admin: &tokio_postgres::Client, role: &str) -> Vec<i32> {
    let rows = admin.query("SELECT pid FROM pg_stat_activity WHERE usename = $1", &[&role]).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// Whether `user` logs in to the cluster at `base` with `password`.
async fn logs_in(base: &url::Url, user: &str, password: &str) -> bool {
    let mut url = base.clone();
    url.set_username(user).unwrap();
    url.set_password(Some(password)).unwrap();
    test_support::admin_client_at(url.as_str()).await.is_ok()
}

/// Creates a tenant pinned to server `server`; returns its slug and database role.
async fn pinned_tenant(app: &TestApp, server: &str, prefix: &str) -> (String, String) {
    let slug = unique_slug(prefix);
    let create = json!({ "slug": slug, "displayName": "On a rotating server", "server": server,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let role = format!("tenant_{}", res.body["id"].as_str().unwrap().replace('-', ""));
    (slug, role)
}

#[tokio::test]
async fn rotating_a_servers_admin_password_keeps_its_tenants_connections_and_provisions_with_the_new_one() {
    let app = TestApp::spawn().await;
    let cluster = url::Url::parse(&test_support::extra_cluster_url("c", "postgres")).unwrap();
    let superuser = test_support::admin_client_at(cluster.as_str()).await.unwrap();
    // The platform's own admin login on this server, so the rotation leaves the cluster's
    // superuser (which other tests use) alone.
    let admin_role = test_support::unique_name("adm");
    let first = secrets::random_password();
    test_support::record_secret(&first);
    let verifier = postgres_protocol::password::scram_sha_256(first.as_bytes());
    superuser.batch_execute(&format!("CREATE ROLE {admin_role} LOGIN SUPERUSER PASSWORD '{verifier}'")).await.unwrap();
    let name = format!("rot-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let path = format!("/v1/servers/{name}");
    // Registered with a template of its own: other tests register this cluster too, and
    // removing their server drops the default template.
    let register = provisioner::RegisterServer {
        name: name.clone(),
        host: cluster.host_str().unwrap().to_owned(),
        port: cluster.port().unwrap(),
        admin_user: admin_role.clone(),
        admin_password: Some(secrets::SecretString::from(first.clone())),
        admin_database: "postgres".into(),
        template_database: Some(test_support::unique_name("ttpl")),
        kind: catalog::ServerKind::Platform,
        placement: None,
        capacity: 10,
        tls_mode: dbtls::TlsMode::Disable,
        tls_ca_pem: None,
    };
    app.provisioner.register_server(register, &provisioner::Actor::system()).await.unwrap();
    let res = app.cp(Method::GET, &path, None).await;
    assert!(res.body["adminPasswordChangedAt"].is_null(), "{:?}", res.body);
    let (served, role) = pinned_tenant(&app, &name, "rots").await;
    let (signal, _) = pinned_tenant(&app, &name, "rotn").await;
    let note = app.tp(Method::POST, &served, "/v1/notes", Some(json!({ "title": "before" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let before = role_backends(&superuser, &role).await;
    assert!(!before.is_empty(), "the tenant plane holds a connection as the tenant's role");

    // Not for an unknown server, nor for the default one (its password is configuration).
    let res = app.cp(Method::POST, "/v1/servers/nope/rotate-password", None).await;
    assert_error(&res, StatusCode::NOT_FOUND, "NOT_FOUND");
    let res = app.cp(Method::POST, "/v1/servers/default/rotate-password", None).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");

    let res = app.cp(Method::POST, &format!("{path}/rotate-password"), None).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert!(res.body["server"]["adminPasswordChangedAt"].is_string(), "{:?}", res.body);
    assert!(res.body["check"]["version"].is_string(), "{:?}", res.body);
    let server = app.platform.catalog.server_by_name(&name).await.unwrap();
    let second = app.provisioner.server_credentials().password(&server).await.unwrap().unwrap();
    let second = secrets::ExposeSecret::expose_secret(&second).to_owned();
    test_support::record_secret(&second);
    assert!(!res.body.to_string().contains(&second), "the new password is never returned");
    assert_ne!(second, first);
    assert!(!logs_in(&cluster, &admin_role, &first).await, "the old password no longer logs in");
    assert!(logs_in(&cluster, &admin_role, &second).await, "the stored password is the one the server has");
    let pending = app.provisioner.server_credentials().pending(server.id).await.unwrap();
    assert!(pending.is_none(), "nothing is left pending");

    // Suspending another tenant notifies the tenant plane after the rotation did (if it did):
    // once that is seen, a reconnect of the server's tenants would have happened too.
    let res = app.cp(Method::POST, &format!("/v1/tenants/{signal}/suspend"), Some(json!({}))).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let mut suspended = false;
    for _ in 0..100 {
        let res = app.tp(Method::GET, &signal, "/v1/tenant", None).await;
        if res.status == StatusCode::FORBIDDEN {
            suspended = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(suspended, "the tenant plane saw the suspension");
    assert_eq!(role_backends(&superuser, &role).await, before, "the tenant's connections were kept");
    let note = app.tp(Method::POST, &served, "/v1/notes", Some(json!({ "title": "after" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);

    // A new tenant on the server needs new admin logins: they use the new password.
    let (_, _) = pinned_tenant(&app, &name, "rotc").await;

    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    let rotated = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "server.rotate_password" && e["details"]["server"] == name.as_str());
    assert!(rotated, "{:?}", audit.body);
    assert!(!audit.body.to_string().contains(&second));

    app.cleanup().await;
    // Best effort: the cluster is the tests'; a role still owning something stays.
    let _ = superuser.batch_execute(&format!("DROP OWNED BY {admin_role}; DROP ROLE IF EXISTS {admin_role}")).await;
}
