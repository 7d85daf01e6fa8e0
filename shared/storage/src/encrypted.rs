//! Client-side encryption over any store: each object gets its own random data key, wrapped by
//! the tenant's key (bound to the object's full key, so a copied object does not open under
//! another name), and its bytes are sealed with XChaCha20-Poly1305 in 64 KiB chunks.
//!
//! Layout: `TEN1` | wrapped-key length (u16 BE) | wrapped key | 19-byte nonce prefix | chunks.
//! Chunk `i` is sealed with nonce `prefix | i (u32 BE) | last (0 or 1)` and the header as
//! associated data, so reordering, truncating or swapping chunks, or editing the header, fails
//! to open (the STREAM construction). Every chunk carries a 16-byte tag; an empty object is one
//! empty, last chunk. Any byte range is read by fetching only the chunks that cover it.

use std::{
    ops::Range,
    sync::{Arc, Mutex},
};

use bytes::{Bytes, BytesMut};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, Payload},
};
use futures::StreamExt;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{ByteStream, ListPage, ObjectKey, ObjectMeta, ObjectStore, StorageError};

const MAGIC: &[u8; 4] = b"TEN1";
/// Plaintext bytes per chunk.
const CHUNK: u64 = 64 * 1024;
const TAG: u64 = 16;
const SEALED_CHUNK: u64 = CHUNK + TAG;
const NONCE_PREFIX: usize = 19;
/// Headers are read with one ranged request of this many bytes.
const MAX_HEADER: u64 = 1024;

/// Wraps and unwraps per-object data keys with the tenant's key.
pub trait KeyWrap: Send + Sync {
    fn wrap(&self, context: &str, key: &[u8]) -> Result<String, StorageError>;
    fn unwrap(&self, context: &str, wrapped: &str) -> Result<Vec<u8>, StorageError>;
}

impl KeyWrap for secrets::sealing::TenantSealer {
    fn wrap(&self, context: &str, key: &[u8]) -> Result<String, StorageError> {
        self.seal_bytes(context, key).map_err(|_| StorageError::Unavailable("the tenant key cannot seal".to_owned()))
    }

    fn unwrap(&self, context: &str, wrapped: &str) -> Result<Vec<u8>, StorageError> {
        self.open_bytes(context, wrapped).map_err(|_| StorageError::Integrity("the object's data key does not open"))
    }
}

fn context(key: &str) -> String {
    format!("storage/object/{key}")
}

fn nonce(prefix: &[u8; NONCE_PREFIX], index: u64, last: bool) -> Result<XNonce, StorageError> {
    let index = u32::try_from(index).map_err(|_| StorageError::Integrity("too many chunks"))?;
    let mut nonce = [0u8; 24];
    nonce[..NONCE_PREFIX].copy_from_slice(prefix);
    nonce[NONCE_PREFIX..23].copy_from_slice(&index.to_be_bytes());
    nonce[23] = u8::from(last);
    Ok(*XNonce::from_slice(&nonce))
}

fn chunks_for(plain: u64) -> u64 {
    plain.div_ceil(CHUNK).max(1)
}

/// What a parsed header holds.
struct Header {
    /// The header's bytes: the associated data of every chunk.
    bytes: Bytes,
    cipher: XChaCha20Poly1305,
    prefix: [u8; NONCE_PREFIX],
}

impl Header {
    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// The plaintext size of an object of `stored` bytes with this header.
    fn plain_len(&self, stored: u64) -> Result<u64, StorageError> {
        let body = stored.checked_sub(self.len()).ok_or(StorageError::Integrity("the object is truncated"))?;
        let (full, rest) = (body / SEALED_CHUNK, body % SEALED_CHUNK);
        match (full, rest) {
            (0, 0) => Err(StorageError::Integrity("the object is truncated")),
            (_, 0) => Ok(full * CHUNK),
            (_, rest) if rest < TAG => Err(StorageError::Integrity("the object is truncated")),
            (_, rest) => Ok(full * CHUNK + rest - TAG),
        }
    }

    fn seal(&self, index: u64, last: bool, plain: &[u8]) -> Result<Bytes, StorageError> {
        let sealed = self
            .cipher
            .encrypt(&nonce(&self.prefix, index, last)?, Payload { msg: plain, aad: &self.bytes })
            .map_err(|_| StorageError::Integrity("a chunk cannot be sealed"))?;
        Ok(Bytes::from(sealed))
    }

    fn open(&self, index: u64, last: bool, sealed: &[u8]) -> Result<Vec<u8>, StorageError> {
        self.cipher
            .decrypt(&nonce(&self.prefix, index, last)?, Payload { msg: sealed, aad: &self.bytes })
            .map_err(|_| StorageError::Integrity("a chunk failed authentication"))
    }

