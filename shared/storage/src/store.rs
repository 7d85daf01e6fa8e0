//! The object-store contract every backend implements.

use std::ops::Range;

use bytes::Bytes;
use futures::stream::BoxStream;

/// A stream of object bytes.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

/// What a backend can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("object not found")]
    NotFound,
    #[error("the object exceeds the size limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("the requested range is not satisfiable")]
    BadRange,
    #[error("invalid key: {0}")]
    InvalidKey(#[from] crate::KeyError),
    /// The backend refused access (credentials, permissions, a path escaping its root).
    #[error("access refused: {0}")]
    Refused(String),
    /// The object failed authentication or is not in the expected format (tampered, truncated,
    /// or sealed for another key).
    #[error("the object failed its integrity check: {0}")]
    Integrity(&'static str),
    /// The backend could not be reached or failed (worth a retry or a fallback).
    #[error("backend unavailable: {0}")]
    Unavailable(String),
}

impl From<std::io::Error> for StorageError {
    fn from(err: std::io::Error) -> Self {
        match err.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound,
            std::io::ErrorKind::PermissionDenied => StorageError::Refused(err.to_string()),
            _ => StorageError::Unavailable(err.to_string()),
        }
    }
}

/// An object's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    /// The key within the store the caller sees (for a tenant store: without the tenant prefix).
    pub key: String,
    pub size: u64,
    /// Hex SHA-256 of the content, when the backend knows it.
    pub sha256: Option<String>,
}

/// A page of a listing.
#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub items: Vec<ObjectMeta>,
    /// Pass back as `after` for the next page.
    pub next_cursor: Option<String>,
}

/// An object store. Keys are full keys within the backend; callers use [`crate::TenantStore`],
/// which adds the tenant prefix and validates keys.
#[async_trait::async_trait]
pub trait ObjectStore: Send + Sync {
    /// Streams `body` into `key`, refusing more than `limit` bytes; the object appears whole or
    /// not at all.
    async fn put(&self, key: &str, body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError>;
    /// Streams the object, or the byte `range` of it.
    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError>;
    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError>;
    /// Deletes the object; deleting a missing one is not an error.
    async fn delete(&self, key: &str) -> Result<(), StorageError>;
    /// Objects whose keys start with `prefix`, in key order, after `after`, at most `limit`.
    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError>;
    /// A URL the backend itself serves the object at, without credentials, until `expires_in`
    /// has passed, offered as a download named `filename`; `None` when the backend cannot sign
    /// (a directory) or its bytes would be of no use (sealed objects).
    async fn presign_get(
        &self,
        _key: &str,
        _expires_in: std::time::Duration,
        _filename: &str,
    ) -> Result<Option<String>, StorageError> {
        Ok(None)
    }
}

/// Reads `body` into `buffer` until it holds `target` bytes or the body ends, adding what it
/// reads to `size` (refusing more than `limit`) and to `hasher`. Returns whether the body ended.
/// The part and block uploads of the S3 and Azure backends are built on it.
pub(crate) async fn fill(
    body: &mut ByteStream,
    buffer: &mut bytes::BytesMut,
    target: usize,
    size: &mut u64,
    limit: u64,
    hasher: &mut sha2::Sha256,
) -> Result<bool, StorageError> {
    use futures::StreamExt;
    use sha2::Digest;
    while buffer.len() < target {
        let Some(chunk) = body.next().await else { return Ok(true) };
        let chunk = chunk.map_err(|e| StorageError::Unavailable(format!("reading the upload: {e}")))?;
        *size += chunk.len() as u64;
        if *size > limit {
            return Err(StorageError::TooLarge { limit });
        }
        hasher.update(&chunk);
        buffer.extend_from_slice(&chunk);
    }
    Ok(false)
}
