//! The `tenantry` binary in direct mode against a test platform.

use std::process::{Command, Output};

use provisioner::testing::{TestPlatform, unique_slug};
use secrets::Keyring;

fn tenantry(platform: &TestPlatform, key: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(args)
        .env("TENANTRY_CATALOG_URL", &platform.catalog_url)
        .env("TENANTRY_MASTER_KEY", key)
        .env("TENANTRY_ADMIN_PASSWORD", "correct horse battery staple")
        .env_remove("TENANTRY_API_URL")
        .env_remove("TENANTRY_DATABASE_URL")
        .output()
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test]
async fn the_cli_creates_lists_suspends_and_migrates_in_direct_mode() {
    let key = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&key).await;
    let slug = unique_slug("cli");

    let created = json(&tenantry(
        &platform,
        &key,
        &["tenants", "create", "--slug", &slug, "--name", "CLI Co", "--admin-email", "o@cli.test", "--json"],
    ));
    assert_eq!(created["status"], "active");
    let listed = json(&tenantry(&platform, &key, &["tenants", "list", "--json"]));
    assert_eq!(listed["items"][0]["slug"], slug.as_str());
    let suspended = json(&tenantry(&platform, &key, &["tenants", "suspend", &slug, "--reason", "test", "--json"]));
    assert_eq!(suspended["status"], "suspended");
    let plan = json(&tenantry(&platform, &key, &["migrate", "plan", "--json"]));
    assert_eq!((plan["drift"]["tenants"].as_u64(), plan["drift"]["behind"].as_u64()), (Some(1), Some(0)));
    let run = tenantry(&platform, &key, &["migrate", "run", "--json"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let events: Vec<serde_json::Value> =
        String::from_utf8_lossy(&run.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let last = events.last().unwrap();
    assert_eq!(last["event"], "run_finished");
    assert_eq!((last["summary"]["tenants"].as_u64(), last["summary"]["pending"].as_u64()), (Some(1), Some(0)));
    assert_eq!(last["summary"]["state"], "succeeded");

    // Refusals: a bad slug, deleting without the right confirmation, a wrong master key.
    let bad =
        tenantry(&platform, &key, &["tenants", "create", "--slug", "Bad", "--name", "x", "--admin-email", "o@x.test"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("slug"));
    let unconfirmed = tenantry(&platform, &key, &["tenants", "delete", &slug, "--confirm", "other"]);
    assert!(!unconfirmed.status.success());
    assert_eq!(json(&tenantry(&platform, &key, &["tenants", "show", &slug, "--json"]))["status"], "suspended");
    let other_key = Keyring::generate_base64();
    let wrong_key = tenantry(
        &platform,
        &other_key,
        &["tenants", "create", "--slug", &unique_slug("k"), "--name", "K", "--admin-email", "o@k.test"],
    );
    assert!(
        !wrong_key.status.success(),
        "a tenant cannot be provisioned with a key that does not open the server's credentials"
    );

    // The first admin invited instead (the password in the environment is ignored): the token is
    // printed once; reading a password from standard input as well is refused.
    let invited_slug = unique_slug("cliinv");
    let invite = ["tenants", "create", "--slug", &invited_slug, "--name", "Invited", "--admin-email", "o@inv.test"];
    let invited = json(&tenantry(&platform, &key, &[&invite[..], &["--invite-admin", "--json"]].concat()));
    let token = invited["adminInvitation"]["token"].as_str().unwrap_or_default();
    test_support::record_secret(token);
    assert_eq!((invited["status"].as_str(), token.len()), (Some("active"), 43), "{invited}");
    assert_eq!(invited["adminInvitation"]["email"], "o@inv.test");
    let both = tenantry(&platform, &key, &[&invite[..], &["--invite-admin", "--admin-password-stdin"]].concat());
    assert!(!both.status.success());

    let deleted = json(&tenantry(&platform, &key, &["tenants", "delete", &slug, "--confirm", &slug, "--json"]));
    assert_eq!(deleted["status"], "deleted");
    platform.cleanup().await;
}

#[tokio::test]
async fn keys_rotate_through_the_cli_without_losing_a_secret() {
    let old = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&old).await;
    let slug = unique_slug("rot");
    json(&tenantry(
        &platform,
        &old,
        &["tenants", "create", "--slug", &slug, "--name", "Rot", "--admin-email", "o@rot.test", "--json"],
    ));
    let status = json(&tenantry(&platform, &old, &["keys", "status", "--json"]));
    assert_eq!(status["items"][0]["active"], true);
    assert!(status["items"][0]["dataKeys"].as_i64().unwrap() >= 1);

    let new = Keyring::generate_base64();
    let both = format!("{new},{old}");
    let rewrapped = json(&tenantry(&platform, &both, &["keys", "rewrap", "--json"]));
    assert!(rewrapped["dataKeysRewrapped"].as_u64().unwrap() >= 1);
    assert_eq!(rewrapped["serverCredentialsMoved"], 0, "server passwords are in the secret store already");
    let status = json(&tenantry(&platform, &both, &["keys", "status", "--json"]));
    let old_entry = status["items"].as_array().unwrap().iter().find(|k| k["active"] == false).unwrap();
    assert_eq!(old_entry["retirable"], true, "{status}");

    // With the old key gone, everything still works: a new tenant, and the existing one.
    json(&tenantry(
        &platform,
        &new,
        &[
            "tenants",
            "create",
            "--slug",
            &unique_slug("after"),
            "--name",
            "After",
            "--admin-email",
            "o@after.test",
            "--json",
        ],
    ));
    let keys = json(&tenantry(&platform, &new, &["keys", "status", "--json"]));
    assert_eq!(keys["items"].as_array().unwrap().len(), 1);
    let tenant = json(&tenantry(&platform, &new, &["tenants", "show", &slug, "--json"]));
    let scope = secrets::Scope::Tenant(tenant["id"].as_str().unwrap().parse().unwrap());
    let store = secrets::LocalStore::new(platform.catalog.clone(), Keyring::from_base64(&new).unwrap());
    let password =
        secrets::SecretStore::get(&store, &scope, &secrets::SecretName::well_known(secrets::DB_PASSWORD), None).await;
    assert!(password.is_ok(), "the first tenant's database password opens with the new key alone");
    platform.cleanup().await;
}

#[tokio::test]
async fn the_cli_changes_a_servers_tls_and_admin_password_only_after_a_live_check() {
    use std::io::Write;
    let key = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&key).await;
    let before = platform.catalog.server(platform.server.id).await.unwrap();

    // The test cluster speaks no TLS: `require` fails the check and changes nothing.
    let refused = tenantry(&platform, &key, &["servers", "set", "default", "--sslmode", "require"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cannot connect"), "{refused:?}");
    let bad_mode = tenantry(&platform, &key, &["servers", "set", "default", "--sslmode", "prefer"]);
    assert!(!bad_mode.status.success());
    assert_eq!(platform.catalog.server(platform.server.id).await.unwrap(), before);

    // The admin password from standard input (here the one it has): checked, then counted.
    let password = platform.server_credentials().password(&before).await.unwrap().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_tenantry"))
        .args(["servers", "set", "default", "--admin-password-stdin", "--capacity", "4321", "--json"])
        .env("TENANTRY_CATALOG_URL", &platform.catalog_url)
        .env("TENANTRY_MASTER_KEY", &key)
        .env_remove("TENANTRY_API_URL")
        .env_remove("TENANTRY_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", secrets::ExposeSecret::expose_secret(&password)).unwrap();
    let shown = json(&child.wait_with_output().unwrap());
    assert_eq!((shown["capacity"].as_i64(), shown["tlsMode"].as_str()), (Some(4321), Some("disable")));
    let after = platform.catalog.server(platform.server.id).await.unwrap();
    assert_eq!(after.access_version, before.access_version + 1);
    platform.cleanup().await;
}

#[tokio::test]
async fn the_cli_moves_a_tenant_to_another_server() {
    let key = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&key).await;
    let slug = unique_slug("clim");
    let created = json(&tenantry(
        &platform,
        &key,
        &[
            "tenants",
            "create",
            "--slug",
            &slug,
            "--name",
            "Mover",
            "--admin-email",
            "o@clim.test",
            "--server",
            "default",
            "--json",
        ],
    ));
    assert_eq!(created["status"], "active");
    let second = test_support::extra_cluster_url("c", "postgres");
    platform.add_server("second", &second, catalog::ServerKind::Platform).await;

    let moved = json(&tenantry(&platform, &key, &["tenants", "move", &slug, "--to", "second", "--json"]));
    assert_eq!(moved["status"], "active");
    let id = domain::TenantId::from_uuid(moved["id"].as_str().unwrap().parse().unwrap());
    let placement = platform.catalog.placement(id).await.unwrap().unwrap();
    assert_eq!(placement.server_id, platform.catalog.server_by_name("second").await.unwrap().id);
    let again = tenantry(&platform, &key, &["tenants", "move", &slug, "--to", "second"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already on"), "{again:?}");
    platform.cleanup().await;
}