    /// Parses a header from the start of `bytes`; `None` when more bytes are needed.
    fn parse(bytes: &[u8], key: &str, keys: &dyn KeyWrap) -> Result<Option<Self>, StorageError> {
        if bytes.len() < 6 {
            return Ok(None);
        }
        if &bytes[..4] != MAGIC {
            return Err(StorageError::Integrity("the object is not in the encrypted format"));
        }
        let wrapped_len = u16::from_be_bytes([bytes[4], bytes[5]]) as usize;
        let total = 6 + wrapped_len + NONCE_PREFIX;
        if bytes.len() < total {
            return Ok(None);
        }
        let wrapped = std::str::from_utf8(&bytes[6..6 + wrapped_len])
            .map_err(|_| StorageError::Integrity("the object's header is malformed"))?;
        let data_key = keys.unwrap(&context(key), wrapped)?;
        let cipher = XChaCha20Poly1305::new_from_slice(&data_key)
            .map_err(|_| StorageError::Integrity("the object's data key is malformed"))?;
        let mut prefix = [0u8; NONCE_PREFIX];
        prefix.copy_from_slice(&bytes[6 + wrapped_len..total]);
        Ok(Some(Self { bytes: Bytes::copy_from_slice(&bytes[..total]), cipher, prefix }))
    }

    fn new(key: &str, keys: &dyn KeyWrap) -> Result<Self, StorageError> {
        let mut data_key = [0u8; 32];
        let mut prefix = [0u8; NONCE_PREFIX];
        rand::rngs::OsRng.fill_bytes(&mut data_key);
        rand::rngs::OsRng.fill_bytes(&mut prefix);
        let wrapped = keys.wrap(&context(key), &data_key)?;
        let wrapped_len = u16::try_from(wrapped.len())
            .map_err(|_| StorageError::Unavailable("the wrapped key is too long".into()))?;
        let mut bytes = BytesMut::with_capacity(6 + wrapped.len() + NONCE_PREFIX);
        bytes.extend_from_slice(MAGIC);
        bytes.extend_from_slice(&wrapped_len.to_be_bytes());
        bytes.extend_from_slice(wrapped.as_bytes());
        bytes.extend_from_slice(&prefix);
        let cipher = XChaCha20Poly1305::new_from_slice(&data_key)
            .map_err(|_| StorageError::Unavailable("a data key cannot be made".into()))?;
        Ok(Self { bytes: bytes.freeze(), cipher, prefix })
    }
}

/// What the encrypting stream learned about the plaintext.
#[derive(Default)]
struct Progress {
    size: u64,
    hasher: Sha256,
    too_large: bool,
}

/// Encrypts everything written to, and decrypts everything read from, `inner`.
#[derive(Clone)]
pub struct EncryptedStore {
    inner: Arc<dyn ObjectStore>,
    keys: Arc<dyn KeyWrap>,
}

impl EncryptedStore {
    pub fn new(inner: Arc<dyn ObjectStore>, keys: Arc<dyn KeyWrap>) -> Self {
        Self { inner, keys }
    }

    async fn header(&self, key: &str) -> Result<(Header, u64), StorageError> {
        let stored = self.inner.head(key).await?.size;
        let (_, mut stream) = self.inner.get(key, Some(0..stored.min(MAX_HEADER))).await?;
        let mut buffer = BytesMut::new();
        while let Some(chunk) = stream.next().await {
            buffer.extend_from_slice(&chunk.map_err(|e| StorageError::Unavailable(e.to_string()))?);
        }
        let header = Header::parse(&buffer, key, self.keys.as_ref())?
            .ok_or(StorageError::Integrity("the object's header is truncated"))?;
        Ok((header, stored))
    }
}

fn io(err: StorageError) -> std::io::Error {
    std::io::Error::other(err.to_string())
}

/// Seals `body` chunk by chunk behind `header`, counting and hashing the plaintext.
fn seal_stream(header: Header, body: ByteStream, limit: u64, progress: Arc<Mutex<Progress>>) -> ByteStream {
    struct State {
        header: Header,
        body: ByteStream,
        buffer: BytesMut,
        index: u64,
        started: bool,
        done: bool,
    }
    let state = State { header, body, buffer: BytesMut::new(), index: 0, started: false, done: false };
    futures::stream::try_unfold(state, move |mut s| {
        let progress = progress.clone();
        async move {
            if !s.started {
                s.started = true;
                let header = s.header.bytes.clone();
                return Ok(Some((header, s)));
            }
            if s.done {
                return Ok(None);
            }
            // Keep one byte beyond a chunk before sealing it, so the last chunk is known.
            let mut ended = false;
            while s.buffer.len() as u64 <= CHUNK {
                match s.body.next().await {
                    Some(chunk) => {
                        let chunk = chunk?;
                        let mut p = progress.lock().map_err(|_| std::io::Error::other("progress lock"))?;
                        p.size += chunk.len() as u64;
                        p.hasher.update(&chunk);
                        if p.size > limit {
                            p.too_large = true;
                            return Err(std::io::Error::other("the upload exceeds the size limit"));
                        }
                        drop(p);
                        s.buffer.extend_from_slice(&chunk);
                    }
                    None => {
                        ended = true;
                        break;
                    }
                }
            }
            let sealed = if ended {
                s.done = true;
                let plain = s.buffer.split();
                s.header.seal(s.index, true, &plain).map_err(io)?
            } else {
                let plain = s.buffer.split_to(CHUNK as usize);
                s.header.seal(s.index, false, &plain).map_err(io)?
            };
            s.index += 1;
            Ok(Some((sealed, s)))
        }
    })
    .boxed()
}

