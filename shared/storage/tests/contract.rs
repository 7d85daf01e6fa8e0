//! The object-store contract, asserted against every backend (the local filesystem, S3 on s3s-fs,
//! Azure Blob on Azurite) with the same assertions, plus tenant isolation through `TenantStore`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use storage::{ByteStream, LocalStore, ObjectKey, ObjectStore, StorageError, TenantStore};
use uuid::Uuid;

fn body(chunks: &[&[u8]]) -> ByteStream {
    let owned: Vec<std::io::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(owned).boxed()
}

async fn read(stream: ByteStream) -> Vec<u8> {
    stream.map_ok(|b| b.to_vec()).try_concat().await.unwrap()
}

fn key(s: &str) -> ObjectKey {
    ObjectKey::parse(s).unwrap()
}

/// The contract: every backend must pass this.
async fn contract(store: Arc<dyn ObjectStore>) {
    let tenant = TenantStore::new(store.clone(), Uuid::now_v7());
    // Put streams in chunks, hashes, and reads back whole or by range.
    let meta = tenant.put(&key("docs/report.txt"), body(&[b"hello ", b"world"]), 1024).await.unwrap();
    assert_eq!((meta.key.as_str(), meta.size), ("docs/report.txt", 11));
    assert_eq!(meta.sha256.as_deref(), Some("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"));
    let (head, whole) = tenant.get(&key("docs/report.txt"), None).await.unwrap();
    assert_eq!((head.size, read(whole).await), (11, b"hello world".to_vec()));
    let (_, part) = tenant.get(&key("docs/report.txt"), Some(6..11)).await.unwrap();
    assert_eq!(read(part).await, b"world".to_vec());
    assert!(matches!(tenant.get(&key("docs/report.txt"), Some(5..50)).await, Err(StorageError::BadRange)));
    assert_eq!(tenant.head(&key("docs/report.txt")).await.unwrap().size, 11);

    // Overwrite replaces; a too-large upload leaves the old object intact.
    tenant.put(&key("docs/report.txt"), body(&[b"v2"]), 1024).await.unwrap();
    let err = tenant.put(&key("docs/report.txt"), body(&[&[0u8; 600], &[0u8; 600]]), 1000).await.unwrap_err();
    assert!(matches!(err, StorageError::TooLarge { limit: 1000 }), "{err}");
    let (_, kept) = tenant.get(&key("docs/report.txt"), None).await.unwrap();
    assert_eq!(read(kept).await, b"v2".to_vec());

    // Listing: key order, by prefix, paged with a cursor; deletes are idempotent.
    for name in ["docs/a", "docs/b", "docs/sub/c", "images/x.png"] {
        tenant.put(&key(name), body(&[b"."]), 10).await.unwrap();
    }
    let all = tenant.list("", None, 100).await.unwrap();
    let names: Vec<&str> = all.items.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(names, ["docs/a", "docs/b", "docs/report.txt", "docs/sub/c", "images/x.png"]);
    let first = tenant.list("docs/", None, 2).await.unwrap();
    assert_eq!(first.items.len(), 2);
    let rest = tenant.list("docs/", first.next_cursor.as_deref(), 10).await.unwrap();
    let names: Vec<&str> = rest.items.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(names, ["docs/report.txt", "docs/sub/c"]);
    assert!(rest.next_cursor.is_none());
    tenant.delete(&key("docs/sub/c")).await.unwrap();
    tenant.delete(&key("docs/sub/c")).await.unwrap();
    assert!(matches!(tenant.head(&key("docs/sub/c")).await, Err(StorageError::NotFound)));
    assert!(matches!(tenant.get(&key("never/was"), None).await, Err(StorageError::NotFound)));

    // Another tenant on the same store sees none of it and cannot reach it by any key.
    let other = TenantStore::new(store.clone(), Uuid::now_v7());
    assert!(other.list("", None, 100).await.unwrap().items.is_empty());
    assert!(matches!(other.head(&key("docs/a")).await, Err(StorageError::NotFound)));
    for trick in ["../docs/a", "/tenants", "..\\docs", "tenants/../../x", "a/%2e%2e/b"] {
        if let Ok(k) = ObjectKey::parse(trick) {
            // Only literal names survive parsing; they stay inside the other tenant's space.
            assert!(matches!(other.head(&k).await, Err(StorageError::NotFound)), "{trick}");
        }
    }
    for bad in ["../", "/", "a/../", "..", "a\\b/"] {
        assert!(other.list(bad, None, 10).await.is_err(), "{bad}");
    }
    assert!(other.list("a..b/", None, 10).await.unwrap().items.is_empty(), "a literal name is a fine prefix");
}

