//! Sessions: an access token plus a refresh token of a family that lives 30 days from login.

use chrono::{DateTime, Utc};
use http_api::ApiError;
use serde::Serialize;
use tokio_postgres::GenericClient;
use uuid::Uuid;

use super::{ACCESS_TOKEN_LIFETIME, Role, issue_access_token};
use crate::AppState;

/// How long a session (a refresh-token family) lives from login; refreshing does not extend it.
pub const SESSION_LIFETIME: chrono::Duration = chrono::Duration::days(30);

/// Tokens for a session.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokensView {
    access_token: String,
    token_type: &'static str,
    /// Seconds.
    expires_in: u64,
    refresh_token: String,
}

/// Signs the access token first (the step that can fail for reasons outside this database),
/// then stores the new refresh token with `db` — so a failure leaves the caller's old refresh
/// token usable instead of half-rotated.
pub async fn issue_tokens(
    state: &AppState,
    tenant: Uuid,
    db: &impl GenericClient,
    user: Uuid,
    role: Role,
    family: Uuid,
    family_expires_at: DateTime<Utc>,
) -> Result<TokensView, ApiError> {
    let access_token = issue_access_token(state, tenant, user, role.as_str()).await.map_err(ApiError::unavailable)?;
    let refresh_token = secrets::random_token(32);
    db.execute(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[&Uuid::now_v7(), &user, &family, &secrets::sha256_hex(&refresh_token), &family_expires_at],
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(TokensView { access_token, token_type: "Bearer", expires_in: ACCESS_TOKEN_LIFETIME.as_secs(), refresh_token })
}

/// A new session (a new refresh-token family) for `user`.
pub async fn start_session(
    state: &AppState,
    tenant: Uuid,
    db: &impl GenericClient,
    user: Uuid,
    role: Role,
) -> Result<TokensView, ApiError> {
    issue_tokens(state, tenant, db, user, role, Uuid::now_v7(), Utc::now() + SESSION_LIFETIME).await
}

/// Hashes a password with argon2id on the blocking pool (never on the async threads).
pub async fn hash_password(password: domain::Password) -> Result<String, ApiError> {
    secrets::password::hash_password_off_thread(password.expose().to_owned())
        .await
        .map_err(|err| ApiError::internal(anyhow::anyhow!("hash password: {err}")))
}
