//! `POST /v1/me/password`: a signed-in user changes their password. The current password is
//! checked; every refresh token of the user is revoked, so other sessions end when their
//! access token expires, and the caller signs in again.

use actix_web::{HttpResponse, web};
use http_api::{ApiError, ErrorCode};
use serde::Deserialize;

use crate::{
    audit::AuditEvent,
    auth::{Actor, Caller, session::hash_password},
};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangePassword {
    current_password: String,
    /// 12–1024 characters.
    new_password: String,
}

/// Changes the caller's password (users only, not API keys); ends their other sessions.
#[utoipa::path(post, path = "/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 204, description = "Changed; every refresh token of the user is revoked"),
        (status = 401, description = "UNAUTHENTICATED: not signed in", body = http_api::ErrorBody),
        (status = 403, description = "FORBIDDEN: called with an API key", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED: `currentPassword` is wrong, or `newPassword` too short or too long", body = http_api::ErrorBody)))]
pub async fn change_password(caller: Caller, body: web::Json<ChangePassword>) -> Result<HttpResponse, ApiError> {
    if matches!(caller.actor, Actor::ApiKey { .. }) {
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "API keys cannot change a password; sign in as the user"));
    }
    let ChangePassword { current_password, new_password } = body.into_inner();
    let new_password = domain::Password::parse(&new_password).map_err(|e| ApiError::validation("newPassword", e))?;
    // A wrong current password is a field error, not a 401: the session itself is fine.
    let wrong = || ApiError::validation("currentPassword", "is wrong");
    if current_password.len() > domain::Password::MAX {
        return Err(wrong());
    }
    let user = caller.user_id();
    let client = caller.ctx.client().await?;
    let hash: Option<String> = client
        .query_opt("SELECT password_hash FROM users WHERE id = $1", &[&user])
        .await
        .map_err(ApiError::internal)?
        .map(|row| row.get(0));
    drop(client);
    if !secrets::password::verify_password_off_thread(current_password, hash).await {
        return Err(wrong());
    }
    let hash = hash_password(new_password).await?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    txn.execute("UPDATE users SET password_hash = $2 WHERE id = $1", &[&user, &hash])
        .await
        .map_err(ApiError::internal)?;
    txn.execute("UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL", &[&user])
        .await
        .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "user.password_changed").target("user", user).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}
