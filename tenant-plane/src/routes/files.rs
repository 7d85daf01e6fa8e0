//! `/v1/files`: the tenant's files. Uploads stream into the tenant's storage under a fresh
//! object name (bounded memory whatever the size; the plan's upload limit and quota enforced
//! while streaming), then the index row in the tenant database is switched in one transaction
//! with the usage counter and the audit row. Downloads stream, with single `Range`s. Presigned
//! URLs are served by the tenant plane itself (`/v1/files-signed/{key}`).

use actix_web::{
    HttpRequest, HttpResponse,
    http::{StatusCode, header},
    web,
};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use storage::ObjectKey;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{
    AppState,
    audit::{AuditActor, AuditEvent, RequestMeta},
    auth::{Can, perm},
    files::{TenantFiles, new_object_key, plan_storage, presign, storage_error},
    routing::TenantCtx,
};

const PAGE_MAX: i64 = 1000;
/// Uploads announced as this type when the client names none.
const DEFAULT_TYPE: &str = "application/octet-stream";
/// Upload chunks in flight between the connection and the store.
const UPLOAD_QUEUE: usize = 4;

#[derive(Debug, Deserialize)]
pub struct FilePath {
    key: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileView {
    key: String,
    size: i64,
    /// Hex SHA-256 of the content (also the `ETag`).
    sha256: String,
    content_type: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const FILE_COLUMNS: &str = "key, size, sha256, content_type, created_at, updated_at";

impl From<&Row> for FileView {
    fn from(row: &Row) -> Self {
        Self {
            key: row.get(0),
            size: row.get(1),
            sha256: row.get(2),
            content_type: row.get(3),
            created_at: row.get(4),
            updated_at: row.get(5),
        }
    }
}

fn parse_key(raw: &str) -> Result<ObjectKey, ApiError> {
    ObjectKey::parse(raw).map_err(|e| ApiError::validation("key", e))
}

/// The upload's media type: the `Content-Type` header if it is a plain `type/subtype[; params]`.
fn content_type(req: &HttpRequest) -> Result<String, ApiError> {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else { return Ok(DEFAULT_TYPE.to_owned()) };
    let value = value.to_str().map_err(|_| ApiError::validation("content-type", "must be visible ASCII"))?;
    let essence = value.split(';').next().unwrap_or_default().trim();
    let ok = value.len() <= 200
        && essence.split_once('/').is_some_and(|(t, s)| !t.is_empty() && !s.is_empty())
        && value.bytes().all(|b| (0x20..0x7f).contains(&b));
    if !ok {
        return Err(ApiError::validation("content-type", "must be a media type such as `image/png`"));
    }
    Ok(value.to_owned())
}

fn quota_exceeded(quota: u64) -> ApiError {
    ApiError::new(ErrorCode::QUOTA_EXCEEDED, format!("the tenant's storage quota of {quota} bytes is used up"))
}

/// One upload: what is stored, and who did it.
struct Upload {
    key: ObjectKey,
    content_type: String,
    actor: AuditActor,
    user: Uuid,
}

/// Streams the request body into the tenant's storage and switches the index to it.
async fn store_upload(
    ctx: &TenantCtx,
    files: &TenantFiles,
    upload: Upload,
    req: &HttpRequest,
    mut payload: web::Payload,
) -> Result<FileView, ApiError> {
    let Upload { key, content_type, actor, user } = upload;
    let key = &key;
    let limits = plan_storage(&ctx.route.plan);
    // Before taking a connection: the sweep takes its own (one per upload at a time).
    sweep_garbage(ctx, files).await;
    let client = ctx.client().await?;
    let used: i64 = client.query_one("SELECT bytes FROM storage_usage", &[]).await.map_err(ApiError::internal)?.get(0);
    let room = limits.quota_bytes.saturating_sub(used.max(0) as u64);
    let limit = limits.max_upload_bytes.min(room);
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if let Some(len) = declared {
        if len > limits.max_upload_bytes {
            return Err(storage_error(storage::StorageError::TooLarge { limit: limits.max_upload_bytes }));
        }
        if len > room {
            return Err(quota_exceeded(limits.quota_bytes));
        }
    }
    let object = new_object_key();
    // Noted before the first byte: a crash from here on leaves a row to sweep, not an orphan.
    client
        .execute("INSERT INTO storage_garbage (object) VALUES ($1)", &[&object.as_str()])
        .await
        .map_err(ApiError::internal)?;
    drop(client);

    let (mut tx, rx) = futures::channel::mpsc::channel::<std::io::Result<Bytes>>(UPLOAD_QUEUE);
    let forward = async move {
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| std::io::Error::other(e.to_string()));
            let failed = chunk.is_err();
            if tx.send(chunk).await.is_err() || failed {
                break;
            }
        }
    };
    let (_, stored) = futures::join!(forward, files.store.put(&object, rx.boxed(), limit));
    let stored = match stored {
        Ok(meta) => meta,
        Err(err) => {
            forget_object(ctx, files, &object).await;
            return Err(match err {
                storage::StorageError::TooLarge { .. } if limit < limits.max_upload_bytes => {
                    quota_exceeded(limits.quota_bytes)
                }
                other => storage_error(other),
            });
        }
    };
    let sha256 = stored.sha256.clone().unwrap_or_default();
    let size = stored.size as i64;

