//! Per-tenant signing keys: publish before sign, verify until the longest token has expired,
//! on both secret-store backends.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use domain::TenantId;
use jsonwebtoken::{Algorithm, Header, Validation, decode, decode_header, encode};
use provisioner::testing::TestPlatform;
use secrets::{LocalStore, Scope, SecretStore, signing::SigningKeys};

#[derive(serde::Serialize, serde::Deserialize)]
struct Claims {
    sub: String,
    aud: String,
    exp: i64,
}

const AHEAD: Duration = Duration::from_secs(60);
const LIFETIME: Duration = Duration::from_secs(900);

async fn sign(keys: &SigningKeys, scope: &Scope, at: chrono::DateTime<Utc>) -> (String, String) {
    let active = keys.active(scope, at).await.unwrap();
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(active.kid.clone());
    let claims =
        Claims { sub: "user".into(), aud: scope.key(), exp: (Utc::now() + chrono::Duration::hours(1)).timestamp() };
    (encode(&header, &claims, &active.encoding).unwrap(), active.kid)
}

async fn verifies(keys: &SigningKeys, scope: &Scope, token: &str, at: chrono::DateTime<Utc>) -> bool {
    let kid = decode_header(token).unwrap().kid.unwrap();
    let Some(key) = keys.decoding_key(scope, &kid, at).await.unwrap() else { return false };
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[scope.key()]);
    decode::<Claims>(token, &key, &validation).is_ok()
}

async fn rotation_contract(store: Arc<dyn SecretStore>) {
    let keys = SigningKeys::new(store.clone(), AHEAD, LIFETIME);
    let scope = Scope::Tenant(TenantId::new());
    let other = Scope::Tenant(TenantId::new());
    keys.ensure(&scope).await.unwrap();
    keys.ensure(&scope).await.unwrap(); // idempotent
    keys.ensure(&other).await.unwrap();
    let now = Utc::now();
    let (old_token, old_kid) = sign(&keys, &scope, now).await;
    assert!(verifies(&keys, &scope, &old_token, now).await);
    // A token of one tenant is worthless at another: its key is not in the other's JWKS.
    assert!(keys.decoding_key(&other, &old_kid, now).await.unwrap().is_none());

    let new_kid = keys.rotate(&scope).await.unwrap();
    let jwks = keys.jwks(&scope, now).await.unwrap();
    let published: Vec<_> = jwks.keys.iter().map(|k| k.kid.clone()).collect();
    assert_eq!(published, vec![old_kid.clone(), new_kid.clone()], "published before it signs");
    assert_eq!(keys.active(&scope, now).await.unwrap().kid, old_kid, "the new key does not sign yet");

    let after_publication = Utc::now() + chrono::Duration::from_std(AHEAD).unwrap() + chrono::Duration::seconds(1);
    let (new_token, kid) = sign(&keys, &scope, after_publication).await;
    assert_eq!(kid, new_kid, "the new key signs once published long enough");
    assert!(verifies(&keys, &scope, &new_token, after_publication).await);
    assert!(verifies(&keys, &scope, &old_token, after_publication).await, "old tokens keep verifying");

    let old_tokens_expired =
        after_publication + chrono::Duration::from_std(LIFETIME).unwrap() + chrono::Duration::seconds(1);
    assert!(!verifies(&keys, &scope, &old_token, old_tokens_expired).await, "the retired key is gone");
    assert!(verifies(&keys, &scope, &new_token, old_tokens_expired).await);
    assert_eq!(keys.jwks(&scope, old_tokens_expired).await.unwrap().keys.len(), 1);

    // Deleting the tenant destroys its keys with its other secrets.
    store.destroy_scope(&scope).await.unwrap();
    assert!(keys.jwks(&scope, now).await.unwrap().keys.is_empty());
}

#[tokio::test]
async fn signing_keys_rotate_without_breaking_a_token_in_the_local_store() {
    let platform = TestPlatform::new().await;
    rotation_contract(Arc::new(LocalStore::new(platform.catalog.clone(), platform.keyring.clone()))).await;
    platform.cleanup().await;
}

#[tokio::test]
async fn signing_keys_rotate_without_breaking_a_token_in_vault() {
    let (address, root) = test_support::vault();
    let store = secrets::VaultStore::connect(&secrets::VaultConfig {
        address,
        auth: root.into(),
        mount: "secret".into(),
        prefix: test_support::unique_name("signing"),
    })
    .await
    .unwrap();
    rotation_contract(Arc::new(store)).await;
}
