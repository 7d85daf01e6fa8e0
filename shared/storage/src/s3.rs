//! The S3 backend (`aws-sdk-s3`): AWS or any S3-compatible server (endpoint override,
//! path-style addressing for on-prem servers). Uploads of up to one part go in one `PutObject`;
//! larger ones stream as a multipart upload, 8 MiB per part, so memory stays bounded whatever
//! the object's size; a failed or oversized upload is aborted and leaves nothing.

use std::ops::Range;

use aws_sdk_s3::{
    Client,
    config::{BehaviorVersion, Credentials, Region, http::HttpResponse},
    error::{ProvideErrorMetadata, SdkError},
    primitives::ByteStream as S3Body,
    types::{CompletedMultipartUpload, CompletedPart, ServerSideEncryption},
};
use bytes::BytesMut;
use futures::StreamExt;
use sha2::{Digest, Sha256};

use crate::{ByteStream, ListPage, ObjectKey, ObjectMeta, ObjectStore, StorageError, store::fill};

/// Bytes per multipart part (S3's minimum is 5 MiB, except the last part).
const PART: usize = 8 * 1024 * 1024;

/// Where an S3 store lives and how to sign in.
#[derive(Debug, Clone)]
pub struct S3Settings {
    /// `None` for AWS itself.
    pub endpoint: Option<String>,
    pub region: String,
    pub bucket: String,
    pub access_key_id: String,
    pub secret_access_key: secrecy::SecretString,
    pub path_style: bool,
    /// `AES256` or `aws:kms`: server-side encryption requested on every write.
    pub server_side_encryption: Option<String>,
}

/// Objects in one S3 bucket.
#[derive(Clone)]
pub struct S3Store {
    client: Client,
    bucket: String,
    sse: Option<ServerSideEncryption>,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store").field("bucket", &self.bucket).finish_non_exhaustive()
    }
}

fn classify<E: ProvideErrorMetadata + std::fmt::Debug>(err: SdkError<E, HttpResponse>) -> StorageError {
    match &err {
        SdkError::ServiceError(service) => match service.err().code() {
            Some("NoSuchKey" | "NotFound" | "NoSuchBucket") => StorageError::NotFound,
            Some("InvalidRange") => StorageError::BadRange,
            Some("AccessDenied" | "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "Forbidden") => {
                StorageError::Refused(service.err().code().unwrap_or_default().to_owned())
            }
            // A server error is worth a retry or a fallback; any other answer is a refusal.
            code if service.raw().status().is_server_error() => {
                StorageError::Unavailable(format!("S3 error {}", code.unwrap_or("without a code")))
            }
            code => StorageError::Refused(format!("S3 error {}", code.unwrap_or("without a code"))),
        },
        // Timeouts, connection failures, response errors: worth a retry or a fallback.
        _ => StorageError::Unavailable(format!("S3 unreachable: {}", aws_smithy_error_kind(&err))),
    }
}

fn aws_smithy_error_kind<E, R>(err: &SdkError<E, R>) -> &'static str {
    match err {
        SdkError::TimeoutError(_) => "timeout",
        SdkError::DispatchFailure(_) => "connection failed",
        SdkError::ResponseError(_) => "bad response",
        SdkError::ConstructionFailure(_) => "request could not be built",
        _ => "service error",
    }
}

impl S3Store {
    pub fn new(settings: &S3Settings) -> Self {
        use secrecy::ExposeSecret;
        let credentials = Credentials::new(
            settings.access_key_id.clone(),
            settings.secret_access_key.expose_secret().to_owned(),
            None,
            None,
            "tenantry",
        );
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(settings.region.clone()))
            .credentials_provider(credentials)
            // No extra CRC32 over every upload: the tenant plane already hashes every byte
            // (SHA-256, the file's ETag), and the bench showed the checksum's cost on both sides.
            .request_checksum_calculation(aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired)
            .force_path_style(settings.path_style);
        if let Some(endpoint) = &settings.endpoint {
            config = config.endpoint_url(endpoint);
        }
        Self {
            client: Client::from_conf(config.build()),
            bucket: settings.bucket.clone(),
            sse: settings.server_side_encryption.as_deref().map(ServerSideEncryption::from),
        }
    }

    fn check(key: &str) -> Result<(), StorageError> {
        ObjectKey::parse(key).map(|_| ()).map_err(StorageError::from)
    }

    async fn put_multipart(
        &self,
        key: &str,
        first: BytesMut,
        body: &mut ByteStream,
        limit: u64,
        hasher: &mut Sha256,
    ) -> Result<u64, StorageError> {
        let upload = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .set_server_side_encryption(self.sse.clone())
            .send()
            .await
            .map_err(classify)?;
        let upload_id = upload.upload_id().unwrap_or_default().to_owned();
        let result = async {
            let mut parts = Vec::new();
            let mut buffer = first;
            let mut size = buffer.len() as u64;
            let mut finished = false;
            while !finished {
                finished = fill(body, &mut buffer, PART, &mut size, limit, hasher).await?;
                if buffer.is_empty() {
                    break;
                }
                let number = parts.len() as i32 + 1;
                let part = self
                    .client
                    .upload_part()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&upload_id)
                    .part_number(number)
                    .body(S3Body::from(buffer.split().freeze()))
                    .send()
                    .await
                    .map_err(classify)?;
                parts.push(
                    CompletedPart::builder().part_number(number).set_e_tag(part.e_tag().map(str::to_owned)).build(),
                );
            }
            self.client
                .complete_multipart_upload()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&upload_id)
                .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
                .send()
                .await
                .map_err(classify)?;
            Ok(size)
        }
        .await;
        if result.is_err() {
            let _ =
                self.client.abort_multipart_upload().bucket(&self.bucket).key(key).upload_id(&upload_id).send().await;
        }
        result
    }
}