    let committed = async {
        let mut client = ctx.client().await?;
        let txn = client.transaction().await.map_err(ApiError::internal)?;
        let used: i64 =
            txn.query_one("SELECT bytes FROM storage_usage FOR UPDATE", &[]).await.map_err(ApiError::internal)?.get(0);
        let old = txn
            .query_opt("SELECT object, size FROM files WHERE key = $1 FOR UPDATE", &[&key.as_str()])
            .await
            .map_err(ApiError::internal)?
            .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1)));
        let after = used - old.as_ref().map_or(0, |(_, s)| *s) + size;
        if after as u64 > limits.quota_bytes {
            return Err(quota_exceeded(limits.quota_bytes));
        }
        let row = txn
            .query_one(
                &format!(
                    "INSERT INTO files (key, object, size, sha256, content_type, created_by) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (key) DO UPDATE SET object = $2, size = $3, sha256 = $4, content_type = $5, \
                     updated_at = now() RETURNING {FILE_COLUMNS}"
                ),
                &[&key.as_str(), &object.as_str(), &size, &sha256, &content_type, &user],
            )
            .await
            .map_err(ApiError::internal)?;
        txn.execute("UPDATE storage_usage SET bytes = $1", &[&after]).await.map_err(ApiError::internal)?;
        txn.execute("DELETE FROM storage_garbage WHERE object = $1", &[&object.as_str()])
            .await
            .map_err(ApiError::internal)?;
        if let Some((old_object, _)) = &old {
            txn.execute("INSERT INTO storage_garbage (object) VALUES ($1) ON CONFLICT DO NOTHING", &[old_object])
                .await
                .map_err(ApiError::internal)?;
        }
        AuditEvent::new("file.uploaded", actor, &RequestMeta::of(req))
            .target("file", key.as_str())
            .metadata(serde_json::json!({ "size": size, "sha256": sha256, "replaced": old.is_some() }))
            .write(&txn)
            .await?;
        txn.commit().await.map_err(ApiError::internal)?;
        Ok((FileView::from(&row), old.map(|(o, _)| o)))
    };
    match committed.await {
        Ok((view, replaced)) => {
            if let Some(old) = replaced.and_then(|o| ObjectKey::parse(&o).ok()) {
                forget_object(ctx, files, &old).await;
            }
            Ok(view)
        }
        Err(err) => {
            forget_object(ctx, files, &object).await;
            Err(err)
        }
    }
}

/// Deletes an object no index row points at, then its garbage row (kept if the delete fails,
/// for the next sweep).
async fn forget_object(ctx: &TenantCtx, files: &TenantFiles, object: &ObjectKey) {
    match files.store.delete(object).await {
        Ok(()) => {
            if let Ok(client) = ctx.client().await {
                let _ = client.execute("DELETE FROM storage_garbage WHERE object = $1", &[&object.as_str()]).await;
            }
        }
        Err(err) => tracing::warn!(object = object.as_str(), error = %err, "stored object left for the sweep"),
    }
}

