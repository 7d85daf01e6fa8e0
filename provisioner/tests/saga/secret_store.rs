//! The secret store contract, run against the local backend (the Vault backend will run the
//! same suite), plus what only envelope encryption can show: ciphertexts bound to their
//! tenant, crypto-shredding, and online master-key rotation.

use std::sync::Arc;

use domain::TenantId;
use provisioner::{
    Actor,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use secrets::{ExposeSecret, Keyring, LocalStore, Scope, SecretError, SecretName, SecretStore};

fn name(s: &str) -> SecretName {
    SecretName::parse(s).unwrap()
}

/// The behaviour every backend must have.
async fn contract(store: Arc<dyn SecretStore>) {
    let a = Scope::Tenant(TenantId::new());
    let b = Scope::Tenant(TenantId::new());
    let key = name("connectors/stripe/api-key");

    assert!(matches!(store.get(&a, &key, None).await, Err(SecretError::NotFound)));
    assert_eq!(store.put(&a, &key, "first", Some(0)).await.unwrap(), 1);
    assert_eq!(store.put(&a, &key, "second", None).await.unwrap(), 2);
    // Check-and-set refuses a stale writer and a second creator.
    assert!(matches!(
        store.put(&a, &key, "stale", Some(1)).await,
        Err(SecretError::VersionConflict { expected: 1, actual: 2 })
    ));
    assert!(matches!(store.put(&a, &key, "again", Some(0)).await, Err(SecretError::VersionConflict { .. })));
    assert_eq!(store.put(&a, &key, "third", Some(2)).await.unwrap(), 3);

    let latest = store.get(&a, &key, None).await.unwrap();
    assert_eq!((latest.version, latest.value.expose_secret()), (3, "third"));
    assert_eq!(store.get(&a, &key, Some(1)).await.unwrap().value.expose_secret(), "first");
    assert!(matches!(store.get(&a, &key, Some(9)).await, Err(SecretError::NotFound)));

    // Scopes are separate: B sees nothing of A's.
    assert!(matches!(store.get(&b, &key, None).await, Err(SecretError::NotFound)));
    store.put(&b, &name("db-password"), "b's", None).await.unwrap();
    assert_eq!(store.list(&a).await.unwrap(), vec![key.clone()]);
    assert_eq!(store.list(&b).await.unwrap(), vec![name("db-password")]);

    store.delete(&a, &key).await.unwrap();
    assert!(matches!(store.get(&a, &key, None).await, Err(SecretError::NotFound)));
    store.destroy_scope(&b).await.unwrap();
    assert!(store.list(&b).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_local_store_keeps_the_contract() {
    let platform = TestPlatform::new().await;
    contract(Arc::new(LocalStore::new(platform.catalog.clone(), platform.keyring.clone()))).await;
    platform.cleanup().await;
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_tenant_or_version_does_not_decrypt() {
    let platform = TestPlatform::new().await;
    let store = LocalStore::new(platform.catalog.clone(), platform.keyring.clone());
    let (a, b) = (Scope::Tenant(TenantId::new()), Scope::Tenant(TenantId::new()));
    let key = name("api-key");
    store.put(&a, &key, "a-secret", None).await.unwrap();
    store.put(&b, &key, "b-secret", None).await.unwrap();
    store.put(&a, &key, "a-secret-2", None).await.unwrap();
    let db = test_support::admin_client(&platform.catalog_db).await.unwrap();

    // Copy A's ciphertext over B's row (an attacker with write access to the catalog).
    db.execute(
        "UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE scope = $1 AND version = 1) WHERE scope = $2",
        &[&a.key(), &b.key()],
    )
    .await
    .unwrap();
    assert!(matches!(store.get(&b, &key, None).await, Err(SecretError::Crypto(_))));
    // Swap A's versions: each ciphertext is bound to its version.
    db.execute("UPDATE secrets SET ciphertext = (SELECT ciphertext FROM secrets WHERE scope = $1 AND version = 1) WHERE scope = $1 AND version = 2", &[&a.key()])
        .await
        .unwrap();
    assert!(matches!(store.get(&a, &key, None).await, Err(SecretError::Crypto(_))));
    assert_eq!(store.get(&a, &key, Some(1)).await.unwrap().value.expose_secret(), "a-secret");
    // At rest there is no plaintext.
    let rows: Vec<String> =
        db.query("SELECT ciphertext FROM secrets", &[]).await.unwrap().iter().map(|r| r.get(0)).collect();
    assert!(rows.iter().all(|c| !c.contains("secret")));
    platform.cleanup().await;
}

#[tokio::test]
async fn deleting_a_tenant_shreds_its_secrets() {
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let tenant = provisioner.create_tenant(tenant_request(&unique_slug("shred")), &Actor::system()).await.unwrap();
    let scope = Scope::Tenant(TenantId::from_uuid(tenant.id));
    let stolen = platform.catalog.latest_secret(&scope.key(), secrets::DB_PASSWORD).await.unwrap().unwrap();
    assert!(platform.catalog.data_key(&scope.key()).await.unwrap().is_some(), "the tenant has a data key");

    provisioner::delete_tenant(&provisioner, TenantId::from_uuid(tenant.id), &Actor::system()).await.unwrap();

    assert!(platform.catalog.data_key(&scope.key()).await.unwrap().is_none(), "data key destroyed");
    assert!(platform.catalog.latest_secret(&scope.key(), secrets::DB_PASSWORD).await.unwrap().is_none());
    // A copy of the ciphertext put back (from a backup, say) is useless without the data key.
    platform.catalog.insert_data_key(&scope.key(), "v1:00000000:AAAA", "00000000").await.unwrap();
    platform.catalog.insert_secret(&scope.key(), secrets::DB_PASSWORD, 1, &stolen.ciphertext).await.unwrap();
    let store = provisioner.secrets();
    assert!(store.get(&scope, &SecretName::well_known(secrets::DB_PASSWORD), None).await.is_err());
    platform.cleanup().await;
}

#[tokio::test]
async fn master_keys_rotate_online_and_an_old_key_is_unused_after_rewrap() {
    let old = Keyring::generate_base64();
    let platform = TestPlatform::with_key(&old).await;
    let before = LocalStore::new(platform.catalog.clone(), platform.keyring.clone());
    let scopes: Vec<Scope> = (0..5).map(|_| Scope::Tenant(TenantId::new())).collect();
    for (i, scope) in scopes.iter().enumerate() {
        before.put(scope, &name("k"), &format!("value-{i}"), None).await.unwrap();
    }
    let old_id = platform.keyring.active_key_id().to_owned();

    // Add a new key in front: new data keys use it, old ones still open.
    let new = Keyring::generate_base64();
    let rotated_ring = Keyring::from_base64(&format!("{new},{old}")).unwrap();
    let rotated = LocalStore::new(platform.catalog.clone(), rotated_ring.clone());
    assert_eq!(rotated.get(&scopes[0], &name("k"), None).await.unwrap().value.expose_secret(), "value-0");
    let report = rotated.rewrap().await.unwrap();

    assert_eq!(report.rewrapped, 6, "five tenant data keys and the platform's (server admin passwords)");
    let usage = platform.catalog.kek_usage().await.unwrap();
    assert!(usage.iter().all(|u| u.kek_id != old_id), "{usage:?}");
    // The old key can now be retired: the new key alone opens everything.
    let retired = LocalStore::new(platform.catalog.clone(), Keyring::from_base64(&new).unwrap());
    for (i, scope) in scopes.iter().enumerate() {
        assert_eq!(retired.get(scope, &name("k"), None).await.unwrap().value.expose_secret(), format!("value-{i}"));
    }
    // A process still holding only the old key can no longer read: the new key must reach
    // every process before the rewrap (the rotation runbook's order).
    assert!(matches!(before.get(&scopes[0], &name("k"), None).await, Err(SecretError::Crypto(_))));
    platform.cleanup().await;
}

async fn vault_store(prefix: &str, token: &str) -> secrets::VaultStore {
    let (address, _) = test_support::vault();
    secrets::VaultStore::connect(&secrets::VaultConfig {
        address,
        auth: token.to_owned().into(),
        mount: "secret".into(),
        prefix: prefix.into(),
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn the_vault_store_keeps_the_contract() {
    let (_, root) = test_support::vault();
    contract(Arc::new(vault_store(&test_support::unique_name("contract"), &root).await)).await;
}

#[tokio::test]
async fn a_tenant_token_reads_its_own_secrets_and_gets_403_for_another_tenants() {
    let (address, root) = test_support::vault();
    let prefix = test_support::unique_name("iso");
    let admin = vault_store(&prefix, &root).await;
    let (a, b) = (Scope::Tenant(TenantId::new()), Scope::Tenant(TenantId::new()));
    for (scope, value) in [(&a, "a-password"), (&b, "b-password")] {
        admin.ensure_scope(scope).await.unwrap();
        admin.put(scope, &name("db-password"), value, Some(0)).await.unwrap();
    }
    // A token carrying only A's policy, as a tenant-plane worker serving A would hold.
    let client = vaultrs::client::VaultClient::new(
        vaultrs::client::VaultClientSettingsBuilder::default().address(&address).token(&root).build().unwrap(),
    )
    .unwrap();
    let mut request = vaultrs::api::token::requests::CreateTokenRequest::builder();
    request.policies(vec![admin.tenant_policy_name(&a).unwrap()]).no_default_policy(true).ttl("5m");
    let token = vaultrs::token::new(&client, Some(&mut request)).await.unwrap().client_token;
    let as_a = vault_store(&prefix, &token).await;

    assert_eq!(as_a.get(&a, &name("db-password"), None).await.unwrap().value.expose_secret(), "a-password");
    assert!(matches!(as_a.get(&b, &name("db-password"), None).await, Err(SecretError::Forbidden)));
    assert!(
        matches!(as_a.put(&a, &name("db-password"), "overwrite", None).await, Err(SecretError::Forbidden)),
        "read-only"
    );
    assert!(matches!(as_a.destroy_scope(&b).await, Err(SecretError::Forbidden)));

    // Destroying B removes every version and B's policy.
    admin.destroy_scope(&b).await.unwrap();
    assert!(matches!(admin.get(&b, &name("db-password"), None).await, Err(SecretError::NotFound)));
    assert!(vaultrs::sys::policy::read(&client, &admin.tenant_policy_name(&b).unwrap()).await.is_err());
}

#[tokio::test]
async fn an_approle_login_is_renewed_and_repeated_so_the_store_keeps_working() {
    let (address, root) = test_support::vault();
    let client = vaultrs::client::VaultClient::new(
        vaultrs::client::VaultClientSettingsBuilder::default().address(&address).token(&root).build().unwrap(),
    )
    .unwrap();
    // AppRole may already be enabled by another test process sharing this server.
    let _ = vaultrs::sys::auth::enable(&client, "approle", "approle", None).await;
    let prefix = test_support::unique_name("approle");
    let policy = format!("{prefix}-rw");
    vaultrs::sys::policy::set(
        &client,
        &policy,
        "path \"secret/*\" { capabilities = [\"create\", \"read\", \"update\", \"delete\", \"list\"] }",
    )
    .await
    .unwrap();
    let role = prefix.clone();
    let mut options = vaultrs::api::auth::approle::requests::SetAppRoleRequest::builder();
    // Tokens live 2 s and can be renewed to at most 4 s: the store must renew, then log in again.
    options.token_policies(vec![policy]).token_ttl("2s").token_max_ttl("4s");
    vaultrs::auth::approle::role::set(&client, "approle", &role, Some(&mut options)).await.unwrap();
    let role_id = vaultrs::auth::approle::role::read_id(&client, "approle", &role).await.unwrap().role_id;
    let secret_id =
        vaultrs::auth::approle::role::secret::generate(&client, "approle", &role, None).await.unwrap().secret_id;
    test_support::record_secret(&secret_id);

    let store = secrets::VaultStore::connect(&secrets::VaultConfig {
        address,
        auth: secrets::VaultAuth::AppRole { mount: "approle".into(), role_id, secret_id: secret_id.into() },
        mount: "secret".into(),
        prefix,
    })
    .await
    .unwrap();
    let scope = Scope::Tenant(TenantId::new());
    for i in 0..7 {
        store.put(&scope, &name("k"), &format!("v{i}"), None).await.unwrap();
        assert_eq!(store.get(&scope, &name("k"), None).await.unwrap().value.expose_secret(), format!("v{i}"));
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    }
}
