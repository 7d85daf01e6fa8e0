//! A tenant-hosted Postgres that admits only connections presenting a client certificate from
//! its owner's CA (`test_support::mtls_cluster`, `clientcert=verify-ca`): registered through
//! the control plane with the certificate, its tenant provisioned and served presenting it,
//! the certificate renewed and removal refused, each under the live check.

use reqwest::{Method, StatusCode};
use serde_json::json;

use provisioner::testing::unique_slug;

use crate::helpers::{PASSWORD, TestApp, assert_error};

/// A superuser session on the cluster (which itself wants a client certificate).
async fn cluster_admin(cluster: &test_support::MtlsCluster) -> tokio_postgres::Client {
    let identity = dbtls::ClientIdentity::new(&cluster.client.cert_pem, &cluster.client.key_pem).unwrap();
    let tls = dbtls::DbTls::with_identity(dbtls::TlsMode::VerifyFull, Some(&cluster.ca_pem), Some(&identity)).unwrap();
    let mut config: tokio_postgres::Config = cluster.url("postgres").parse().unwrap();
    tls.configure(&mut config);
    let (client, connection) = config.connect(tls.connector()).await.unwrap();
    tokio::spawn(connection);
    client
}

/// The pid, client DN and client certificate serial of each connection `role` has open
/// (`None`: no certificate presented).
async fn client_dns(admin: &tokio_postgres::Client, role: &str) -> Vec<(i32, Option<String>, Option<String>)> {
    let sql = "SELECT a.pid, s.client_dn, s.client_serial::text \
               FROM pg_stat_activity a JOIN pg_stat_ssl s USING (pid) WHERE a.usename = $1";
    admin.query(sql, &[&role]).await.unwrap().iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect()
}

