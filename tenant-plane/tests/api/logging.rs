use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode};
use secrets::ExposeSecret;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn logs_carry_request_and_tenant_ids_and_never_a_secret() {
    let captured = Captured::default();
    let writer = captured.clone();
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .init();

    let app = TestApp::spawn().await;
    let (tenant_id, slug) = app.create_tenant("logs").await;
    let note = app.tp(Method::POST, &slug, "/v1/notes", Some(json!({ "title": "logged" }))).await;
    assert_eq!(note.status, StatusCode::CREATED);
    app.cp(Method::POST, &format!("/v1/tenants/{slug}/suspend"), None).await;
    assert_eq!(app.tp(Method::GET, &slug, "/v1/notes", None).await.status, StatusCode::FORBIDDEN);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // Every secret this run handled.
    let scope = secrets::Scope::Tenant(tenant_id.parse().unwrap());
    let db_password = app
        .platform
        .provisioner()
        .secrets()
        .get(&scope, &secrets::SecretName::well_known(secrets::DB_PASSWORD), None)
        .await
        .unwrap()
        .value;
    let ciphertext =
        app.platform.catalog.latest_secret(&scope.key(), secrets::DB_PASSWORD).await.unwrap().unwrap().ciphertext;
    let superuser_password = url::Url::parse(&app.platform.catalog_url).unwrap().password().unwrap().to_owned();
    let reader_password = url::Url::parse(&app.platform.reader_url).unwrap().password().unwrap().to_owned();
    for (what, secret) in [
        ("operator and admin password", PASSWORD),
        ("operator bearer token", app.token.as_str()),
        ("bootstrap token", "test-bootstrap-token"),
        ("tenant database password", db_password.expose_secret()),
        ("encrypted tenant database password", ciphertext.as_str()),
        ("superuser password", superuser_password.as_str()),
        ("catalog reader password", reader_password.as_str()),
    ] {
        assert!(!logs.contains(secret), "the logs contain the {what}");
    }
    // Request lines are JSON with the request id, and the tenant id on the tenant plane.
    let finished: Vec<serde_json::Value> = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["message"] == "request finished")
        .collect();
    assert!(!finished.is_empty());
    assert!(finished.iter().all(|l| l["span"]["request_id"].is_string()), "{finished:?}");
    assert!(finished.iter().any(|l| l["span"]["tenant.id"] == tenant_id.as_str() && l["span"]["status_code"] == 403));
    app.cleanup().await;
}
