//! Client-side encryption: what lands on the backend is sealed, every byte range reads back
//! exactly, and any change to the stored bytes — an edited byte, a cut tail, an object copied
//! under another name, another tenant's key — fails loudly instead of returning wrong data.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

use std::sync::Arc;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt, stream};
use storage::{ByteStream, EncryptedStore, KeyWrap, LocalStore, ObjectStore, StorageError};

struct Keys(secrets::Keyring);

impl KeyWrap for Keys {
    fn wrap(&self, context: &str, key: &[u8]) -> Result<String, StorageError> {
        Ok(self.0.seal_bytes(context, key).unwrap())
    }
    fn unwrap(&self, context: &str, wrapped: &str) -> Result<Vec<u8>, StorageError> {
        self.0.open_bytes(context, wrapped).map_err(|_| StorageError::Integrity("does not open"))
    }
}

fn keys() -> Arc<dyn KeyWrap> {
    Arc::new(Keys(secrets::Keyring::from_base64(&secrets::Keyring::generate_base64()).unwrap()))
}

fn body(data: &[u8], piece: usize) -> ByteStream {
    let owned: Vec<std::io::Result<Bytes>> = data.chunks(piece.max(1)).map(|c| Ok(Bytes::copy_from_slice(c))).collect();
    stream::iter(owned).boxed()
}

async fn read(store: &dyn ObjectStore, key: &str, range: Option<std::ops::Range<u64>>) -> Result<Vec<u8>, String> {
    let (_, stream) = store.get(key, range).await.map_err(|e| e.to_string())?;
    stream.map_ok(|b| b.to_vec()).try_concat().await.map_err(|e| e.to_string())
}

struct Fixture {
    dir: tempfile::TempDir,
    raw: Arc<LocalStore>,
    sealed: EncryptedStore,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let raw = Arc::new(LocalStore::open(dir.path()).unwrap());
    let sealed = EncryptedStore::new(raw.clone(), keys());
    Fixture { dir, raw, sealed }
}

fn sample(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 253) as u8).collect()
}

#[tokio::test]
async fn the_backend_holds_only_ciphertext_and_every_range_reads_back_exactly() {
    let f = fixture();
    // 200 KiB + 5: three full 64 KiB chunks and a short last one, uploaded in odd pieces.
    let data = sample(200 * 1024 + 5);
    let meta = f.sealed.put("tenants/t/doc.bin", body(&data, 10_000), 1 << 20).await.unwrap();
    assert_eq!(meta.size, data.len() as u64);
    let stored = std::fs::read(f.dir.path().join("tenants/t/doc.bin")).unwrap();
    assert!(stored.len() > data.len(), "tags and header are added");
    for at in (0..data.len() - 64).step_by(12_800) {
        let run = &data[at..at + 64];
        assert!(!stored.windows(64).any(|w| w == run), "the plaintext at {at} is stored as is");
    }
    assert_eq!(f.sealed.head("tenants/t/doc.bin").await.unwrap().size, data.len() as u64);

    assert_eq!(read(&f.sealed, "tenants/t/doc.bin", None).await.unwrap(), data);
    let n = data.len() as u64;
    let chunk = 64 * 1024;
    for range in [0..1, 0..chunk, chunk - 1..chunk + 1, chunk..2 * chunk, 5..n, n - 1..n, 3 * chunk..n, 100..150_000] {
        let got = read(&f.sealed, "tenants/t/doc.bin", Some(range.clone())).await.unwrap();
        assert_eq!(got, data[range.start as usize..range.end as usize], "range {range:?}");
    }
    assert!(matches!(f.sealed.get("tenants/t/doc.bin", Some(0..n + 1)).await, Err(StorageError::BadRange)));
}

#[tokio::test]
async fn empty_and_chunk_sized_objects_round_trip() {
    let f = fixture();
    for len in [0usize, 1, 64 * 1024, 128 * 1024] {
        let data = sample(len);
        let key = format!("tenants/t/{len}.bin");
        f.sealed.put(&key, body(&data, 4096), 1 << 20).await.unwrap();
        assert_eq!(f.sealed.head(&key).await.unwrap().size, len as u64);
        assert_eq!(read(&f.sealed, &key, None).await.unwrap(), data, "{len} bytes");
    }
}

#[tokio::test]
async fn a_changed_byte_anywhere_fails_the_read() {
    let f = fixture();
    let data = sample(150 * 1024);
    f.sealed.put("tenants/t/doc.bin", body(&data, 8192), 1 << 20).await.unwrap();
    let path = f.dir.path().join("tenants/t/doc.bin");
    let original = std::fs::read(&path).unwrap();
    let header = original.len() - 150 * 1024 - 3 * 16;
    // A byte of the wrapped key, of the nonce prefix, in a chunk, of the last chunk's tag.
    for at in [8, header - 5, original.len() / 2, original.len() - 1] {
        let mut tampered = original.clone();
        tampered[at] ^= 0x01;
        std::fs::write(&path, &tampered).unwrap();
        assert!(read(&f.sealed, "tenants/t/doc.bin", None).await.is_err(), "byte {at} changed");
    }
}

#[tokio::test]
async fn a_cut_tail_a_copied_object_and_another_tenants_key_do_not_open() {
    let f = fixture();
    let data = sample(130 * 1024);
    f.sealed.put("tenants/t/doc.bin", body(&data, 8192), 1 << 20).await.unwrap();
    let path = f.dir.path().join("tenants/t/doc.bin");
    let original = std::fs::read(&path).unwrap();

    // Cut exactly at a chunk boundary: the chunk now last was not sealed as last.
    std::fs::write(&path, &original[..original.len() - (130 * 1024 - 128 * 1024 + 16)]).unwrap();
    let err = read(&f.sealed, "tenants/t/doc.bin", None).await.unwrap_err();
    assert!(err.contains("integrity") || err.contains("authentication"), "{err}");
    std::fs::write(&path, &original).unwrap();

    // The same bytes under another key: the data key is bound to the name.
    f.raw.put("tenants/t/copy.bin", body(&original, 65536), 1 << 20).await.unwrap();
    let err = f.sealed.head("tenants/t/copy.bin").await.unwrap_err();
    assert!(matches!(err, StorageError::Integrity(_)), "{err}");

    // Another tenant's key opens nothing.
    let other = EncryptedStore::new(f.raw.clone(), keys());
    assert!(matches!(other.head("tenants/t/doc.bin").await, Err(StorageError::Integrity(_))));
    assert_eq!(read(&f.sealed, "tenants/t/doc.bin", None).await.unwrap(), data, "the original still opens");
}

#[tokio::test]
async fn the_size_limit_counts_plaintext_and_an_oversized_upload_keeps_the_old_object() {
    let f = fixture();
    f.sealed.put("tenants/t/doc.bin", body(b"old", 3), 1000).await.unwrap();
    // Exactly the limit fits, though the sealed form is larger.
    f.sealed.put("tenants/t/exact.bin", body(&sample(1000), 100), 1000).await.unwrap();
    let err = f.sealed.put("tenants/t/doc.bin", body(&sample(1001), 100), 1000).await.unwrap_err();
    assert!(matches!(err, StorageError::TooLarge { limit: 1000 }), "{err}");
    assert_eq!(read(&f.sealed, "tenants/t/doc.bin", None).await.unwrap(), b"old");
}
