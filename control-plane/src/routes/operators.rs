//! `/v1/operators` and `/v1/api-tokens`: the people who run the control plane, and the API
//! tokens they make for CI pipelines and scripts. Adding operators and minting tokens needs a
//! login session; a token is shown once.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    auth::{API_TOKEN_PREFIX, Operator, OperatorView},
    errors::catalog_error,
};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/operators").route(web::get().to(list_operators)).route(web::post().to(add_operator)))
        .service(
            web::resource("/api-tokens").route(web::get().to(list_api_tokens)).route(web::post().to(create_api_token)),
        )
        .service(web::resource("/api-tokens/{id}").route(web::delete().to(revoke_api_token)));
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OperatorItem {
    id: Uuid,
    email: String,
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OperatorList {
    items: Vec<OperatorItem>,
}

/// Every operator.
#[utoipa::path(get, path = "/v1/operators", tag = "operators", security(("bearer" = [])),
    responses((status = 200, body = OperatorList)))]
pub async fn list_operators(state: web::Data<AppState>, _operator: Operator) -> Result<HttpResponse, ApiError> {
    let items = state.catalog().operators().await.map_err(catalog_error)?;
    let items = items
        .into_iter()
        .map(|o| OperatorItem { id: o.id, email: o.email, created_at: o.created_at, last_login_at: o.last_login_at })
        .collect();
    Ok(HttpResponse::Ok().json(OperatorList { items }))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOperatorBody {
    email: String,
    password: String,
}

/// Adds an operator (needs a login session).
#[utoipa::path(post, path = "/v1/operators", tag = "operators", security(("bearer" = [])), request_body = NewOperatorBody,
    responses((status = 201, body = OperatorView), (status = 403, description = "FORBIDDEN: called with an API token", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: the e-mail is taken", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn add_operator(
    state: web::Data<AppState>,
    operator: Operator,
    body: web::Json<NewOperatorBody>,
) -> Result<HttpResponse, ApiError> {
    operator.require_session()?;
    let body = body.into_inner();
    let email = domain::Email::parse(&body.email).map_err(|e| ApiError::validation("email", e))?;
    let password = domain::Password::parse(&body.password).map_err(|e| ApiError::validation("password", e))?;
    let hash =
        secrets::password::hash_password_off_thread(password.expose().to_owned()).await.map_err(ApiError::internal)?;
    let created = state.catalog().create_operator(email.as_str(), &hash).await.map_err(catalog_error)?;
    audit(&state, &operator, "operator.add", serde_json::json!({ "operatorId": created.id, "email": created.email }))
        .await?;
    Ok(HttpResponse::Created().json(OperatorView { id: created.id, email: created.email }))
}

/// An API token as listed (never the token).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiTokenView {
    id: Uuid,
    name: String,
    /// The token's last characters.
    hint: String,
    /// `admin` (the whole API but minting tokens and operators) or `sandbox` (sandboxes only).
    scope: String,
    operator_id: Uuid,
    created_at: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
    last_used_at: Option<DateTime<Utc>>,
}

impl From<catalog::ApiToken> for ApiTokenView {
    fn from(t: catalog::ApiToken) -> Self {
        Self {
            id: t.id,
            name: t.name,
            hint: t.hint,
            scope: t.scope,
            operator_id: t.operator_id,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ApiTokenList {
    items: Vec<ApiTokenView>,
}

/// A new token: `token` is shown this once.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CreatedApiToken {
    token: String,
    #[serde(flatten)]
    view: ApiTokenView,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewApiTokenBody {
    /// 1–100 characters, e.g. the pipeline's name.
    name: String,
    /// `sandbox` (default) or `admin`.
    scope: Option<String>,
    /// Days until it expires (1–365); default: never.
    expires_in_days: Option<u32>,
}

/// API tokens not revoked.
#[utoipa::path(get, path = "/v1/api-tokens", tag = "operators", security(("bearer" = [])),
    responses((status = 200, body = ApiTokenList)))]
pub async fn list_api_tokens(state: web::Data<AppState>, _operator: Operator) -> Result<HttpResponse, ApiError> {
    let items = state.catalog().api_tokens().await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(ApiTokenList { items: items.into_iter().map(Into::into).collect() }))
}

/// Makes an API token for CI or scripts (needs a login session); the token is shown once.
#[utoipa::path(post, path = "/v1/api-tokens", tag = "operators", security(("bearer" = [])), request_body = NewApiTokenBody,
    responses((status = 201, body = CreatedApiToken), (status = 403, description = "FORBIDDEN: called with an API token", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_api_token(
    state: web::Data<AppState>,
    operator: Operator,
    body: web::Json<NewApiTokenBody>,
) -> Result<HttpResponse, ApiError> {
    operator.require_session()?;
    let body = body.into_inner();
    let name = body.name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::validation("name", "1 to 100 characters without control characters"));
    }
    let scope = body.scope.as_deref().unwrap_or("sandbox");
    if !matches!(scope, "admin" | "sandbox") {
        return Err(ApiError::validation("scope", "`admin` or `sandbox`"));
    }
    let expires_at = match body.expires_in_days {
        Some(days @ 1..=365) => Some(Utc::now() + chrono::Duration::days(i64::from(days))),
        Some(_) => return Err(ApiError::validation("expiresInDays", "between 1 and 365")),
        None => None,
    };
    let token = format!("{API_TOKEN_PREFIX}{}", secrets::random_token(32));
    let hint = format!("{API_TOKEN_PREFIX}…{}", &token[token.len() - 4..]);
    let new = catalog::NewApiToken {
        name,
        token_hash: &secrets::sha256_hex(&token),
        hint: &hint,
        scope,
        operator_id: operator.model.id,
        expires_at,
    };
    let created = state.catalog().create_api_token(&new).await.map_err(catalog_error)?;
    audit(
        &state,
        &operator,
        "api_token.create",
        serde_json::json!({ "tokenId": created.id, "name": name, "scope": scope }),
    )
    .await?;
    Ok(HttpResponse::Created().json(CreatedApiToken { token, view: created.into() }))
}

/// Revokes an API token at once.
#[utoipa::path(delete, path = "/v1/api-tokens/{id}", tag = "operators", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    operator: Operator,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.catalog().revoke_api_token(*id).await.map_err(catalog_error)?;
    audit(&state, &operator, "api_token.revoke", serde_json::json!({ "tokenId": *id })).await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn audit(
    state: &AppState,
    operator: &Operator,
    action: &'static str,
    details: serde_json::Value,
) -> Result<(), ApiError> {
    let actor = operator.actor();
    let event =
        catalog::NewAuditEvent { actor: actor.name, action, tenant_id: None, details, request_id: actor.request_id };
    state.catalog().record_audit(event).await.map_err(catalog_error)
}