#[tokio::test]
async fn the_local_backend_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    contract(Arc::new(LocalStore::open(dir.path()).unwrap())).await;
}

#[tokio::test]
async fn a_symbolic_link_in_the_tree_does_not_lead_outside_it() {
    let root = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), b"outside").unwrap();
    let store = LocalStore::open(root.path()).unwrap();
    std::fs::create_dir_all(root.path().join("tenants")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.path().join("tenants/evil")).unwrap();
    let Err(err) = store.get("tenants/evil/secret.txt", None).await else { panic!("a link was followed") };
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    let err = store.put("tenants/evil/planted.txt", body(&[b"x"]), 10).await.expect_err("refused");
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    assert!(!outside.path().join("planted.txt").exists());
    // Listing does not follow it either.
    assert!(store.list("tenants/", None, 10).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn a_failed_upload_leaves_no_object_and_no_temporary_file() {
    let root = tempfile::tempdir().unwrap();
    let store = LocalStore::open(root.path()).unwrap();
    let failing: ByteStream =
        stream::iter(vec![Ok(Bytes::from_static(b"part")), Err(std::io::Error::other("client went away"))]).boxed();
    assert!(store.put("tenants/t/upload.bin", failing, 100).await.is_err());
    assert!(matches!(store.head("tenants/t/upload.bin").await, Err(StorageError::NotFound)));
    assert_eq!(std::fs::read_dir(root.path().join(".tmp")).unwrap().count(), 0);
}

fn s3_store(s3: &test_support::S3Server, bucket: &str) -> storage::S3Store {
    s3.create_bucket(bucket);
    storage::S3Store::new(&storage::S3Settings {
        endpoint: Some(s3.url.clone()),
        region: "us-east-1".into(),
        bucket: bucket.into(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: s3.secret_key.clone().into(),
        path_style: true,
        server_side_encryption: None,
    })
}

#[tokio::test]
async fn the_s3_backend_meets_the_contract() {
    let s3 = test_support::S3Server::start();
    contract(Arc::new(s3_store(&s3, "tenantry-contract"))).await;
}

#[tokio::test]
async fn a_large_object_streams_through_s3_in_parts_and_an_oversized_one_leaves_nothing() {
    let s3 = test_support::S3Server::start();
    // 20 MiB in 1 MiB chunks: three parts of a multipart upload.
    large_object_round_trip(&s3_store(&s3, "tenantry-large")).await;
}

async fn large_object_round_trip(store: &dyn ObjectStore) {
    use sha2::{Digest, Sha256};
    let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let chunks: Vec<std::io::Result<Bytes>> = (0..20).map(|_| Ok(Bytes::from(chunk.clone()))).collect();
    let meta = store.put("tenants/t/big.bin", stream::iter(chunks).boxed(), 64 * 1024 * 1024).await.unwrap();
    assert_eq!(meta.size, 20 * 1024 * 1024);
    let (_, body) = store.get("tenants/t/big.bin", None).await.unwrap();
    let mut hasher = Sha256::new();
    let mut body = body;
    while let Some(part) = body.next().await {
        hasher.update(part.unwrap());
    }
    assert_eq!(Some(hex::encode(hasher.finalize())), meta.sha256, "read back identical");
    let chunks: Vec<std::io::Result<Bytes>> = (0..20).map(|_| Ok(Bytes::from(chunk.clone()))).collect();
    let err = store.put("tenants/t/too-big.bin", stream::iter(chunks).boxed(), 12 * 1024 * 1024).await.unwrap_err();
    assert!(matches!(err, StorageError::TooLarge { .. }), "{err}");
    assert!(matches!(store.head("tenants/t/too-big.bin").await, Err(StorageError::NotFound)));
}

#[tokio::test]
async fn wrong_s3_credentials_are_refused_not_mistaken_for_an_outage() {
    let s3 = test_support::S3Server::start();
    s3.create_bucket("tenantry-auth");
    let store = storage::S3Store::new(&storage::S3Settings {
        endpoint: Some(s3.url.clone()),
        region: "us-east-1".into(),
        bucket: "tenantry-auth".into(),
        access_key_id: s3.access_key.clone(),
        secret_access_key: "not-the-secret".to_owned().into(),
        path_style: true,
        server_side_encryption: None,
    });
    let err = store.list("", None, 10).await.unwrap_err();
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    drop(s3);
    let down = s3_unreachable().list("", None, 10).await.unwrap_err();
    assert!(matches!(down, StorageError::Unavailable(_)), "{down}");
}

fn s3_unreachable() -> storage::S3Store {
    storage::S3Store::new(&storage::S3Settings {
        endpoint: Some("http://127.0.0.1:9".into()),
        region: "us-east-1".into(),
        bucket: "nowhere".into(),
        access_key_id: "k".into(),
        secret_access_key: "s".to_owned().into(),
        path_style: true,
        server_side_encryption: None,
    })
}

fn azure_store(azurite: &test_support::AzuriteServer, container: &str, key: &str) -> storage::AzureStore {
    storage::AzureStore::new(&storage::AzureSettings {
        endpoint: Some(azurite.url.clone()),
        account: test_support::AZURITE_ACCOUNT.into(),
        container: container.into(),
        credential: storage::AzureCredential::SharedKey(key.to_owned().into()),
    })
    .unwrap()
}

#[tokio::test]
async fn the_azure_backend_meets_the_contract() {
    let azurite = test_support::AzuriteServer::start();
    let store = azure_store(&azurite, "tenantry-contract", test_support::AZURITE_KEY);
    store.create_container().await.unwrap();
    store.create_container().await.expect("creating an existing container is not an error");
    contract(Arc::new(store)).await;
}

#[tokio::test]
async fn a_large_object_streams_through_azure_in_blocks_and_an_oversized_one_leaves_nothing() {
    let azurite = test_support::AzuriteServer::start();
    let store = azure_store(&azurite, "tenantry-large", test_support::AZURITE_KEY);
    store.create_container().await.unwrap();
    // 20 MiB in 1 MiB chunks: five blocks committed by one block list.
    large_object_round_trip(&store).await;
    store.delete_container().await.unwrap();
    assert!(matches!(store.head("tenants/t/big.bin").await, Err(StorageError::NotFound)));
    store.delete_container().await.expect("deleting a missing container is not an error");
}

#[tokio::test]
async fn wrong_azure_credentials_are_refused_not_mistaken_for_an_outage() {
    let azurite = test_support::AzuriteServer::start();
    azure_store(&azurite, "tenantry-auth", test_support::AZURITE_KEY).create_container().await.unwrap();
    // A well-formed key that is not the account's.
    let wrong = azure_store(&azurite, "tenantry-auth", "bm90LXRoZS1rZXktbm90LXRoZS1rZXktbm90LXRoZS1rZXk=");
    let err = wrong.list("", None, 10).await.unwrap_err();
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    let err = wrong.put("tenants/t/x", body(&[b"x"]), 10).await.unwrap_err();
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    drop(azurite);
    let down = storage::AzureStore::new(&storage::AzureSettings {
        endpoint: Some("http://127.0.0.1:9/devstoreaccount1".into()),
        account: test_support::AZURITE_ACCOUNT.into(),
        container: "nowhere".into(),
        credential: storage::AzureCredential::SharedKey(test_support::AZURITE_KEY.to_owned().into()),
    })
    .unwrap();
    let err = down.list("", None, 10).await.unwrap_err();
    assert!(matches!(err, StorageError::Unavailable(_)), "{err}");
}

/// The tenant key, as the tenant plane holds it: a keyring from the secret store.
struct TestKeys(secrets::Keyring);

impl storage::KeyWrap for TestKeys {
    fn wrap(&self, context: &str, key: &[u8]) -> Result<String, StorageError> {
        Ok(self.0.seal_bytes(context, key).unwrap())
    }
    fn unwrap(&self, context: &str, wrapped: &str) -> Result<Vec<u8>, StorageError> {
        self.0.open_bytes(context, wrapped).map_err(|_| StorageError::Integrity("does not open"))
    }
}

fn test_keys() -> Arc<dyn storage::KeyWrap> {
    Arc::new(TestKeys(secrets::Keyring::from_base64(&secrets::Keyring::generate_base64()).unwrap()))
}

#[tokio::test]
async fn the_encrypted_local_backend_meets_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let local = Arc::new(LocalStore::open(dir.path()).unwrap());
    contract(Arc::new(storage::EncryptedStore::new(local, test_keys()))).await;
}

#[tokio::test]
async fn the_encrypted_s3_backend_meets_the_contract() {
    let s3 = test_support::S3Server::start();
    let inner = Arc::new(s3_store(&s3, "tenantry-sealed"));
    contract(Arc::new(storage::EncryptedStore::new(inner, test_keys()))).await;
}
