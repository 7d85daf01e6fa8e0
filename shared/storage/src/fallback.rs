//! A primary store with a fallback (S3 with an on-prem NAS behind it, or the reverse).
//!
//! While the primary is unavailable (connection errors, timeouts, 5xx — never 4xx), writes land on
//! the fallback and are logged for replication; reads try the primary, then the fallback;
//! [`FallbackStore::replicate`] copies logged objects to the primary once it answers again and
//! only then removes them from the fallback and the log. Nothing is acknowledged that is not
//! stored somewhere, and nothing leaves the fallback before the primary holds it.
//!
//! An upload that meets a dead primary within its first [`REPLAY_LIMIT`] bytes (for S3 and Azure:
//! before the first part or block is sent) is replayed to the fallback from memory; a larger one
//! that loses the primary midway fails and can be retried, and the retry goes straight to the
//! fallback while the primary is marked down.
//!
//! Keys are meant to be written once (the file API stores each version under a fresh key): a key
//! overwritten on the primary while its older copy waits in the log could be replaced by it.

use std::{
    ops::Range,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use bytes::Bytes;
use futures::StreamExt;

use crate::{ByteStream, ListPage, ObjectMeta, ObjectStore, StorageError};

/// Bytes of an upload kept in memory to replay it on the fallback.
pub const REPLAY_LIMIT: u64 = 16 * 1024 * 1024;
/// How long the primary is skipped after it failed.
const DOWN_FOR: Duration = Duration::from_secs(5);

/// What the primary still has to receive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// The object is on the fallback only.
    Put,
    /// The object was deleted while the primary was down.
    Delete,
}

/// The durable log of writes waiting for the primary (the tenant database in production).
#[async_trait::async_trait]
pub trait ReplicationLog: Send + Sync {
    async fn record(&self, key: &str, pending: Pending) -> Result<(), StorageError>;
    /// Up to `limit` entries, oldest first.
    async fn pending(&self, limit: usize) -> Result<Vec<(String, Pending)>, StorageError>;
    /// Removes the entry for `key` if it is still `pending` (a newer entry stays).
    async fn done(&self, key: &str, pending: Pending) -> Result<(), StorageError>;
    async fn queued(&self) -> Result<u64, StorageError>;
}

/// What one replication pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Replicated {
    pub copied: usize,
    pub deleted: usize,
    /// Entries left because the primary is (still) unavailable.
    pub left: bool,
}

/// A primary with a fallback behind it.
#[derive(Clone)]
pub struct FallbackStore {
    primary: Arc<dyn ObjectStore>,
    fallback: Arc<dyn ObjectStore>,
    log: Arc<dyn ReplicationLog>,
    down_until: Arc<Mutex<Option<Instant>>>,
}

/// Bytes of an upload seen so far, kept until [`REPLAY_LIMIT`].
#[derive(Default)]
struct Recorded {
    chunks: Vec<Bytes>,
    bytes: u64,
    overflowed: bool,
    source_failed: bool,
}

impl FallbackStore {
    pub fn new(primary: Arc<dyn ObjectStore>, fallback: Arc<dyn ObjectStore>, log: Arc<dyn ReplicationLog>) -> Self {
        Self { primary, fallback, log, down_until: Arc::default() }
    }

    /// Whether the primary is being skipped after a recent failure.
    pub fn primary_down(&self) -> bool {
        self.down_until.lock().ok().and_then(|d| *d).is_some_and(|until| Instant::now() < until)
    }

    fn mark_down(&self) {
        if let Ok(mut d) = self.down_until.lock() {
            *d = Some(Instant::now() + DOWN_FOR);
        }
    }

    fn mark_up(&self) {
        if let Ok(mut d) = self.down_until.lock() {
            *d = None;
        }
    }

    async fn put_fallback(&self, key: &str, body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        let meta = self.fallback.put(key, body, limit).await?;
        self.log.record(key, Pending::Put).await?;
        Ok(meta)
    }

    /// Copies what the log holds to the primary, at most `limit` entries; stops at the first
    /// sign that the primary is still unavailable.
    pub async fn replicate(&self, limit: usize) -> Result<Replicated, StorageError> {
        let mut done = Replicated::default();
        for (key, pending) in self.log.pending(limit).await? {
            let step = match pending {
                Pending::Put => self.copy_to_primary(&key).await,
                Pending::Delete => self.primary.delete(&key).await,
            };
            match step {
                Ok(()) => {
                    self.mark_up();
                    self.log.done(&key, pending).await?;
                    if pending == Pending::Put {
                        // Only now, with the primary holding it, does the fallback copy go.
                        self.fallback.delete(&key).await?;
                        done.copied += 1;
                    } else {
                        done.deleted += 1;
                    }
                }
                // Deleted since: nothing left to copy.
                Err(StorageError::NotFound) => self.log.done(&key, pending).await?,
                Err(StorageError::Unavailable(_)) => {
                    self.mark_down();
                    done.left = true;
                    return Ok(done);
                }
                Err(err) => return Err(err),
            }
        }
        Ok(done)
    }

    async fn copy_to_primary(&self, key: &str) -> Result<(), StorageError> {
        let (meta, body) = self.fallback.get(key, None).await?;
        self.primary.put(key, body, meta.size).await.map(|_| ())
    }

