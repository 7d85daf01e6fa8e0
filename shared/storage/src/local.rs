//! The local filesystem backend: development, and an on-prem NAS or NFS mount.
//!
//! Writes are atomic: the body goes to a temporary file under `<root>/.tmp/` (same filesystem),
//! is fsynced, then renamed into place and the directory fsynced — a reader sees the old object
//! or the new one, never half of one, and a crash leaves at most a temporary file. No path
//! component under the root may be a symbolic link, so a link planted in the tree cannot lead a
//! key outside it.

use std::{
    io::SeekFrom,
    ops::Range,
    path::{Path, PathBuf},
};

use futures::StreamExt;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};

use crate::{ByteStream, ListPage, ObjectKey, ObjectMeta, ObjectStore, StorageError};

const TMP_DIR: &str = ".tmp";
/// Bytes per read when streaming an object.
const READ_CHUNK: usize = 256 * 1024;

/// Objects as files under a root directory.
#[derive(Debug, Clone)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// Opens (creating it if needed) a store rooted at `root`.
    pub fn open(root: impl AsRef<Path>) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root.as_ref().join(TMP_DIR))?;
        let root = std::fs::canonicalize(root.as_ref())?;
        Ok(Self { root })
    }

    /// The file of `key`, refusing keys that are not valid object keys.
    fn path_of(&self, key: &str) -> Result<PathBuf, StorageError> {
        let key = ObjectKey::parse(key)?;
        if key.as_str().split('/').next() == Some(TMP_DIR) {
            return Err(StorageError::Refused("reserved key".into()));
        }
        Ok(self.root.join(key.as_str()))
    }

    /// Refuses a path if any existing component below the root is a symbolic link.
    async fn no_links(&self, path: &Path) -> Result<(), StorageError> {
        let relative = path.strip_prefix(&self.root).map_err(|_| StorageError::Refused("outside the root".into()))?;
        let mut current = self.root.clone();
        for part in relative.components() {
            current.push(part);
            match tokio::fs::symlink_metadata(&current).await {
                Ok(meta) if meta.file_type().is_symlink() => {
                    return Err(StorageError::Refused("a symbolic link in the path".into()));
                }
                Ok(_) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                Err(err) => return Err(err.into()),
            }
        }
        Ok(())
    }

    fn meta(&self, key: &str, size: u64, sha256: Option<String>) -> ObjectMeta {
        ObjectMeta { key: key.to_owned(), size, sha256 }
    }
}

#[async_trait::async_trait]
impl ObjectStore for LocalStore {
    async fn put(&self, key: &str, mut body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        let path = self.path_of(key)?;
        self.no_links(&path).await?;
        let parent = path.parent().ok_or_else(|| StorageError::Refused("no parent".into()))?.to_owned();
        tokio::fs::create_dir_all(&parent).await?;
        self.no_links(&path).await?;
        let tmp = self.root.join(TMP_DIR).join(uuid::Uuid::new_v4().simple().to_string());
        let mut file = tokio::fs::OpenOptions::new().write(true).create_new(true).open(&tmp).await?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let written: Result<(), StorageError> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| StorageError::Unavailable(format!("reading the upload: {e}")))?;
                size += chunk.len() as u64;
                if size > limit {
                    return Err(StorageError::TooLarge { limit });
                }
                hasher.update(&chunk);
                file.write_all(&chunk).await?;
            }
            file.sync_all().await?;
            Ok(())
        }
        .await;
        drop(file);
        if let Err(err) = written {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(err);
        }
        if let Err(err) = tokio::fs::rename(&tmp, &path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(err.into());
        }
        // The rename is durable once the directory is.
        if let Ok(dir) = tokio::fs::File::open(&parent).await {
            let _ = dir.sync_all().await;
        }
        Ok(self.meta(key, size, Some(hex::encode(hasher.finalize()))))
    }

    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError> {
        let path = self.path_of(key)?;
        self.no_links(&path).await?;
        let mut file = tokio::fs::File::open(&path).await?;
        let size = file.metadata().await?.len();
        let (start, end) = match range {
            None => (0, size),
            Some(r) if r.start < r.end && r.end <= size => (r.start, r.end),
            Some(_) => return Err(StorageError::BadRange),
        };
        file.seek(SeekFrom::Start(start)).await?;
        // Large reads: each one is a trip to the blocking pool.
        let stream = tokio_util::io::ReaderStream::with_capacity(file.take(end - start), READ_CHUNK);
        Ok((self.meta(key, size, None), stream.boxed()))
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError> {
        let path = self.path_of(key)?;
        self.no_links(&path).await?;
        let meta = tokio::fs::metadata(&path).await?;
        if !meta.is_file() {
            return Err(StorageError::NotFound);
        }
        Ok(self.meta(key, meta.len(), None))
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        let path = self.path_of(key)?;
        self.no_links(&path).await?;
        match tokio::fs::remove_file(&path).await {
            Ok(()) => {}
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(err) => return Err(err.into()),
        }
        // Empty directories left behind go too (best effort; a concurrent put may refill one).
        let mut dir = path.parent().map(Path::to_path_buf);
        while let Some(d) = dir.filter(|d| *d != self.root) {
            if tokio::fs::remove_dir(&d).await.is_err() {
                break;
            }
            dir = d.parent().map(Path::to_path_buf);
        }
        Ok(())
    }

    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        let root = self.root.clone();
        let prefix = prefix.to_owned();
        let after = after.map(str::to_owned);
        tokio::task::spawn_blocking(move || list_blocking(&root, &prefix, after.as_deref(), limit))
            .await
            .map_err(|e| StorageError::Unavailable(format!("listing: {e}")))?
    }
}

/// Walks the directory holding `prefix` (symbolic links are not followed) and pages the keys.
fn list_blocking(root: &Path, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
    let start_dir = match prefix.rfind('/') {
        Some(i) => root.join(&prefix[..i]),
        None => root.to_path_buf(),
    };
    let mut keys = Vec::new();
    let mut stack = vec![start_dir];
    while let Some(dir) = stack.pop() {
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => continue,
            Err(err) => return Err(err.into()),
        };
        for entry in entries {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            let Ok(relative) = path.strip_prefix(root) else { continue };
            let Some(key) = relative.to_str().map(str::to_owned) else { continue };
            if key == TMP_DIR || key.starts_with(&format!("{TMP_DIR}/")) || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                if key.starts_with(prefix) || prefix.starts_with(&format!("{key}/")) {
                    stack.push(path);
                }
            } else if kind.is_file() && key.starts_with(prefix) && after.is_none_or(|a| key.as_str() > a) {
                let size = entry.metadata()?.len();
                keys.push(ObjectMeta { key, size, sha256: None });
            }
        }
    }
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let more = keys.len() > limit;
    keys.truncate(limit);
    let next_cursor = if more { keys.last().map(|m| m.key.clone()) } else { None };
    Ok(ListPage { items: keys, next_cursor })
}