/// Removes a few objects left by crashed or failed uploads and by replaced files (rows older
/// than an hour: younger ones may belong to uploads still streaming).
async fn sweep_garbage(ctx: &TenantCtx, files: &TenantFiles) {
    let Ok(client) = ctx.client().await else { return };
    let Ok(rows) = client
        .query(
            "SELECT object FROM storage_garbage WHERE queued_at < now() - interval '1 hour' ORDER BY queued_at LIMIT 10",
            &[],
        )
        .await
    else {
        return;
    };
    drop(client);
    for row in rows {
        if let Ok(object) = ObjectKey::parse(row.get::<_, &str>(0)) {
            forget_object(ctx, files, &object).await;
        }
    }
}

/// Uploads (or replaces) a file, streamed. `Content-Type` is stored and served back.
#[utoipa::path(put, path = "/v1/files/{key}", tag = "files", params(("key" = String, Path, description = "The file's key: up to 1024 bytes, `/`-separated, no `.`/`..` segments"), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = FileView), (status = 413, description = "PAYLOAD_TOO_LARGE (the plan's upload limit) or QUOTA_EXCEEDED", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED (key, content-type)", body = http_api::ErrorBody), (status = 503, description = "STORAGE_UNAVAILABLE or STORAGE_NOT_CONFIGURED", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn upload_file(
    state: web::Data<AppState>,
    caller: Can<perm::FilesWrite>,
    req: HttpRequest,
    path: web::Path<FilePath>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&path.key)?;
    let content_type = content_type(&req)?;
    let files = state.files().for_tenant(&caller.ctx, &state).await?;
    let upload = Upload { key, content_type, actor: AuditActor::from(&caller.actor), user: caller.user_id() };
    let view = store_upload(&caller.ctx, &files, upload, &req, payload).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only keys starting with this text.
    prefix: Option<String>,
    /// The `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1–1000, default 100.
    limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FileList {
    items: Vec<FileView>,
    next_cursor: Option<String>,
}

/// The tenant's files in key order.
#[utoipa::path(get, path = "/v1/files", tag = "files", params(ListQuery, ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = FileList), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn list_files(caller: Can<perm::FilesRead>, query: web::Query<ListQuery>) -> Result<HttpResponse, ApiError> {
    let limit = super::fields::limit(Some(query.limit.unwrap_or(100)), PAGE_MAX)?;
    let prefix = query.prefix.clone().unwrap_or_default();
    let cursor = query.cursor.clone().unwrap_or_default();
    if prefix.len() > 1024 || cursor.len() > 1024 || prefix.contains('\0') || cursor.contains('\0') {
        return Err(ApiError::validation("prefix", "prefix and cursor must be at most 1024 bytes, without NUL"));
    }
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {FILE_COLUMNS} FROM files WHERE left(key, length($1)) = $1 AND key > $2 \
                 ORDER BY key COLLATE \"C\" LIMIT $3"
            ),
            &[&prefix, &cursor, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = super::fields::page(&rows, limit, |r| Ok(FileView::from(r)), |f| f.key.clone())?;
    Ok(HttpResponse::Ok().json(FileList { items, next_cursor }))
}

/// One byte range out of `size`, from a `Range: bytes=…` header; `None` for the whole file.
/// Several ranges are answered with the whole file (allowed by RFC 9110).
fn parse_range(header: Option<&str>, size: u64) -> Result<Option<std::ops::Range<u64>>, ()> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let (start, end) = spec.split_once('-').ok_or(())?;
    let (start, end) = (start.trim(), end.trim());
    let range = if start.is_empty() {
        let suffix: u64 = end.parse().map_err(|_| ())?;
        if suffix == 0 {
            return Err(());
        }
        size.saturating_sub(suffix)..size
    } else {
        let start: u64 = start.parse().map_err(|_| ())?;
        let end = if end.is_empty() { size } else { end.parse::<u64>().map_err(|_| ())?.saturating_add(1).min(size) };
        start..end
    };
    if range.start >= range.end || range.start >= size {
        return Err(());
    }
    Ok(Some(range))
}

