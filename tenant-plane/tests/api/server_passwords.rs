//! A database server's admin password rotated by the platform (`POST /v1/servers/{name}/
//! rotate-password`), seen from the tenant plane: the old password stops working, new tenants
//! are provisioned with the new one, and the tenants already on the server keep the
//! connections they had (they log in as their own roles, which the rotation leaves alone).

use std::{
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use reqwest::{Method, StatusCode};
use serde_json::json;

use provisioner::testing::unique_slug;

use crate::{
    helpers::{PASSWORD, TestApp, assert_error},
    servers::role_backends,
};

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

/// A platform server on extra cluster `c` whose admin is a login of its own (so rotating it
/// leaves the cluster's superuser, which other tests use, alone), with a template of its own
/// (other tests register this cluster too, and removing their server drops the default one).
struct RotatingServer {
    cluster: url::Url,
    superuser: tokio_postgres::Client,
    admin_role: String,
    first: String,
    name: String,
}

impl RotatingServer {
    async fn register(app: &TestApp) -> Self {
        let cluster = url::Url::parse(&test_support::extra_cluster_url("c", "postgres")).unwrap();
        let superuser = test_support::admin_client_at(cluster.as_str()).await.unwrap();
        let admin_role = test_support::unique_name("adm");
        let first = secrets::random_password();
        test_support::record_secret(&first);
        let verifier = postgres_protocol::password::scram_sha_256(first.as_bytes());
        let create = format!("CREATE ROLE {admin_role} LOGIN SUPERUSER PASSWORD '{verifier}'");
        superuser.batch_execute(&create).await.unwrap();
        let name = format!("rot-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
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
            capacity: 1000,
            tls_mode: dbtls::TlsMode::Disable,
            tls_ca_pem: None,
            tls_client_identity: None,
        };
        app.provisioner.register_server(register, &provisioner::Actor::system()).await.unwrap();
        Self { cluster, superuser, admin_role, first, name }
    }

    /// The admin password the platform holds now (recorded for the log scan).
    async fn stored_password(&self, app: &TestApp) -> String {
        let server = app.platform.catalog.server_by_name(&self.name).await.unwrap();
        let stored = app.provisioner.server_credentials().password(&server).await.unwrap().unwrap();
        let stored = secrets::ExposeSecret::expose_secret(&stored).to_owned();
        test_support::record_secret(&stored);
        stored
    }

    /// Best effort: the cluster is the tests'; a role still owning something stays.
    async fn drop_role(self) {
        let role = &self.admin_role;
        let _ = self.superuser.batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE IF EXISTS {role}")).await;
    }
}

#[tokio::test]
async fn rotating_a_servers_admin_password_keeps_its_tenants_connections_and_provisions_with_the_new_one() {
    let app = TestApp::spawn().await;
    let rotating = RotatingServer::register(&app).await;
    let RotatingServer { cluster, superuser, admin_role, first, name } = &rotating;
    let path = format!("/v1/servers/{name}");
    let res = app.cp(Method::GET, &path, None).await;
    assert!(res.body["adminPasswordChangedAt"].is_null(), "{:?}", res.body);
    let (served, role) = pinned_tenant(&app, name, "rots").await;
    let (signal, _) = pinned_tenant(&app, name, "rotn").await;
    let note = app.tp(Method::POST, &served, "/v1/notes", Some(json!({ "title": "before" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let before = role_backends(superuser, &role).await;
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
    let second = rotating.stored_password(&app).await;
    let server = app.platform.catalog.server_by_name(name).await.unwrap();
    assert!(!res.body.to_string().contains(&second), "the new password is never returned");
    assert_ne!(&second, first);
    assert!(!logs_in(cluster, admin_role, first).await, "the old password no longer logs in");
    assert!(logs_in(cluster, admin_role, &second).await, "the stored password is the one the server has");
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
    assert_eq!(role_backends(superuser, &role).await, before, "the tenant's connections were kept");
    let note = app.tp(Method::POST, &served, "/v1/notes", Some(json!({ "title": "after" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);

    // A new tenant on the server needs new admin logins: they use the new password.
    let (_, _) = pinned_tenant(&app, name, "rotc").await;

    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    let rotated = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "server.rotate_password" && e["details"]["server"] == name.as_str());
    assert!(rotated, "{:?}", audit.body);
    assert!(!audit.body.to_string().contains(&second));

    app.cleanup().await;
    rotating.drop_role().await;
}

/// Zero downtime, measured: tenants on the server are served and new tenants provisioned on it
/// while its admin password is rotated again and again. `ROTATION_ROUNDS` sets the rotations
/// (default 3); with `ROTATION_SERVER_REPORT` set, the counts go to that file
/// (`scripts/bench/rotation.sh`).
#[tokio::test]
async fn rotating_a_servers_admin_password_under_load_fails_no_request_and_no_provisioning() {
    let rounds: usize = std::env::var("ROTATION_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3);
    let app = Arc::new(TestApp::spawn().await);
    let rotating = RotatingServer::register(&app).await;
    let mut served = Vec::new();
    for prefix in ["rla", "rlb"] {
        let (slug, _) = pinned_tenant(&app, &rotating.name, prefix).await;
        app.owner_token(&slug).await.expect("owner logs in");
        served.push(slug);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, failed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut load = Vec::new();
    for worker in 0..4 {
        let (app, stop, ok, failed) = (app.clone(), stop.clone(), ok.clone(), failed.clone());
        let slug = served[worker % served.len()].clone();
        load.push(tokio::spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let res = app.tp(Method::GET, &slug, "/v1/notes", None).await;
                let counter = if res.status == StatusCode::OK { &ok } else { &failed };
                if res.status != StatusCode::OK {
                    eprintln!("{}: {:?}", res.status, res.body);
                }
                counter.fetch_add(1, Ordering::SeqCst);
            }
        }));
    }
    // New tenants on the server, one after another: every one needs new admin logins.
    let provisioning = {
        let (app, stop, server) = (app.clone(), stop.clone(), rotating.name.clone());
        tokio::spawn(async move {
            let (mut created, mut errors) = (0u32, Vec::new());
            while !stop.load(Ordering::SeqCst) {
                let mut request = provisioner::testing::tenant_request(&unique_slug("rlp"));
                request.server = Some(server.clone());
                match app.provisioner.create_tenant(request, &provisioner::Actor::system()).await {
                    Ok(tenant) if tenant.status == "active" => created += 1,
                    Ok(tenant) => errors.push(format!("{}: {}", tenant.slug, tenant.status)),
                    Err(err) => errors.push(format!("{err:#}")),
                }
            }
            (created, errors)
        })
    };
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let res = app.cp(Method::POST, &format!("/v1/servers/{}/rotate-password", rotating.name), None).await;
        assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
        rotating.stored_password(&app).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::SeqCst);
    for task in load {
        task.await.unwrap();
    }
    let (created, errors) = provisioning.await.unwrap();
    let elapsed = started.elapsed();
    // Step attempts beyond the first: what the rotations cost provisioning, if anything.
    let catalog = test_support::admin_client(&app.platform.catalog_db).await.unwrap();
    let retried: i64 = catalog
        .query_one(
            "SELECT COALESCE(sum((s.value->>'attempts')::int - 1), 0)::bigint \
             FROM provisioning_jobs j, jsonb_each(j.steps::jsonb) s",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    let (ok, failed) = (ok.load(Ordering::SeqCst), failed.load(Ordering::SeqCst));
    if let Ok(path) = std::env::var("ROTATION_SERVER_REPORT") {
        let report = format!(
            "# Database server admin password rotation under load\n\nGenerated by `scripts/bench/rotation.sh`. One \
             platform server (its own admin login), {rounds} rotations of its admin password through \
             `POST /v1/servers/{{name}}/rotate-password` in {:.1} s, while 4 load workers read `GET /v1/notes` of 2 \
             tenants on it and new tenants were provisioned on it one after another.\n\n\
             | requests | failed requests | tenants provisioned | failed provisionings | step retries |\n\
             |---|---|---|---|---|\n| {} | {failed} | {created} | {} | {retried} |\n",
            elapsed.as_secs_f64(),
            ok + failed,
            errors.len(),
        );
        std::fs::write(path, report).unwrap();
    }
    assert_eq!(failed, 0, "{failed} of {} requests failed", ok + failed);
    assert!(errors.is_empty(), "provisioning failed: {errors:?}");
    assert!(created > 0, "tenants were provisioned during the rotations");
    Arc::try_unwrap(app).ok().expect("no other owner").cleanup().await;
    rotating.drop_role().await;
}
