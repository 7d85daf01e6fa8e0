//! `/v1/servers` end to end: a tenant-hosted Postgres (a second real cluster) registered through
//! the control plane with its live check, a tenant pinned to it and served by the tenant plane.

use reqwest::{Method, StatusCode};
use serde_json::json;

use provisioner::testing::unique_slug;

use crate::helpers::{PASSWORD, TestApp, assert_error};

fn body(name: &str, admin_url: &str, password: Option<&str>) -> serde_json::Value {
    let url = url::Url::parse(admin_url).unwrap();
    json!({
        "name": name, "host": url.host_str().unwrap(), "port": url.port().unwrap(),
        "adminUser": url.username(), "adminPassword": password.or(url.password()),
        "kind": "tenant_hosted",
    })
}

#[tokio::test]
async fn a_tenant_hosted_server_is_registered_after_a_live_check_and_serves_its_tenant() {
    let app = TestApp::spawn().await;
    let url = test_support::extra_cluster_url("c", "postgres");
    let name = format!("agency-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    // Wrong credentials: refused with the check's reason; nothing stored.
    let res = app.cp(Method::POST, "/v1/servers", Some(body(&name, &url, Some("wrong-password")))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert!(res.body["error"]["details"]["check"].as_str().unwrap().contains("cannot connect"), "{:?}", res.body);
    assert_error(&app.cp(Method::GET, &format!("/v1/servers/{name}"), None).await, StatusCode::NOT_FOUND, "NOT_FOUND");
    // Unknown fields and bad names are validation errors, not 500s.
    let mut extra = body(&name, &url, None);
    extra["sslCert"] = json!("x");
    assert_error(
        &app.cp(Method::POST, "/v1/servers", Some(extra)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    let res = app.cp(Method::POST, "/v1/servers", Some(body("Not A Name", &url, None))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "name");

    // The right ones: registered with what the check found; the password is never returned.
    let password = url::Url::parse(&url).unwrap().password().unwrap().to_owned();
    let mut good = body(&name, &url, None);
    good["capacity"] = json!(1);
    let res = app.cp(Method::POST, "/v1/servers", Some(good)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert!(!res.body.to_string().contains(&password));
    assert_eq!(res.body["server"]["kind"], "tenant_hosted");
    assert_eq!(res.body["server"]["placement"], "dedicated");
    assert_eq!(res.body["server"]["health"], "ok");
    assert!(res.body["check"]["version"].is_string());
    let list = app.cp(Method::GET, "/v1/servers", None).await;
    assert!(!list.body.to_string().contains(&password));
    assert!(list.body["items"].as_array().unwrap().iter().any(|s| s["name"] == name.as_str()));

    // A tenant pinned to it: provisioned there, served through the tenant plane.
    let slug = unique_slug("gov");
    let create = json!({ "slug": slug, "displayName": "Agency", "server": name,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.body["database"]["server"], name.as_str());
    let me = app.tp(Method::GET, &slug, "/v1/me", None).await;
    assert_eq!(me.status, StatusCode::OK, "{:?}", me.body);
    let tenants = app.cp(Method::GET, "/v1/tenants?limit=100", None).await;
    let listed =
        tenants.body["items"].as_array().unwrap().iter().find(|t| t["slug"] == slug.as_str()).cloned().unwrap();
    assert_eq!(listed["database"]["server"], name.as_str());
    assert_eq!(listed["database"]["serverHealth"], "ok");
    assert!(listed["database"]["schemaVersion"].is_string());

    // Dedicated and taken; draining; an occupied server cannot be removed.
    let other = unique_slug("gov");
    let create = json!({ "slug": other, "displayName": "Other", "server": name,
        "admin": { "email": format!("owner@{other}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "server");
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "state": "draining" }))).await;
    assert_eq!((res.status, res.body["state"].as_str()), (StatusCode::OK, Some("draining")));
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "state": "gone" }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let res = app.cp(Method::PATCH, &format!("/v1/servers/{name}"), Some(json!({ "placement": "shared" }))).await;
    assert_error(&res, StatusCode::CONFLICT, "INVALID_STATE");
    assert_error(
        &app.cp(Method::DELETE, &format!("/v1/servers/{name}"), None).await,
        StatusCode::CONFLICT,
        "INVALID_STATE",
    );
    let res = app.cp(Method::POST, &format!("/v1/servers/{name}/check"), None).await;
    assert_eq!((res.status, res.body["server"]["health"].as_str()), (StatusCode::OK, Some("ok")), "{:?}", res.body);

    // Every action is in the control-plane audit log.
    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    let actions: Vec<_> = audit.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"server.register") && actions.contains(&"server.update"), "{actions:?}");

    // Offboarding frees it; then it can go.
    let res = app.cp(Method::DELETE, &format!("/v1/tenants/{slug}"), None).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let res = app.cp(Method::DELETE, &format!("/v1/servers/{name}"), None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    app.cleanup().await;
}

/// Connects to the TLS-only test cluster as its superuser with `tls`.
async fn tls_admin(tls: &dbtls::DbTls) -> Result<tokio_postgres::Client, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = test_support::tls_cluster().url("postgres").parse().unwrap();
    tls.configure(&mut config);
    let (client, connection) = config.connect(tls.connector()).await?;
    tokio::spawn(connection);
    Ok(client)
}

#[tokio::test]
async fn a_tls_only_server_is_registered_with_verify_full_and_serves_its_tenant_over_tls() {
    use dbtls::{DbTls, TlsMode};
    let app = TestApp::spawn().await;
    let cluster = test_support::tls_cluster();
    let url = cluster.url("postgres");
    let name = format!("tls-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);

    // Plain TCP: the server takes only TLS, the check says so; nothing is stored.
    let res = app.cp(Method::POST, "/v1/servers", Some(body(&name, &url, None))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let check = res.body["error"]["details"]["check"].as_str().unwrap().to_owned();
    assert!(check.contains("cannot connect") && check.contains("no encryption"), "{check}");
    // verify-full against a CA that did not issue the server's certificate: refused.
    let mut foreign = body(&name, &url, None);
    foreign["tlsMode"] = json!("verify-full");
    foreign["caCertificate"] = json!(test_support::another_ca_pem());
    let res = app.cp(Method::POST, "/v1/servers", Some(foreign)).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let check = res.body["error"]["details"]["check"].as_str().unwrap().to_owned();
    assert!(check.contains("certificate"), "{check}");
    // A CA bundle without verify-full, or one that is not PEM: validation errors.
    for (mode, ca) in [("require", cluster.ca_pem.as_str()), ("verify-full", "not a certificate")] {
        let mut bad = body(&name, &url, None);
        bad["tlsMode"] = json!(mode);
        bad["caCertificate"] = json!(ca);
        let res = app.cp(Method::POST, "/v1/servers", Some(bad)).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], "caCertificate", "{mode}");
    }
    let mut bad = body(&name, &url, None);
    bad["tlsMode"] = json!("prefer");
    assert_error(
        &app.cp(Method::POST, "/v1/servers", Some(bad)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
        "VALIDATION_FAILED",
    );
    assert_error(&app.cp(Method::GET, &format!("/v1/servers/{name}"), None).await, StatusCode::NOT_FOUND, "NOT_FOUND");

    // verify-full with the server's CA: registered, and the check's connection was encrypted.
    let mut good = body(&name, &url, None);
    good["tlsMode"] = json!("verify-full");
    good["caCertificate"] = json!(cluster.ca_pem);
    let res = app.cp(Method::POST, "/v1/servers", Some(good)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.body["check"]["tls"], true);
    assert_eq!(
        (res.body["server"]["tlsMode"].as_str(), res.body["server"]["tlsCaRegistered"].as_bool()),
        (Some("verify-full"), Some(true))
    );
    // The check read when the server's certificate and the CA expire; far off: no warning.
    let at = |value: &serde_json::Value| value.as_str().map(|v| v.parse::<chrono::DateTime<chrono::Utc>>().unwrap());
    let served = dbtls::bundle_expiry(&cluster.server_cert_pem).unwrap();
    assert!(served.is_some());
    assert_eq!(at(&res.body["check"]["tlsCertificateExpiresAt"]), served);
    assert_eq!(at(&res.body["server"]["tlsCertificateExpiresAt"]), served);
    assert_eq!(at(&res.body["server"]["tlsCaExpiresAt"]), dbtls::bundle_expiry(&cluster.ca_pem).unwrap());
    assert_eq!(res.body["server"]["healthDetail"], serde_json::Value::Null);

    // A tenant on it: provisioned and migrated there, served by the tenant plane, and every
    // connection of its role is encrypted.
    let slug = unique_slug("tls");
    let create = json!({ "slug": slug, "displayName": "Encrypted", "server": name,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let role = format!("tenant_{}", res.body["id"].as_str().unwrap().replace('-', ""));
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "over TLS" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let admin = tls_admin(&DbTls::new(TlsMode::VerifyFull, Some(&cluster.ca_pem)).unwrap()).await.unwrap();
    let row = admin
        .query_one(
            "SELECT count(*), count(*) FILTER (WHERE s.ssl) FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) \
             WHERE a.usename = $1",
            &[&role],
        )
        .await
        .unwrap();
    let (connections, encrypted): (i64, i64) = (row.get(0), row.get(1));
    assert!(connections >= 1, "the tenant plane holds a connection as the tenant's role");
    assert_eq!(encrypted, connections);
    // `require` encrypts without checking the certificate: it connects without the CA.
    let required = tls_admin(&DbTls::new(TlsMode::Require, None).unwrap()).await.unwrap();
    let ssl: bool =
        required.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.unwrap().get(0);
    assert!(ssl);

    let res = app.cp(Method::DELETE, &format!("/v1/tenants/{slug}"), None).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let res = app.cp(Method::DELETE, &format!("/v1/servers/{name}"), None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    app.cleanup().await;
}

/// Backend pids of `role`'s connections on the cluster `admin` is connected to.
pub async fn role_backends(admin: &tokio_postgres::Client, role: &str) -> Vec<i32> {
    let rows = admin.query("SELECT pid FROM pg_stat_activity WHERE usename = $1", &[&role]).await.unwrap();
    rows.iter().map(|r| r.get(0)).collect()
}

/// Waits (up to 5 s) until none of the `before` connections of `role` is open any more;
/// returns those still open.
pub async fn wait_until_closed(admin: &tokio_postgres::Client, role: &str, before: &[i32]) -> Vec<i32> {
    let mut remaining = before.to_vec();
    for _ in 0..100 {
        remaining = role_backends(admin, role).await.into_iter().filter(|pid| before.contains(pid)).collect();
        if remaining.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    remaining
}

#[tokio::test]
async fn changing_a_servers_tls_is_checked_live_and_its_tenants_reconnect_with_the_new_settings() {
    use dbtls::{DbTls, TlsMode};
    let app = TestApp::spawn().await;
    let cluster = test_support::tls_cluster();
    let name = format!("tlsch-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let path = format!("/v1/servers/{name}");
    let mut register = body(&name, &cluster.url("postgres"), None);
    register["tlsMode"] = json!("require");
    let res = app.cp(Method::POST, "/v1/servers", Some(register)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let slug = unique_slug("tlsch");
    let create = json!({ "slug": slug, "displayName": "Moving to verify-full", "server": name,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let role = format!("tenant_{}", res.body["id"].as_str().unwrap().replace('-', ""));
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "before" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let admin = tls_admin(&DbTls::new(TlsMode::VerifyFull, Some(&cluster.ca_pem)).unwrap()).await.unwrap();
    let before = role_backends(&admin, &role).await;
    assert!(!before.is_empty(), "the tenant plane holds a connection as the tenant's role");

    // Settings the server refuses, or that do not fit together: nothing changes.
    let refused = [
        (json!({ "tlsMode": "verify-full", "caCertificate": test_support::another_ca_pem() }), "certificate"),
        (json!({ "tlsMode": "disable" }), "no encryption"),
    ];
    for (change, reason) in refused {
        let res = app.cp(Method::PATCH, &path, Some(change.clone())).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        let check = res.body["error"]["details"]["check"].as_str().unwrap_or_default().to_owned();
        assert!(check.contains(reason), "{change}: {check}");
    }
    let res = app.cp(Method::PATCH, &path, Some(json!({ "caCertificate": cluster.ca_pem }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "caCertificate");
    let res = app.cp(Method::GET, &path, None).await;
    assert_eq!((res.body["tlsMode"].as_str(), res.body["tlsCaRegistered"].as_bool()), (Some("require"), Some(false)));
    assert_eq!(role_backends(&admin, &role).await, before, "a refused change leaves the tenant's connections alone");

    // verify-full with the server's CA: stored, and the tenant plane drops the connections it
    // made under `require` and connects again with the new settings.
    let change = json!({ "tlsMode": "verify-full", "caCertificate": cluster.ca_pem });
    let res = app.cp(Method::PATCH, &path, Some(change)).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(
        (res.body["tlsMode"].as_str(), res.body["tlsCaRegistered"].as_bool()),
        (Some("verify-full"), Some(true))
    );
    let remaining = wait_until_closed(&admin, &role, &before).await;
    assert!(remaining.is_empty(), "connections made under the old settings were closed: {remaining:?}");
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "after" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let after = role_backends(&admin, &role).await;
    assert!(!after.is_empty() && after.iter().all(|pid| !before.contains(pid)), "{before:?} → {after:?}");

    // Dropping the CA bundle would trust the host's roots, which did not issue this server's
    // certificate: refused, the bundle stays.
    let res = app.cp(Method::PATCH, &path, Some(json!({ "caCertificate": null }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(app.cp(Method::GET, &path, None).await.body["tlsCaRegistered"], true);

    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    let changed = audit.body["items"].as_array().unwrap().iter().any(|e| {
        e["action"] == "server.update"
            && e["details"]["server"] == name.as_str()
            && e["details"]["tlsMode"] == "verify-full"
    });
    assert!(changed, "{:?}", audit.body);

    let res = app.cp(Method::DELETE, &format!("/v1/tenants/{slug}"), None).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let res = app.cp(Method::DELETE, &path, None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    app.cleanup().await;
}