/// Answers with a file's bytes (or only its headers).
async fn serve(files: &TenantFiles, row: &Row, req: &HttpRequest) -> Result<HttpResponse, ApiError> {
    let view = FileView::from(row);
    let object: String = row.get(6);
    let size = view.size.max(0) as u64;
    let range = parse_range(req.headers().get(header::RANGE).and_then(|v| v.to_str().ok()), size);
    let range = match range {
        Ok(r) => r,
        Err(()) => {
            use actix_web::ResponseError;
            let mut refused =
                ApiError::new(ErrorCode::RANGE_NOT_SATISFIABLE, "the range is not satisfiable").error_response();
            if let Ok(value) = header::HeaderValue::from_str(&format!("bytes */{size}")) {
                refused.headers_mut().insert(header::CONTENT_RANGE, value);
            }
            return Ok(refused);
        }
    };
    let name = view.key.rsplit('/').next().unwrap_or("file");
    let encoded: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
    let mut response = match &range {
        Some(r) => {
            let mut b = HttpResponse::build(StatusCode::PARTIAL_CONTENT);
            b.insert_header((header::CONTENT_RANGE, format!("bytes {}-{}/{size}", r.start, r.end - 1)));
            b
        }
        None => HttpResponse::Ok(),
    };
    response
        .insert_header((header::CONTENT_TYPE, view.content_type.clone()))
        .insert_header((header::ETAG, format!("\"{}\"", view.sha256)))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::LAST_MODIFIED, view.updated_at.to_rfc2822()))
        // Files are the tenant's users' content: never rendered on the tenant's own origin.
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename*=UTF-8''{encoded}")))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "sandbox; default-src 'none'"))
        .insert_header((header::CACHE_CONTROL, "private, max-age=0"));
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    if req.method() == actix_web::http::Method::HEAD {
        // A sized, empty stream: the length is announced, no body is sent.
        let nothing = futures::stream::empty::<Result<Bytes, std::io::Error>>();
        return Ok(response.no_chunking(length).streaming(nothing));
    }
    if size == 0 {
        return Ok(response.body(Bytes::new()));
    }
    let object = ObjectKey::parse(&object).map_err(ApiError::internal)?;
    let (_, body) = files.store.get(&object, range).await.map_err(storage_error)?;
    Ok(response.no_chunking(length).streaming(body))
}

const SERVE_COLUMNS: &str = "key, size, sha256, content_type, created_at, updated_at, object";

/// The index row of a file (`SERVE_COLUMNS`).
async fn find(ctx: &TenantCtx, key: &ObjectKey) -> Result<Row, ApiError> {
    let client = ctx.client().await?;
    client
        .query_opt(&format!("SELECT {SERVE_COLUMNS} FROM files WHERE key = $1"), &[&key.as_str()])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("file"))
}

/// Downloads a file, streamed; a single `Range` gets `206`. Served as an attachment.
#[utoipa::path(get, path = "/v1/files/{key}", tag = "files", params(("key" = String, Path), ("Range" = Option<String>, Header, description = "`bytes=start-end`, `bytes=start-` or `bytes=-suffix`"), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream"), (status = 206, description = "The requested range"), (status = 416, description = "RANGE_NOT_SATISFIABLE", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 503, description = "STORAGE_UNAVAILABLE", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn download_file(
    state: web::Data<AppState>,
    caller: Can<perm::FilesRead>,
    req: HttpRequest,
    path: web::Path<FilePath>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&path.key)?;
    let row = find(&caller.ctx, &key).await?;
    let files = state.files().for_tenant(&caller.ctx, &state).await?;
    serve(&files, &row, &req).await
}

/// A file's headers (size, type, `ETag`) without its bytes.
#[utoipa::path(head, path = "/v1/files/{key}", tag = "files", params(("key" = String, Path), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, description = "The file's headers"), (status = 404, description = "NOT_FOUND"), (status = 401, description = "UNAUTHENTICATED"), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED")))]
pub async fn head_file(
    state: web::Data<AppState>,
    caller: Can<perm::FilesRead>,
    req: HttpRequest,
    path: web::Path<FilePath>,
) -> Result<HttpResponse, ApiError> {
    download_file(state, caller, req, path).await
}