    pub async fn queue_len(&self) -> Result<u64, StorageError> {
        self.log.queued().await
    }
}

/// A stream over `source` that records what passes, up to [`REPLAY_LIMIT`] bytes.
fn tee(source: Arc<tokio::sync::Mutex<ByteStream>>, recorded: Arc<Mutex<Recorded>>) -> ByteStream {
    futures::stream::unfold((source, recorded), |(source, recorded)| async move {
        let next = source.lock().await.next().await;
        if let (Some(item), Ok(mut r)) = (&next, recorded.lock()) {
            match item {
                Ok(chunk) => {
                    r.bytes += chunk.len() as u64;
                    if r.bytes > REPLAY_LIMIT {
                        r.overflowed = true;
                        r.chunks.clear();
                    } else {
                        r.chunks.push(chunk.clone());
                    }
                }
                Err(_) => r.source_failed = true,
            }
        }
        next.map(|item| (item, (source, recorded)))
    })
    .boxed()
}

/// The recorded bytes followed by what the source still holds.
fn replay(chunks: Vec<Bytes>, source: Arc<tokio::sync::Mutex<ByteStream>>) -> ByteStream {
    let rest = futures::stream::unfold(source, |source| async move {
        let next = source.lock().await.next().await;
        next.map(|item| (item, source))
    });
    futures::stream::iter(chunks.into_iter().map(Ok)).chain(rest).boxed()
}

#[async_trait::async_trait]
impl ObjectStore for FallbackStore {
    async fn put(&self, key: &str, body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        if self.primary_down() {
            return self.put_fallback(key, body, limit).await;
        }
        let source = Arc::new(tokio::sync::Mutex::new(body));
        let recorded = Arc::new(Mutex::new(Recorded::default()));
        match self.primary.put(key, tee(source.clone(), recorded.clone()), limit).await {
            Ok(meta) => Ok(meta),
            Err(StorageError::Unavailable(reason)) => {
                let (chunks, replayable) = match recorded.lock() {
                    Ok(r) if r.source_failed => return Err(StorageError::Unavailable(reason)),
                    Ok(mut r) => (std::mem::take(&mut r.chunks), !r.overflowed),
                    Err(_) => (Vec::new(), false),
                };
                self.mark_down();
                if !replayable {
                    return Err(StorageError::Unavailable(reason));
                }
                tracing::warn!(%reason, "primary storage unavailable; writing to the fallback");
                self.put_fallback(key, replay(chunks, source), limit).await
            }
            Err(err) => Err(err),
        }
    }

    /// The primary first — or, while it is marked down, the fallback first; an object either
    /// one holds is served (the mark only saves writes a wasted attempt: it may be stale, and
    /// a replicated object lives on the primary alone).
    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError> {
        if self.primary_down() {
            match self.fallback.get(key, range.clone()).await {
                Err(StorageError::NotFound) => {}
                other => return other,
            }
            return self.primary.get(key, range).await;
        }
        let primary_err = match self.primary.get(key, range.clone()).await {
            Ok(found) => return Ok(found),
            Err(err @ (StorageError::NotFound | StorageError::Unavailable(_))) => err,
            Err(err) => return Err(err),
        };
        if matches!(primary_err, StorageError::Unavailable(_)) {
            self.mark_down();
        }
        match self.fallback.get(key, range).await {
            // Not on the fallback either: an outage of the primary is the better answer.
            Err(StorageError::NotFound) => Err(primary_err),
            other => other,
        }
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError> {
        if self.primary_down() {
            match self.fallback.head(key).await {
                Err(StorageError::NotFound) => {}
                other => return other,
            }
            return self.primary.head(key).await;
        }
        let primary_err = match self.primary.head(key).await {
            Ok(meta) => return Ok(meta),
            Err(err @ (StorageError::NotFound | StorageError::Unavailable(_))) => err,
            Err(err) => return Err(err),
        };
        match self.fallback.head(key).await {
            Err(StorageError::NotFound) => Err(primary_err),
            other => other,
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.fallback.delete(key).await?;
        let primary = if self.primary_down() {
            Err(StorageError::Unavailable("primary marked down".to_owned()))
        } else {
            self.primary.delete(key).await
        };
        match primary {
            Ok(()) => Ok(()),
            Err(StorageError::Unavailable(_)) => {
                self.mark_down();
                self.log.record(key, Pending::Delete).await
            }
            Err(err) => Err(err),
        }
    }

    /// Both stores' keys merged (the fallback's alone while the primary is down).
    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        let fallback = self.fallback.list(prefix, after, limit).await?;
        let primary = if self.primary_down() {
            None
        } else {
            match self.primary.list(prefix, after, limit).await {
                Ok(page) => Some(page),
                Err(StorageError::Unavailable(_)) => {
                    self.mark_down();
                    None
                }
                Err(err) => return Err(err),
            }
        };
        let Some(primary) = primary else { return Ok(fallback) };
        let more = primary.next_cursor.is_some() || fallback.next_cursor.is_some();
        let mut items = primary.items;
        items.extend(fallback.items);
        items.sort_by(|a, b| a.key.cmp(&b.key));
        items.dedup_by(|a, b| a.key == b.key);
        let more = more || items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(|m| m.key.clone()) } else { None };
        Ok(ListPage { items, next_cursor })
    }
}
