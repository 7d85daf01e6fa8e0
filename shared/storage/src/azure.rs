//! The Azure Blob backend (`azure_storage_blobs`, ADR 0010): one container, shared-key or SAS
//! authentication, any endpoint (Azure itself, Azurite, Azure Stack). Uploads of up to one block
//! go in one `Put Blob`; larger ones stream as blocks of 4 MiB committed by one `Put Block List`,
//! so memory stays bounded and the object appears whole or not at all (uncommitted blocks of a
//! failed upload never become visible, and Azure discards them).

use std::{num::NonZeroU32, ops::Range};

use azure_core::{
    RetryOptions, StatusCode,
    error::{Error as AzureError, ErrorKind},
    request_options::{MaxResults, NextMarker, Prefix},
};
use azure_storage::{CloudLocation, StorageCredentials};
use azure_storage_blobs::{
    blob::{BlobBlockType, BlockList},
    prelude::{BlobClient, ClientBuilder, ContainerClient},
};
use bytes::BytesMut;
use futures::{StreamExt, TryStreamExt};
use secrecy::ExposeSecret;
use sha2::{Digest, Sha256};

use crate::{ByteStream, ListPage, ObjectKey, ObjectMeta, ObjectStore, StorageError, store::fill};

/// Bytes per block; also the download chunk.
const BLOCK: usize = 4 * 1024 * 1024;

/// How an Azure store signs in.
#[derive(Debug, Clone)]
pub enum AzureCredential {
    /// The account key (shared-key signing).
    SharedKey(secrecy::SecretString),
    /// A SAS token (the query string, without the leading `?`).
    Sas(secrecy::SecretString),
}

/// Where an Azure store lives and how to sign in.
#[derive(Debug, Clone)]
pub struct AzureSettings {
    /// The blob endpoint including the account for path-style servers such as Azurite
    /// (`http://127.0.0.1:10000/devstoreaccount1`); `None` for `https://<account>.blob.core.windows.net`.
    pub endpoint: Option<String>,
    pub account: String,
    pub container: String,
    pub credential: AzureCredential,
}

/// Objects in one Azure Blob container.
#[derive(Clone)]
pub struct AzureStore {
    container: ContainerClient,
}

impl std::fmt::Debug for AzureStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureStore").field("container", &self.container.container_name()).finish_non_exhaustive()
    }
}

fn classify(err: AzureError) -> StorageError {
    match err.kind() {
        ErrorKind::HttpResponse { status, error_code } => match status {
            StatusCode::NotFound => StorageError::NotFound,
            StatusCode::RequestedRangeNotSatisfiable => StorageError::BadRange,
            status if status.is_server_error() => StorageError::Unavailable(format!("Azure answered {status}")),
            _ => StorageError::Refused(error_code.clone().unwrap_or_else(|| format!("Azure answered {status}"))),
        },
        ErrorKind::Credential => StorageError::Refused("Azure credentials".to_owned()),
        // Connection failures, timeouts, unreadable answers: worth a retry or a fallback.
        _ => StorageError::Unavailable("Azure unreachable".to_owned()),
    }
}

fn block_id(number: usize) -> String {
    // Block ids of one blob must all have the same length.
    format!("block-{number:08}")
}

impl AzureStore {
    pub fn new(settings: &AzureSettings) -> Result<Self, StorageError> {
        let credentials = match &settings.credential {
            AzureCredential::SharedKey(key) => {
                StorageCredentials::access_key(settings.account.clone(), key.expose_secret().to_owned())
            }
            AzureCredential::Sas(token) => StorageCredentials::sas_token(token.expose_secret().trim_start_matches('?'))
                .map_err(|_| StorageError::Refused("the SAS token is malformed".to_owned()))?,
        };
        let location = match &settings.endpoint {
            Some(uri) => {
                CloudLocation::Custom { account: settings.account.clone(), uri: uri.trim_end_matches('/').to_owned() }
            }
            None => CloudLocation::Public { account: settings.account.clone() },
        };
        // One attempt per call: the caller (the fallback, the health probe) decides about retries,
        // and an unreachable primary must show quickly.
        let container = ClientBuilder::with_location(location, credentials)
            .retry(RetryOptions::none())
            .container_client(settings.container.clone());
        Ok(Self { container })
    }

    fn blob(&self, key: &str) -> Result<BlobClient, StorageError> {
        ObjectKey::parse(key)?;
        Ok(self.container.blob_client(key))
    }

    /// Creates the container if it does not exist.
    pub async fn create_container(&self) -> Result<(), StorageError> {
        match self.container.create().await {
            Ok(_) => Ok(()),
            Err(err) if matches!(err.kind(), ErrorKind::HttpResponse { status: StatusCode::Conflict, .. }) => Ok(()),
            Err(err) => Err(classify(err)),
        }
    }