/// Opens the sealed chunks `first..` of an object of `total` chunks, yielding `range` of the
/// plaintext (offsets relative to chunk `first`'s start are `skip` and `take`).
fn open_stream(header: Header, sealed: ByteStream, first: u64, total: u64, skip: u64, take: u64) -> ByteStream {
    struct State {
        header: Header,
        sealed: ByteStream,
        buffer: BytesMut,
        index: u64,
        skip: u64,
        left: u64,
    }
    let state = State { header, sealed, buffer: BytesMut::new(), index: first, skip, left: take };
    futures::stream::try_unfold(state, move |mut s| async move {
        if s.left == 0 {
            return Ok(None);
        }
        let last = s.index + 1 == total;
        while (s.buffer.len() as u64) < SEALED_CHUNK {
            match s.sealed.next().await {
                Some(chunk) => s.buffer.extend_from_slice(&chunk?),
                None => break,
            }
        }
        let take_sealed = (s.buffer.len() as u64).min(SEALED_CHUNK) as usize;
        if take_sealed < TAG as usize || (!last && take_sealed < SEALED_CHUNK as usize) {
            return Err(io(StorageError::Integrity("the object is truncated")));
        }
        let sealed = s.buffer.split_to(take_sealed);
        let plain = s.header.open(s.index, last, &sealed).map_err(io)?;
        let start = (s.skip as usize).min(plain.len());
        let end = (start as u64 + s.left).min(plain.len() as u64) as usize;
        let out = Bytes::copy_from_slice(&plain[start..end]);
        s.skip = 0;
        s.left -= out.len() as u64;
        s.index += 1;
        if last && s.left > 0 {
            return Err(io(StorageError::Integrity("the object is shorter than its header says")));
        }
        Ok(Some((out, s)))
    })
    .boxed()
}

#[async_trait::async_trait]
impl ObjectStore for EncryptedStore {
    async fn put(&self, key: &str, body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        ObjectKey::parse(key)?;
        let header = Header::new(key, self.keys.as_ref())?;
        let stored_limit = header.len() + limit + chunks_for(limit) * TAG;
        let progress = Arc::new(Mutex::new(Progress::default()));
        let sealed = seal_stream(header, body, limit, progress.clone());
        let result = self.inner.put(key, sealed, stored_limit).await;
        let mut progress = progress.lock().map_err(|_| StorageError::Unavailable("progress lock".into()))?;
        match result {
            Err(_) if progress.too_large => Err(StorageError::TooLarge { limit }),
            Err(err) => Err(err),
            Ok(_) => Ok(ObjectMeta {
                key: key.to_owned(),
                size: progress.size,
                sha256: Some(hex::encode(std::mem::take(&mut progress.hasher).finalize())),
            }),
        }
    }

    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError> {
        let (header, stored) = self.header(key).await?;
        let plain = header.plain_len(stored)?;
        let range = match range {
            Some(r) if !(r.start < r.end && r.end <= plain) => return Err(StorageError::BadRange),
            Some(r) => r,
            None => 0..plain,
        };
        let total = chunks_for(plain);
        let first = range.start / CHUNK;
        let last = if plain == 0 { 0 } else { (range.end - 1) / CHUNK };
        let sealed_range = header.len() + first * SEALED_CHUNK..(header.len() + (last + 1) * SEALED_CHUNK).min(stored);
        let (_, sealed) = self.inner.get(key, Some(sealed_range)).await?;
        let meta = ObjectMeta { key: key.to_owned(), size: plain, sha256: None };
        if plain == 0 {
            // An empty object still has its one tag checked.
            let mut sealed = sealed;
            let mut tag = BytesMut::new();
            while let Some(chunk) = sealed.next().await {
                tag.extend_from_slice(&chunk.map_err(|e| StorageError::Unavailable(e.to_string()))?);
            }
            header.open(0, true, &tag)?;
            return Ok((meta, futures::stream::empty().boxed()));
        }
        let skip = range.start - first * CHUNK;
        Ok((meta, open_stream(header, sealed, first, total, skip, range.end - range.start)))
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError> {
        let (header, stored) = self.header(key).await?;
        Ok(ObjectMeta { key: key.to_owned(), size: header.plain_len(stored)?, sha256: None })
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        self.inner.delete(key).await
    }

    /// Sizes in a listing are the stored (sealed) sizes.
    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        self.inner.list(prefix, after, limit).await
    }
}