/// Deletes a file.
#[utoipa::path(delete, path = "/v1/files/{key}", tag = "files", params(("key" = String, Path), ("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Deleted"), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn delete_file(
    state: web::Data<AppState>,
    caller: Can<perm::FilesWrite>,
    path: web::Path<FilePath>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&path.key)?;
    let files = state.files().for_tenant(&caller.ctx, &state).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    txn.query_one("SELECT bytes FROM storage_usage FOR UPDATE", &[]).await.map_err(ApiError::internal)?;
    let row = txn
        .query_opt("DELETE FROM files WHERE key = $1 RETURNING object, size", &[&key.as_str()])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("file"))?;
    let (object, size): (String, i64) = (row.get(0), row.get(1));
    txn.execute("UPDATE storage_usage SET bytes = greatest(bytes - $1, 0)", &[&size])
        .await
        .map_err(ApiError::internal)?;
    txn.execute("INSERT INTO storage_garbage (object) VALUES ($1) ON CONFLICT DO NOTHING", &[&object])
        .await
        .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "file.deleted")
        .target("file", key.as_str())
        .metadata(serde_json::json!({ "size": size }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    drop(client);
    if let Ok(object) = ObjectKey::parse(&object) {
        forget_object(&caller.ctx, &files, &object).await;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum SignedMethod {
    Get,
    Put,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SignRequest {
    key: String,
    method: SignedMethod,
    /// Seconds, 1–604800 (7 days); default 900.
    expires_in: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SignedUrl {
    /// Absolute URL: at the host the request came to, or the backend's own.
    url: String,
    method: SignedMethod,
    expires_at: DateTime<Utc>,
    /// `backend` (an S3 presigned URL or an Azure SAS, for unsealed objects on a backend that
    /// signs) or `tenantPlane`.
    served_by: &'static str,
}

/// A short-lived URL that downloads (`GET`) or uploads (`PUT`) one file without credentials.
#[utoipa::path(post, path = "/v1/files-signed", tag = "files", request_body = SignRequest, params(("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = SignedUrl), (status = 404, description = "NOT_FOUND (GET of a missing file)", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN (PUT needs files.write)", body = http_api::ErrorBody)))]
pub async fn sign_url(
    state: web::Data<AppState>,
    caller: Can<perm::FilesRead>,
    req: HttpRequest,
    body: web::Json<SignRequest>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&body.key)?;
    let expires_in = body.expires_in.unwrap_or(900);
    if !(1..=presign::MAX_EXPIRY_SECS).contains(&expires_in) {
        return Err(ApiError::validation("expiresIn", format!("must be 1 to {}", presign::MAX_EXPIRY_SECS)));
    }
    let expires_at = Utc::now() + chrono::Duration::seconds(expires_in);
    let method = match body.method {
        SignedMethod::Get => {
            let row = find(&caller.ctx, &key).await?;
            // Straight from the backend when it can sign and the bytes are usable as stored.
            let files = state.files().for_tenant(&caller.ctx, &state).await?;
            let object = ObjectKey::parse(row.get::<_, &str>(6)).map_err(ApiError::internal)?;
            let name = key.as_str().rsplit('/').next().unwrap_or("file");
            let lifetime = std::time::Duration::from_secs(expires_in.unsigned_abs());
            if let Some(url) = files.store.presign_get(&object, lifetime, name).await.map_err(storage_error)? {
                let signed = SignedUrl { url, method: body.method, expires_at, served_by: "backend" };
                return Ok(HttpResponse::Created().json(signed));
            }
            "GET"
        }
        SignedMethod::Put if !caller.has(crate::auth::Permission::FilesWrite) => {
            return Err(ApiError::new(ErrorCode::FORBIDDEN, "a signed upload URL needs files.write"));
        }
        SignedMethod::Put => "PUT",
    };
    let grant = presign::Grant {
        tenant: caller.ctx.route.id,
        method,
        key: key.as_str(),
        expires: expires_at.timestamp(),
        by: caller.user_id(),
    };
    let signing_key = presign::signing_key(&caller.ctx, &state).await?;
    let sig = presign::sign(&signing_key, &grant)?;
    let info = req.connection_info();
    let base = req.path().split("/v1/").next().unwrap_or_default();
    let encoded_key: Vec<String> =
        key.as_str().split('/').map(|s| url::form_urlencoded::byte_serialize(s.as_bytes()).collect()).collect();
    let url = format!(
        "{}://{}{base}/v1/files-signed/{}?expires={}&by={}&sig={sig}",
        info.scheme(),
        info.host(),
        encoded_key.join("/"),
        grant.expires,
        grant.by
    );
    Ok(HttpResponse::Created().json(SignedUrl { url, method: body.method, expires_at, served_by: "tenantPlane" }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SignedQuery {
    expires: i64,
    by: Uuid,
    sig: String,
}

async fn check_signature(
    ctx: &TenantCtx,
    state: &AppState,
    method: &str,
    key: &ObjectKey,
    query: &SignedQuery,
) -> Result<(), ApiError> {
    let grant =
        presign::Grant { tenant: ctx.route.id, method, key: key.as_str(), expires: query.expires, by: query.by };
    let signing_key = presign::signing_key(ctx, state).await?;
    presign::verify(&signing_key, &grant, &query.sig)
}

/// Downloads a file through a signed URL (no credentials; the signature is the grant).
#[utoipa::path(get, path = "/v1/files-signed/{key}", tag = "files", params(("key" = String, Path), SignedQuery), security(()),
    responses((status = 200, description = "The file"), (status = 206, description = "The requested range"), (status = 401, description = "UNAUTHENTICATED (invalid or expired signature)", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn signed_download(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    path: web::Path<FilePath>,
    query: web::Query<SignedQuery>,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&path.key)?;
    check_signature(&ctx, &state, "GET", &key, &query).await?;
    let row = find(&ctx, &key).await?;
    let files = state.files().for_tenant(&ctx, &state).await?;
    serve(&files, &row, &req).await
}

/// Uploads a file through a signed URL.
#[utoipa::path(put, path = "/v1/files-signed/{key}", tag = "files", params(("key" = String, Path), SignedQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"), security(()),
    responses((status = 201, body = FileView), (status = 401, description = "UNAUTHENTICATED (invalid or expired signature)", body = http_api::ErrorBody), (status = 413, description = "PAYLOAD_TOO_LARGE or QUOTA_EXCEEDED", body = http_api::ErrorBody)))]
pub async fn signed_upload(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    path: web::Path<FilePath>,
    query: web::Query<SignedQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let key = parse_key(&path.key)?;
    check_signature(&ctx, &state, "PUT", &key, &query).await?;
    let content_type = content_type(&req)?;
    let files = state.files().for_tenant(&ctx, &state).await?;
    let upload = Upload { key, content_type, actor: AuditActor::user(query.by), user: query.by };
    let view = store_upload(&ctx, &files, upload, &req, payload).await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageStatus {
    /// `platform`, `nas`, `s3` or `azure`.
    primary: &'static str,
    fallback: Option<&'static str>,
    /// Objects are sealed with the tenant's key before they leave the tenant plane.
    encrypted: bool,
    /// The primary is out and writes go to the fallback.
    degraded: bool,
    /// Objects on the fallback waiting for the primary.
    queue_length: u64,
    used_bytes: i64,
    #[serde(flatten)]
    limits: crate::files::PlanStorage,
}

/// The tenant's storage: backends, health, replication queue, usage against the quota.
#[utoipa::path(get, path = "/v1/storage", tag = "files", params(("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = StorageStatus), (status = 503, description = "STORAGE_NOT_CONFIGURED", body = http_api::ErrorBody), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN or TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn storage_status(
    state: web::Data<AppState>,
    caller: Can<perm::FilesRead>,
) -> Result<HttpResponse, ApiError> {
    let files = state.files().for_tenant(&caller.ctx, &state).await?;
    let used: i64 = caller
        .ctx
        .client()
        .await?
        .query_one("SELECT bytes FROM storage_usage", &[])
        .await
        .map_err(ApiError::internal)?
        .get(0);
    let (degraded, queue_length) = match &files.fallback {
        Some(f) => {
            let queued = f.queue_len().await.map_err(storage_error)?;
            (f.primary_down() || queued > 0, queued)
        }
        None => (false, 0),
    };
    Ok(HttpResponse::Ok().json(StorageStatus {
        primary: files.config.primary.kind(),
        fallback: files.config.fallback.as_ref().map(|f| f.kind()),
        encrypted: files.config.encrypted,
        degraded,
        queue_length,
        used_bytes: used,
        limits: plan_storage(&caller.ctx.route.plan),
    }))
}