    /// Deletes the container and whatever is left in it; a missing container is not an error.
    pub async fn delete_container(&self) -> Result<(), StorageError> {
        match self.container.delete().await {
            Ok(_) => Ok(()),
            Err(err) => match classify(err) {
                StorageError::NotFound => Ok(()),
                other => Err(other),
            },
        }
    }

    async fn put_blocks(
        &self,
        blob: &BlobClient,
        first: BytesMut,
        body: &mut ByteStream,
        limit: u64,
        hasher: &mut Sha256,
    ) -> Result<u64, StorageError> {
        let mut blocks = Vec::new();
        let mut buffer = first;
        let mut size = buffer.len() as u64;
        let mut finished = false;
        while !finished {
            finished = fill(body, &mut buffer, BLOCK, &mut size, limit, hasher).await?;
            if buffer.is_empty() {
                break;
            }
            let id = block_id(blocks.len());
            blob.put_block(id.clone(), buffer.split().freeze()).await.map_err(classify)?;
            blocks.push(BlobBlockType::new_uncommitted(id));
        }
        blob.put_block_list(BlockList { blocks }).await.map_err(classify)?;
        Ok(size)
    }
}

#[async_trait::async_trait]
impl ObjectStore for AzureStore {
    async fn put(&self, key: &str, mut body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        let blob = self.blob(key)?;
        let mut hasher = Sha256::new();
        let mut buffer = BytesMut::new();
        let mut size = 0u64;
        if fill(&mut body, &mut buffer, BLOCK, &mut size, limit, &mut hasher).await? {
            blob.put_block_blob(buffer.freeze()).await.map_err(classify)?;
            return Ok(ObjectMeta { key: key.to_owned(), size, sha256: Some(hex::encode(hasher.finalize())) });
        }
        let size = self.put_blocks(&blob, buffer, &mut body, limit, &mut hasher).await?;
        Ok(ObjectMeta { key: key.to_owned(), size, sha256: Some(hex::encode(hasher.finalize())) })
    }

    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError> {
        let meta = self.head(key).await?;
        let range = match range {
            Some(r) if !(r.start < r.end && r.end <= meta.size) => return Err(StorageError::BadRange),
            Some(r) => r,
            // An empty blob has no byte range to ask for.
            None if meta.size == 0 => return Ok((meta, futures::stream::empty().boxed())),
            None => 0..meta.size,
        };
        let blob = self.blob(key)?;
        let pages = blob.get().range(range).chunk_size(BLOCK as u64).into_stream();
        let stream = pages
            .map_ok(|page| page.data.map_err(|e| std::io::Error::other(e.to_string())))
            .map_err(|e| std::io::Error::other(e.to_string()))
            .try_flatten();
        Ok((meta, stream.boxed()))
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError> {
        let properties = self.blob(key)?.get_properties().await.map_err(classify)?;
        Ok(ObjectMeta { key: key.to_owned(), size: properties.blob.properties.content_length, sha256: None })
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        match self.blob(key)?.delete().await {
            Ok(_) => Ok(()),
            Err(err) => match classify(err) {
                StorageError::NotFound => Ok(()),
                other => Err(other),
            },
        }
    }

    /// A service SAS for reading the blob (shared-key stores only: a SAS-authenticated store
    /// cannot sign).
    async fn presign_get(
        &self,
        key: &str,
        expires_in: std::time::Duration,
        _filename: &str,
    ) -> Result<Option<String>, StorageError> {
        let blob = self.blob(key)?;
        let expiry = time::OffsetDateTime::now_utc() + expires_in;
        let permissions = azure_storage::shared_access_signature::service_sas::BlobSasPermissions {
            read: true,
            ..Default::default()
        };
        let Ok(sas) = blob.shared_access_signature(permissions, expiry).await else { return Ok(None) };
        let url = blob.generate_signed_blob_url(&sas).map_err(classify)?;
        Ok(Some(url.to_string()))
    }

    /// Azure has no "start after"; pages are read with its marker and keys up to `after` skipped.
    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        let limit = limit.clamp(1, 999);
        let mut items = Vec::new();
        let mut marker: Option<NextMarker> = None;
        loop {
            let mut request = self
                .container
                .list_blobs()
                .prefix(Prefix::from(prefix.to_owned()))
                .max_results(MaxResults::new(NonZeroU32::new(1000).unwrap_or(NonZeroU32::MIN)));
            if let Some(m) = marker.take() {
                request = request.marker(m);
            }
            let page = match request.into_stream().next().await {
                Some(page) => page.map_err(classify)?,
                None => break,
            };
            for blob in page.blobs.blobs() {
                if after.is_some_and(|a| blob.name.as_str() <= a) {
                    continue;
                }
                items.push(ObjectMeta { key: blob.name.clone(), size: blob.properties.content_length, sha256: None });
            }
            marker = page.next_marker;
            if items.len() > limit || marker.is_none() {
                break;
            }
        }
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(|m| m.key.clone()) } else { None };
        Ok(ListPage { items, next_cursor })
    }
}