#[async_trait::async_trait]
impl ObjectStore for S3Store {
    async fn put(&self, key: &str, mut body: ByteStream, limit: u64) -> Result<ObjectMeta, StorageError> {
        Self::check(key)?;
        let mut hasher = Sha256::new();
        let mut buffer = BytesMut::new();
        let mut size = 0u64;
        // Up to one part: buffer and send in one request.
        if fill(&mut body, &mut buffer, PART, &mut size, limit, &mut hasher).await? {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .set_server_side_encryption(self.sse.clone())
                .body(S3Body::from(buffer.freeze()))
                .send()
                .await
                .map_err(classify)?;
            return Ok(ObjectMeta { key: key.to_owned(), size, sha256: Some(hex::encode(hasher.finalize())) });
        }
        let size = self.put_multipart(key, buffer, &mut body, limit, &mut hasher).await?;
        Ok(ObjectMeta { key: key.to_owned(), size, sha256: Some(hex::encode(hasher.finalize())) })
    }

    async fn get(&self, key: &str, range: Option<Range<u64>>) -> Result<(ObjectMeta, ByteStream), StorageError> {
        let meta = self.head(key).await?;
        let mut request = self.client.get_object().bucket(&self.bucket).key(key);
        if let Some(r) = range {
            if !(r.start < r.end && r.end <= meta.size) {
                return Err(StorageError::BadRange);
            }
            request = request.range(format!("bytes={}-{}", r.start, r.end - 1));
        }
        let object = request.send().await.map_err(classify)?;
        let reader = object.body.into_async_read();
        Ok((meta, tokio_util::io::ReaderStream::new(reader).boxed()))
    }

    async fn head(&self, key: &str) -> Result<ObjectMeta, StorageError> {
        Self::check(key)?;
        let head = self.client.head_object().bucket(&self.bucket).key(key).send().await.map_err(classify)?;
        Ok(ObjectMeta { key: key.to_owned(), size: head.content_length().unwrap_or(0).max(0) as u64, sha256: None })
    }

    async fn delete(&self, key: &str) -> Result<(), StorageError> {
        Self::check(key)?;
        self.client.delete_object().bucket(&self.bucket).key(key).send().await.map_err(classify)?;
        Ok(())
    }

    async fn presign_get(
        &self,
        key: &str,
        expires_in: std::time::Duration,
        filename: &str,
    ) -> Result<Option<String>, StorageError> {
        Self::check(key)?;
        let config = aws_sdk_s3::presigning::PresigningConfig::expires_in(expires_in)
            .map_err(|e| StorageError::Refused(format!("presign: {e}")))?;
        let encoded: String = url::form_urlencoded::byte_serialize(filename.as_bytes()).collect();
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("attachment; filename*=UTF-8''{encoded}"))
            .presigned(config)
            .await
            .map_err(classify)?;
        Ok(Some(request.uri().to_owned()))
    }

    async fn list(&self, prefix: &str, after: Option<&str>, limit: usize) -> Result<ListPage, StorageError> {
        let limit = limit.clamp(1, 999);
        let page = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .set_start_after(after.map(str::to_owned))
            .max_keys(limit as i32 + 1)
            .send()
            .await
            .map_err(classify)?;
        let mut items: Vec<ObjectMeta> = page
            .contents()
            .iter()
            .filter_map(|o| {
                Some(ObjectMeta { key: o.key()?.to_owned(), size: o.size().unwrap_or(0).max(0) as u64, sha256: None })
            })
            .collect();
        let more = items.len() > limit;
        items.truncate(limit);
        let next_cursor = if more { items.last().map(|m| m.key.clone()) } else { None };
        Ok(ListPage { items, next_cursor })
    }
}
