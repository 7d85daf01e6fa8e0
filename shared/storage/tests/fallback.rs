//! Hybrid storage: an S3 primary (s3s-fs) with a NAS fallback (a local directory). The S3 server
//! process is stopped mid-test; uploads land on the fallback, reads still work, and when the
//! server is back replication drains the log and every object reads back from the primary with
//! the same SHA-256.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use sha2::{Digest, Sha256};
use storage::{ByteStream, FallbackStore, LocalStore, ObjectStore, Pending, ReplicationLog, S3Store, StorageError};

/// The log as a list in memory (the tenant plane keeps it in the tenant database).
#[derive(Default)]
struct MemoryLog(Mutex<Vec<(String, Pending)>>);

#[async_trait::async_trait]
impl ReplicationLog for MemoryLog {
    async fn record(&self, key: &str, pending: Pending) -> Result<(), StorageError> {
        let mut log = self.0.lock().unwrap();
        log.retain(|(k, _)| k != key);
        log.push((key.to_owned(), pending));
        Ok(())
    }
    async fn pending(&self, limit: usize) -> Result<Vec<(String, Pending)>, StorageError> {
        Ok(self.0.lock().unwrap().iter().take(limit).cloned().collect())
    }
    async fn done(&self, key: &str, pending: Pending) -> Result<(), StorageError> {
        self.0.lock().unwrap().retain(|(k, p)| !(k == key && *p == pending));
        Ok(())
    }
    async fn queued(&self) -> Result<u64, StorageError> {
        Ok(self.0.lock().unwrap().len() as u64)
    }
}

fn s3(server: &test_support::S3Server, secret: &str) -> S3Store {
    server.create_bucket("primary");
    S3Store::new(&storage::S3Settings {
        endpoint: Some(server.url.clone()),
        region: "us-east-1".into(),
        bucket: "primary".into(),
        access_key_id: server.access_key.clone(),
        secret_access_key: secret.to_owned().into(),
        path_style: true,
        server_side_encryption: None,
    })
}

fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect()
}

fn body(data: &[u8]) -> ByteStream {
    let owned: Vec<std::io::Result<Bytes>> = data.chunks(256 * 1024).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(owned).boxed()
}

async fn sha(store: &dyn ObjectStore, key: &str) -> Result<String, StorageError> {
    let (_, stream) = store.get(key, None).await?;
    let bytes: Vec<u8> = stream.map_ok(|b| b.to_vec()).try_concat().await.map_err(StorageError::from)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

#[tokio::test]
async fn an_s3_outage_falls_back_to_the_nas_and_replication_drains_when_it_returns() {
    let mut server = test_support::S3Server::start();
    let primary = Arc::new(s3(&server, &server.secret_key.clone()));
    let nas_dir = tempfile::tempdir().unwrap();
    let nas = Arc::new(LocalStore::open(nas_dir.path()).unwrap());
    let log = Arc::new(MemoryLog::default());
    let store = FallbackStore::new(primary.clone(), nas.clone(), log.clone());

    let before = data(300_000, 1);
    store.put("t/before.bin", body(&before), 1 << 30).await.unwrap();
    assert_eq!(log.queued().await.unwrap(), 0, "a healthy primary takes writes directly");

    server.stop();
    // A small upload and one larger than an S3 part (10 MiB: the failure shows at the first part).
    let small = data(1_000_000, 2);
    let large = data(10 * 1024 * 1024, 3);
    let small_meta = store.put("t/during-small.bin", body(&small), 1 << 30).await.expect("lands on the fallback");
    let large_meta = store.put("t/during-large.bin", body(&large), 1 << 30).await.expect("lands on the fallback");
    assert!(store.primary_down());
    assert_eq!(log.queued().await.unwrap(), 2);
    assert_eq!(sha(nas.as_ref(), "t/during-small.bin").await.unwrap(), small_meta.sha256.clone().unwrap());
    // Reads: what the fallback holds is served; what only the primary holds is unavailable.
    assert_eq!(sha(&store, "t/during-large.bin").await.unwrap(), large_meta.sha256.clone().unwrap());
    assert!(matches!(store.get("t/before.bin", None).await, Err(StorageError::Unavailable(_))));
    // A delete while down is remembered for the primary.
    store.delete("t/before.bin").await.unwrap();
    assert_eq!(log.queued().await.unwrap(), 3);
    let listed: Vec<String> = store.list("t/", None, 10).await.unwrap().items.into_iter().map(|m| m.key).collect();
    assert_eq!(listed, ["t/during-large.bin", "t/during-small.bin"]);

    // Still down: replication leaves everything in place.
    let pass = store.replicate(10).await.unwrap();
    assert!(pass.left);
    assert_eq!(log.queued().await.unwrap(), 3);

    server.resume();
    let pass = store.replicate(10).await.unwrap();
    assert_eq!((pass.copied, pass.deleted, pass.left), (2, 1, false));
    assert_eq!(log.queued().await.unwrap(), 0);
    assert!(nas.list("", None, 10).await.unwrap().items.is_empty(), "the fallback is emptied");
    // Read from the primary itself: same bytes, and the delete reached it.
    assert_eq!(sha(primary.as_ref(), "t/during-small.bin").await.unwrap(), small_meta.sha256.unwrap());
    assert_eq!(sha(primary.as_ref(), "t/during-large.bin").await.unwrap(), large_meta.sha256.unwrap());
    assert!(matches!(primary.head("t/before.bin").await, Err(StorageError::NotFound)));
}

#[tokio::test]
async fn a_refusal_by_the_primary_is_not_an_outage_and_writes_nothing_to_the_fallback() {
    let server = test_support::S3Server::start();
    let primary = Arc::new(s3(&server, "not-the-secret"));
    let nas_dir = tempfile::tempdir().unwrap();
    let nas = Arc::new(LocalStore::open(nas_dir.path()).unwrap());
    let log = Arc::new(MemoryLog::default());
    let store = FallbackStore::new(primary, nas.clone(), log.clone());
    let err = store.put("t/x.bin", body(b"x"), 10).await.unwrap_err();
    assert!(matches!(err, StorageError::Refused(_)), "{err}");
    assert!(!store.primary_down());
    assert!(nas.list("", None, 10).await.unwrap().items.is_empty());
    assert_eq!(log.queued().await.unwrap(), 0);
}

#[tokio::test]
async fn an_upload_that_breaks_on_the_client_side_is_not_replayed_or_blamed_on_the_primary() {
    let mut server = test_support::S3Server::start();
    let primary = Arc::new(s3(&server, &server.secret_key.clone()));
    let nas_dir = tempfile::tempdir().unwrap();
    let nas = Arc::new(LocalStore::open(nas_dir.path()).unwrap());
    let log = Arc::new(MemoryLog::default());
    let store = FallbackStore::new(primary, nas.clone(), log.clone());
    server.stop();
    let broken: ByteStream =
        stream::iter(vec![Ok(Bytes::from_static(b"part")), Err(std::io::Error::other("client went away"))]).boxed();
    assert!(store.put("t/broken.bin", broken, 100).await.is_err());
    assert!(!store.primary_down(), "the client broke the upload, not the primary");
    assert_eq!(log.queued().await.unwrap(), 0);
    assert!(nas.list("", None, 10).await.unwrap().items.is_empty());
}