#[tokio::test]
async fn a_server_asking_for_client_certificates_is_registered_with_one_and_its_tenant_is_served_presenting_it() {
    let app = TestApp::spawn().await;
    let cluster = test_support::mtls_cluster();
    let url = url::Url::parse(&cluster.url("postgres")).unwrap();
    let name = format!("mtls-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    let path = format!("/v1/servers/{name}");
    let body = |extra: serde_json::Value| {
        let mut body = json!({
            "name": name, "host": url.host_str().unwrap(), "port": url.port().unwrap(),
            "adminUser": url.username(), "adminPassword": url.password().unwrap(),
            "kind": "tenant_hosted", "tlsMode": "verify-full", "caCertificate": cluster.ca_pem,
        });
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let (ours, renewed, foreign) = (&cluster.client, &cluster.renewed_client, test_support::foreign_client_cert());
    for key in [&ours.key_pem, &renewed.key_pem, &foreign.key_pem] {
        test_support::record_secret(key);
    }

    // Refused, and nothing stored: without a certificate (the server says it wants one), with
    // one its CA did not issue, with a key that is not the certificate's, half of a pair, or
    // without TLS.
    let res = app.cp(Method::POST, "/v1/servers", Some(body(json!({})))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert!(res.body["error"]["details"]["check"].as_str().unwrap().contains("certificate"), "{:?}", res.body);
    let theirs = json!({ "clientCertificate": foreign.cert_pem, "clientKey": foreign.key_pem });
    let res = app.cp(Method::POST, "/v1/servers", Some(body(theirs))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(res.body["error"]["details"]["field"], "server", "{:?}", res.body);
    let refused = [
        (json!({ "clientCertificate": ours.cert_pem, "clientKey": foreign.key_pem }), "clientKey"),
        (json!({ "clientCertificate": ours.cert_pem }), "clientKey"),
        (json!({ "clientKey": ours.key_pem }), "clientCertificate"),
        (json!({ "clientCertificate": "not PEM", "clientKey": ours.key_pem }), "clientCertificate"),
        (
            json!({ "tlsMode": "disable", "caCertificate": null, "clientCertificate": ours.cert_pem, "clientKey": ours.key_pem }),
            "clientCertificate",
        ),
    ];
    for (extra, field) in refused {
        let res = app.cp(Method::POST, "/v1/servers", Some(body(extra.clone()))).await;
        assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(res.body["error"]["details"]["field"], field, "{extra}: {:?}", res.body);
    }
    assert_error(&app.cp(Method::GET, &path, None).await, StatusCode::NOT_FOUND, "NOT_FOUND");

    // With its own: registered; the key is never shown.
    let res = app
        .cp(
            Method::POST,
            "/v1/servers",
            Some(body(json!({ "clientCertificate": ours.cert_pem, "clientKey": ours.key_pem }))),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.body["server"]["tlsClientCertificate"], true);
    assert!(res.body["server"]["tlsClientCertificateExpiresAt"].as_str().unwrap().starts_with("2100-01-01"));
    assert!(!res.body.to_string().contains("PRIVATE KEY"));

    // Its tenant is provisioned (the ready check connects as the tenant, presenting it) and
    // served by the tenant plane, whose connections carry the certificate.
    let slug = unique_slug("mtls");
    let create = json!({ "slug": slug, "displayName": "Agency", "server": name,
        "admin": { "email": format!("owner@{slug}.test"), "password": PASSWORD } });
    let res = app.cp(Method::POST, "/v1/tenants", Some(create)).await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let role = format!("tenant_{}", res.body["id"].as_str().unwrap().replace('-', ""));
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "over mTLS" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let admin = cluster_admin(cluster).await;
    let before = client_dns(&admin, &role).await;
    assert!(!before.is_empty(), "the tenant plane holds a connection as the tenant's role");
    assert!(before.iter().all(|(_, dn, _)| dn.as_deref() == Some("/CN=tenantry")), "{before:?}");

    // Removing it would leave the server unreachable: refused by the live check, kept.
    let res = app.cp(Method::PATCH, &path, Some(json!({ "clientCertificate": null }))).await;
    assert_error(&res, StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(app.cp(Method::GET, &path, None).await.body["tlsClientCertificate"], true);

    // A renewed certificate: checked live, then the tenant plane reconnects presenting it.
    let renew = json!({ "clientCertificate": renewed.cert_pem, "clientKey": renewed.key_pem });
    let res = app.cp(Method::PATCH, &path, Some(renew)).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let pids: Vec<i32> = before.iter().map(|(pid, ..)| *pid).collect();
    let remaining = crate::servers::wait_until_closed(&admin, &role, &pids).await;
    assert!(remaining.is_empty(), "connections made with the old certificate were closed: {remaining:?}");
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "renewed" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let after = client_dns(&admin, &role).await;
    let old_serial = &before[0].2;
    assert!(!after.is_empty() && after.iter().all(|(_, _, serial)| serial != old_serial), "{before:?} → {after:?}");

    let audit = app.cp(Method::GET, "/v1/audit-events?limit=100", None).await;
    assert!(!audit.body.to_string().contains("PRIVATE KEY"));
    let res = app.cp(Method::DELETE, &format!("/v1/tenants/{slug}"), None).await;
    assert!(res.status.is_success(), "{:?}", res.body);
    let res = app.cp(Method::DELETE, &path, None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    app.cleanup().await;
}

#[tokio::test]
async fn a_tenant_moved_onto_a_server_asking_for_client_certificates_is_served_presenting_it() {
    let app = TestApp::spawn().await;
    let cluster = test_support::mtls_cluster();
    test_support::record_secret(&cluster.client.key_pem);
    let (_, slug) = app.create_tenant("mvm").await;
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "before the move" }))).await;
    assert_eq!(note.status, StatusCode::CREATED, "{:?}", note.body);
    let url = url::Url::parse(&cluster.url("postgres")).unwrap();
    let name = format!("mtls-{}", &uuid::Uuid::new_v4().simple().to_string()[..8]);
    // A template of its own: the other test on this cluster drops the default one.
    let register = provisioner::RegisterServer {
        name: name.clone(),
        host: url.host_str().unwrap().to_owned(),
        port: url.port().unwrap(),
        admin_user: url.username().to_owned(),
        admin_password: Some(secrets::SecretString::from(url.password().unwrap().to_owned())),
        admin_database: "postgres".into(),
        template_database: Some(test_support::unique_name("ttpl")),
        kind: catalog::ServerKind::Platform,
        placement: None,
        capacity: 10,
        tls_mode: dbtls::TlsMode::VerifyFull,
        tls_ca_pem: Some(cluster.ca_pem.clone()),
        tls_client_identity: Some(
            dbtls::ClientIdentity::new(&cluster.client.cert_pem, &cluster.client.key_pem).unwrap(),
        ),
    };
    app.provisioner.register_server(register, &provisioner::Actor::system()).await.unwrap();

    let res = app.cp(Method::POST, &format!("/v1/tenants/{slug}/move"), Some(json!({ "server": name }))).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let notes = app.tp(Method::GET, &slug, "/v1/notes", None).await;
    assert_eq!(notes.status, StatusCode::OK, "{:?}", notes.body);
    assert!(notes.body.to_string().contains("before the move"), "{:?}", notes.body);
    let role = format!("tenant_{}", res.body["id"].as_str().unwrap().replace('-', ""));
    let connections = client_dns(&cluster_admin(cluster).await, &role).await;
    assert!(!connections.is_empty(), "the tenant plane serves it from the new server");
    assert!(connections.iter().all(|(_, dn, _)| dn.as_deref() == Some("/CN=tenantry")), "{connections:?}");
    app.cleanup().await;
}
