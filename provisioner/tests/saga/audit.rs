//! The tenant audit log is append-only by the database's rules, and its hash chain exposes
//! tampering by anyone who gets past them (a superuser).

use std::process::Command;

use domain::TenantId;
use provisioner::{
    Actor,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use secrets::{ExposeSecret, Scope, SecretName};
use serde_json::json;

use crate::helpers::connect_as;

/// Appends a row as the runtime does.
async fn append(client: &tokio_postgres::Client, action: &str, metadata: serde_json::Value) -> i64 {
    client
        .query_one(
            "SELECT audit.append('user', 'u-1', $1, 'user', 't-1', '127.0.0.1', 'req-1', $2)",
            &[&action, &metadata],
        )
        .await
        .unwrap()
        .get(0)
}

fn verify_cli(platform: &TestPlatform, key: &str, slug: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(["audit", "verify", slug, "--json"])
        .env("TENANTRY_CATALOG_URL", &platform.catalog_url)
        .env("TENANTRY_MASTER_KEY", key)
        .env_remove("TENANTRY_API_URL")
        .env_remove("TENANTRY_DATABASE_URL")
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_runtime_role_can_only_append_and_verify_catches_what_a_superuser_changes() {
    let key = secrets::Keyring::generate_base64();
    let platform = TestPlatform::with_key(&key).await;
    let provisioner = platform.provisioner();
    let slug = unique_slug("audit");
    let tenant = provisioner.create_tenant(tenant_request(&slug), &Actor::system()).await.unwrap();
    let id = TenantId::from_uuid(tenant.id);
    let placement = platform.catalog.placement(id).await.unwrap().unwrap();
    let password = provisioner
        .secrets()
        .get(&Scope::Tenant(id), &SecretName::well_known(secrets::DB_PASSWORD), None)
        .await
        .unwrap()
        .value;
    let runtime = connect_as(
        &placement.role_name,
        password.expose_secret(),
        &placement.database_name,
        platform.server.port as u16,
    )
    .await
    .unwrap();

    // Rows with awkward content: the Rust verifier must hash exactly what the database hashed.
    append(
        &runtime,
        "user.invited",
        json!({ "email": "zoë@example.com", "nested": { "b": [1, 2.5, null], "a": "x:y" } }),
    )
    .await;
    append(&runtime, "auth.login", json!({})).await;
    let third =
        append(&runtime, "api_key.created", json!({ "name": "ci \"deploy\" key", "scopes": ["notes.read"] })).await;
    assert_eq!(third, 3);
    let report = provisioner::verify_audit_log(&provisioner, id, None).await.unwrap();
    assert!(report.is_intact(), "{report:?}");
    assert_eq!(report.rows_checked, 3);
    let anchor: migrator::audit_chain::Anchor =
        format!("{}:{}", report.last_seq.unwrap(), report.last_hash.as_deref().unwrap()).parse().unwrap();
    let ok = verify_cli(&platform, &key, &slug);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));

    // The runtime role reads the log, and every other way of changing it is refused.
    let visible: i64 = runtime.query_one("SELECT count(*) FROM audit.events", &[]).await.unwrap().get(0);
    assert_eq!(visible, 3);
    for statement in [
        "UPDATE audit.events SET action = 'nothing.happened' WHERE seq = 2",
        "DELETE FROM audit.events WHERE seq = 2",
        "TRUNCATE audit.events",
        "INSERT INTO audit.events (seq, occurred_at, actor_type, action, prev_hash, hash) VALUES (99, now(), 'system', 'x', 'x', 'x')",
        "ALTER TABLE audit.events DISABLE TRIGGER ALL",
        "DROP TABLE audit.events",
        "DROP SCHEMA audit CASCADE",
        "ALTER SCHEMA audit RENAME TO old_audit",
        "CREATE OR REPLACE FUNCTION audit.field(value text) RETURNS text LANGUAGE sql RETURN 'x'",
        "SET session_replication_role = replica",
    ] {
        let err = runtime.batch_execute(statement).await.expect_err(statement);
        let code = err.code().map(|c| c.code().to_owned());
        assert_eq!(code.as_deref(), Some("42501"), "{statement}: {err}");
    }
    let after: i64 = runtime.query_one("SELECT count(*) FROM audit.events", &[]).await.unwrap().get(0);
    assert_eq!(after, 3);

    // A superuser edits a row: verify names it and the CLI exits non-zero.
    let admin = test_support::admin_client(&placement.database_name).await.unwrap();
    admin
        .batch_execute("UPDATE audit.events SET metadata = '{\"email\": \"someone-else@example.com\"}' WHERE seq = 1")
        .await
        .unwrap();
    let report = provisioner::verify_audit_log(&provisioner, id, None).await.unwrap();
    assert_eq!(report.broken.as_ref().map(|b| b.seq), Some(1), "{report:?}");
    let failed = verify_cli(&platform, &key, &slug);
    assert!(!failed.status.success());
    let out: serde_json::Value = serde_json::from_slice(&failed.stdout).unwrap();
    assert_eq!(out["broken"]["seq"], 1);

    // Restoring row 1 makes it verify again; deleting row 2 leaves a gap the chain exposes.
    admin.batch_execute("DELETE FROM audit.events WHERE seq = 2").await.unwrap();
    admin.batch_execute("UPDATE audit.events SET metadata = '{\"email\": \"zoë@example.com\", \"nested\": {\"a\": \"x:y\", \"b\": [1, 2.5, null]}}' WHERE seq = 1").await.unwrap();
    let report = provisioner::verify_audit_log(&provisioner, id, None).await.unwrap();
    assert_eq!(report.broken.as_ref().map(|b| b.seq), Some(3), "a deleted row is a gap: {report:?}");
    assert_eq!(report.rows_checked, 1, "row 1 is intact again once restored");

    // Removing rows from the end leaves a chain that still verifies on its own; the anchor
    // recorded earlier catches it.
    let admin2 = test_support::admin_client(&placement.database_name).await.unwrap();
    admin2.batch_execute("DELETE FROM audit.events").await.unwrap();
    append(&runtime, "auth.login", json!({})).await;
    append(&runtime, "auth.login", json!({})).await;
    admin2.batch_execute("DELETE FROM audit.events WHERE seq = 2").await.unwrap();
    let alone = provisioner::verify_audit_log(&provisioner, id, None).await.unwrap();
    assert!(alone.is_intact(), "a truncated tail verifies without an anchor: {alone:?}");
    let anchored = provisioner::verify_audit_log(&provisioner, id, Some(&anchor)).await.unwrap();
    assert_eq!(anchored.broken.as_ref().map(|b| b.seq), Some(anchor.seq), "{anchored:?}");
    let cli = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(["audit", "verify", &slug, "--anchor", &format!("{}:{}", anchor.seq, anchor.hash)])
        .env("TENANTRY_CATALOG_URL", &platform.catalog_url)
        .env("TENANTRY_MASTER_KEY", &key)
        .env_remove("TENANTRY_API_URL")
        .env_remove("TENANTRY_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!cli.status.success(), "{}", String::from_utf8_lossy(&cli.stdout));
    drop(admin2);

    drop((runtime, admin));
    platform.cleanup().await;
}
