//! Operator authentication: `POST /v1/auth/login` exchanges e-mail and password for a bearer
//! token (stored as SHA-256, valid for `SESSION_TTL`); API tokens (`tnt_…`, made by an operator
//! for CI and scripts) are bearer tokens too. The `Operator` extractor guards every route but
//! the sandbox ones, which take [`SandboxCaller`] (any operator, or a `sandbox` token).
//! Failures are deliberately vague.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpMessage, HttpRequest, HttpResponse, dev::Payload, web};
use catalog::entity::operator;
use chrono::{Duration, Utc};
use http_api::{ApiError, ErrorCode, RequestId};
use serde::Deserialize;

use crate::{AppState, errors::catalog_error};

/// How long an operator's bearer token is valid.
const SESSION_TTL: Duration = Duration::hours(12);

/// Prefix of control-plane API tokens (sessions have none).
pub const API_TOKEN_PREFIX: &str = "tnt_";

/// How an operator's request was authenticated.
#[derive(Debug, Clone)]
pub enum Via {
    /// A login session.
    Session,
    /// An API token: its name and scope (`admin` or `sandbox`).
    Token { name: String, scope: String },
}

/// An authenticated operator (a session, or an `admin` API token).
#[derive(Debug, Clone)]
pub struct Operator {
    pub model: operator::Model,
    pub request_id: Option<String>,
    pub via: Via,
}

impl Operator {
    pub fn actor(&self) -> provisioner::Actor {
        match &self.via {
            Via::Session => provisioner::Actor::operator(&self.model.email, self.request_id.clone()),
            Via::Token { name, .. } => {
                provisioner::Actor::operator(&format!("{} (token {name})", self.model.email), self.request_id.clone())
            }
        }
    }

    /// Minting tokens and operators needs a login session: a token that makes tokens would
    /// outlive its own revocation.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.via {
            Via::Session => Ok(()),
            Via::Token { .. } => {
                Err(ApiError::new(ErrorCode::FORBIDDEN, "sign in as an operator to do this; API tokens cannot"))
            }
        }
    }
}

/// A caller of the sandbox endpoints: any operator, or a `sandbox` API token.
#[derive(Debug, Clone)]
pub struct SandboxCaller(pub Operator);

async fn authenticate(state: &AppState, token: &str, request_id: Option<String>) -> Result<Operator, ApiError> {
    let hash = secrets::sha256_hex(token);
    if token.starts_with(API_TOKEN_PREFIX) {
        let (model, token) =
            state.catalog().operator_for_api_token(&hash).await.map_err(catalog_error)?.ok_or_else(unauthenticated)?;
        return Ok(Operator { model, request_id, via: Via::Token { name: token.name, scope: token.scope } });
    }
    let model =
        state.catalog().operator_for_session(&hash).await.map_err(catalog_error)?.ok_or_else(unauthenticated)?;
    Ok(Operator { model, request_id, via: Via::Session })
}

impl FromRequest for SandboxCaller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = http_api::bearer_token(req);
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let token = token.ok_or_else(unauthenticated)?;
            Ok(SandboxCaller(authenticate(&state, &token, request_id).await?))
        })
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::UNAUTHENTICATED, "missing or invalid credentials")
}

impl FromRequest for Operator {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = http_api::bearer_token(req);
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let token = token.ok_or_else(unauthenticated)?;
            let operator = authenticate(&state, &token, request_id).await?;
            if let Via::Token { scope, .. } = &operator.via
                && scope != "admin"
            {
                return Err(ApiError::new(ErrorCode::FORBIDDEN, "this API token may only manage sandboxes"));
            }
            Ok(operator)
        })
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenView {
    token: String,
    expires_at: chrono::DateTime<Utc>,
}

/// Exchanges an operator's e-mail and password for a bearer token valid for 12 hours.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokenView), (status = 401, description = "Missing or invalid credentials", body = http_api::ErrorBody)))]
pub async fn login(state: web::Data<AppState>, body: web::Json<LoginBody>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    if body.email.len() > domain::Email::MAX || body.password.len() > domain::Password::MAX {
        return Err(unauthenticated());
    }
    let Ok(email) = domain::Email::parse(&body.email) else {
        return Err(unauthenticated());
    };
    let email = email.as_str().to_owned();
    let found = state.catalog().operator_by_email(&email).await.map_err(catalog_error)?;
    let hash = found.as_ref().map(|o| o.password_hash.clone());
    let password = body.password;
    // Unknown e-mails are verified against a dummy hash, so both paths take as long.
    let ok = secrets::password::verify_password_off_thread(password, hash).await;
    let operator = found.filter(|_| ok).ok_or_else(unauthenticated)?;
    let token = secrets::random_token(32);
    let expires_at = Utc::now() + SESSION_TTL;
    state
        .catalog()
        .create_session(&secrets::sha256_hex(&token), operator.id, expires_at)
        .await
        .map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(TokenView { token, expires_at }))
}

/// Revokes the bearer token used for this call.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Token revoked"), (status = 401, description = "Missing or invalid credentials", body = http_api::ErrorBody)))]
pub async fn logout(
    req: HttpRequest,
    state: web::Data<AppState>,
    _operator: Operator,
) -> Result<HttpResponse, ApiError> {
    if let Some(token) = http_api::bearer_token(&req) {
        state.catalog().delete_session(&secrets::sha256_hex(&token)).await.map_err(catalog_error)?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BootstrapBody {
    token: String,
    email: String,
    password: String,
}

/// Creates the first operator with the one-time bootstrap token printed at first start.
#[utoipa::path(post, path = "/v1/bootstrap", tag = "auth", request_body = BootstrapBody,
    responses((status = 201, body = OperatorView), (status = 401, description = "Missing or invalid credentials", body = http_api::ErrorBody),
        (status = 409, description = "ALREADY_BOOTSTRAPPED", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn bootstrap(state: web::Data<AppState>, body: web::Json<BootstrapBody>) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let email = domain::Email::parse(&body.email).map_err(|e| ApiError::validation("email", e))?;
    let password = domain::Password::parse(&body.password).map_err(|e| ApiError::validation("password", e))?;
    let hash =
        secrets::password::hash_password_off_thread(password.expose().to_owned()).await.map_err(ApiError::internal)?;
    let created = state.catalog().bootstrap_operator(&secrets::sha256_hex(&body.token), email.as_str(), &hash).await;
    let operator = match created {
        Ok(Some(op)) => op,
        Ok(None) => return Err(unauthenticated()),
        Err(catalog::CatalogError::InvalidState { .. }) => {
            return Err(ApiError::new(ErrorCode::ALREADY_BOOTSTRAPPED, "the first operator already exists"));
        }
        Err(err) => return Err(catalog_error(err)),
    };
    let event = catalog::NewAuditEvent {
        actor: format!("operator:{}", operator.email),
        action: "operator.bootstrap",
        tenant_id: None,
        details: serde_json::json!({ "operatorId": operator.id }),
        request_id: http_api::current_request_id(),
    };
    state.catalog().record_audit(event).await.map_err(catalog_error)?;
    Ok(HttpResponse::Created().json(OperatorView { id: operator.id, email: operator.email }))
}

/// An operator account.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct OperatorView {
    pub id: uuid::Uuid,
    pub email: String,
}
