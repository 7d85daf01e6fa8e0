//! `/v1/api-keys`: keys for servers and scripts, sent as `x-api-key`. The secret is shown
//! once, at creation; only its hash is stored. A key has scopes (permission names), limited to
//! what its creator may do, and acts only while its creator still may.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::Row;
use uuid::Uuid;

use crate::{
    audit::AuditEvent,
    auth::{Can, Permission, api_keys, perm},
};

const NAME_MAX: usize = 100;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateApiKey {
    /// 1–100 characters.
    name: String,
    /// Permission names, e.g. `notes.read`; each must be one the caller has.
    scopes: Vec<String>,
    /// When the key stops working (optional, in the future).
    expires_at: Option<DateTime<Utc>>,
}

/// An API key, without its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    id: Uuid,
    name: String,
    /// The start of the secret, to tell keys apart.
    hint: String,
    scopes: Vec<String>,
    created_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str = "id, name, hint, scopes, created_by, created_at, expires_at, last_used_at";

impl From<&Row> for ApiKeyView {
    fn from(r: &Row) -> Self {
        Self {
            id: r.get(0),
            name: r.get(1),
            hint: r.get(2),
            scopes: r.get(3),
            created_by: r.get(4),
            created_at: r.get(5),
            expires_at: r.get(6),
            last_used_at: r.get(7),
        }
    }
}

/// A new key with its secret: shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedApiKey {
    #[serde(flatten)]
    key: ApiKeyView,
    /// Send as `x-api-key`. Not retrievable later.
    secret: String,
}

/// Creates an API key.
#[utoipa::path(post, path = "/v1/api-keys", tag = "api-keys", request_body = CreateApiKey, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = CreatedApiKey), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_api_key(
    caller: Can<perm::ApiKeysManage>,
    body: web::Json<CreateApiKey>,
) -> Result<HttpResponse, ApiError> {
    if matches!(caller.actor, crate::auth::Actor::ApiKey { .. }) {
        // A key minting keys would outlive its own revocation or expiry.
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "API keys cannot create API keys; sign in as a user"));
    }
    let CreateApiKey { name, scopes, expires_at } = body.into_inner();
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > NAME_MAX || name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "name",
            format!("must be 1 to {NAME_MAX} characters without control characters"),
        ));
    }
    if scopes.is_empty() || scopes.len() > Permission::ALL.len() {
        return Err(ApiError::validation("scopes", "must name at least one permission, each once"));
    }
    let mut parsed = Vec::with_capacity(scopes.len());
    for scope in &scopes {
        let permission = Permission::parse(scope)
            .ok_or_else(|| ApiError::validation("scopes", format!("{scope:?} is not a permission")))?;
        if !caller.has(permission) {
            return Err(ApiError::new(ErrorCode::FORBIDDEN, format!("you cannot grant {scope}: you do not have it")));
        }
        if parsed.contains(&permission) {
            return Err(ApiError::validation("scopes", format!("{scope} is listed twice")));
        }
        parsed.push(permission);
    }
    if expires_at.is_some_and(|e| e <= Utc::now()) {
        return Err(ApiError::validation("expiresAt", "must be in the future"));
    }
    let scopes: Vec<&str> = parsed.iter().map(|p| p.as_str()).collect();
    let (secret, hint, hash) = api_keys::generate(caller.ctx.route.id);
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let id = Uuid::now_v7();
    let row = txn
        .query_one(
            &format!(
                "INSERT INTO api_keys (id, name, hint, secret_hash, scopes, created_by, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {KEY_COLUMNS}"
            ),
            &[&id, &name, &hint, &hash, &scopes, &caller.user_id(), &expires_at],
        )
        .await
        .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "api_key.created")
        .target("api_key", id)
        .metadata(json!({ "name": name, "scopes": scopes }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Created().json(CreatedApiKey { key: ApiKeyView::from(&row), secret }))
}

/// The tenant's keys that are not revoked.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiKeyList {
    items: Vec<ApiKeyView>,
}

/// Lists API keys (never their secrets).
#[utoipa::path(get, path = "/v1/api-keys", tag = "api-keys", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ApiKeyList), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody)))]
pub async fn list_api_keys(caller: Can<perm::ApiKeysManage>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let rows = client
        .query(&format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE revoked_at IS NULL ORDER BY id LIMIT 1000"), &[])
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(ApiKeyList { items: rows.iter().map(ApiKeyView::from).collect() }))
}

#[derive(Debug, Deserialize)]
pub struct ApiKeyPath {
    id: Uuid,
}

/// Revokes an API key; it stops working at once.
#[utoipa::path(delete, path = "/v1/api-keys/{id}", tag = "api-keys", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Revoked"), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn revoke_api_key(
    caller: Can<perm::ApiKeysManage>,
    path: web::Path<ApiKeyPath>,
) -> Result<HttpResponse, ApiError> {
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let revoked = txn
        .execute("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL", &[&path.id])
        .await
        .map_err(ApiError::internal)?;
    if revoked == 0 {
        return Err(ApiError::not_found("API key"));
    }
    AuditEvent::by(&caller, "api_key.revoked").target("api_key", path.id).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}
