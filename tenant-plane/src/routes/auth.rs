//! `/v1/auth/*` and `/v1/me`: log in with e-mail and password, refresh, log out, who am I.
//! Failures are deliberately vague (`UNAUTHENTICATED`), and a login for an unknown e-mail
//! costs as much as one with a wrong password.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use tokio_postgres::GenericClient;
use uuid::Uuid;

use crate::{
    AppState, TenantCtx,
    auth::{ACCESS_TOKEN_LIFETIME, Caller, issue_access_token},
};

/// How long a session (a refresh-token family) lives from login; refreshing does not extend it.
const REFRESH_TOKEN_LIFETIME: chrono::Duration = chrono::Duration::days(30);

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::UNAUTHENTICATED, "missing or invalid credentials")
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    email: String,
    password: String,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RefreshBody {
    refresh_token: String,
}

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
async fn issue_tokens(
    state: &AppState,
    tenant: Uuid,
    db: &impl GenericClient,
    user: Uuid,
    role: &str,
    family: Uuid,
    family_expires_at: DateTime<Utc>,
) -> Result<TokensView, ApiError> {
    let access_token = issue_access_token(state, tenant, user, role).await.map_err(ApiError::unavailable)?;
    let refresh_token = secrets::random_token(32);
    db.execute(
        "INSERT INTO refresh_tokens (id, user_id, family_id, token_hash, expires_at) VALUES ($1, $2, $3, $4, $5)",
        &[&Uuid::now_v7(), &user, &family, &secrets::sha256_hex(&refresh_token), &family_expires_at],
    )
    .await
    .map_err(ApiError::internal)?;
    Ok(TokensView { access_token, token_type: "Bearer", expires_in: ACCESS_TOKEN_LIFETIME.as_secs(), refresh_token })
}

/// Logs a user in with e-mail and password.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokensView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn login(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    let LoginBody { email, password } = body.into_inner();
    if email.len() > domain::Email::MAX || password.len() > domain::Password::MAX {
        return Err(unauthenticated());
    }
    // Not an e-mail address (control characters, NUL…): no such account, same answer.
    let email = domain::Email::parse(&email).map_err(|_| unauthenticated())?;
    let client = ctx.client().await?;
    let row = client
        .query_opt("SELECT id, password_hash, role, status FROM users WHERE email = $1", &[&email.as_str()])
        .await
        .map_err(ApiError::internal)?;
    drop(client);
    let hash = row.as_ref().map(|r| r.get::<_, String>(1));
    let verified = tokio::task::spawn_blocking(move || {
        secrets::password::verify_password(
            &password,
            hash.as_deref().unwrap_or_else(|| secrets::password::dummy_hash()),
        )
    })
    .await
    .map_err(ApiError::internal)?;
    let row = row.filter(|r| verified && r.get::<_, String>(3) == "active").ok_or_else(unauthenticated)?;
    let client = ctx.client().await?;
    let db: &tokio_postgres::Client = &client;
    let expires_at = Utc::now() + REFRESH_TOKEN_LIFETIME;
    let view = issue_tokens(&state, ctx.route.id, db, row.get(0), &row.get::<_, String>(2), Uuid::now_v7(), expires_at)
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a used
/// one again (a stolen copy) revokes its whole family.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = TokensView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn refresh(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: web::Json<RefreshBody>,
) -> Result<HttpResponse, ApiError> {
    let hash = secrets::sha256_hex(&body.refresh_token);
    let mut client = ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let row = txn
        .query_opt(
            "SELECT t.id, t.user_id, t.family_id, t.expires_at, t.replaced_at, t.revoked_at, u.role, u.status \
             FROM refresh_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1 FOR UPDATE OF t",
            &[&hash],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    let (id, user, family): (Uuid, Uuid, Uuid) = (row.get(0), row.get(1), row.get(2));
    let (expires_at, replaced_at, revoked_at): (DateTime<Utc>, Option<DateTime<Utc>>, Option<DateTime<Utc>>) =
        (row.get(3), row.get(4), row.get(5));
    if replaced_at.is_some() || revoked_at.is_some() {
        // Reuse of a rotated or revoked token: end the whole session family.
        txn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
            &[&family],
        )
        .await
        .map_err(ApiError::internal)?;
        txn.commit().await.map_err(ApiError::internal)?;
        tracing::warn!(user.id = %user, "refresh token reused; session family revoked");
        return Err(unauthenticated());
    }
    if expires_at < Utc::now() || row.get::<_, String>(7) != "active" {
        return Err(unauthenticated());
    }
    // The new pair is made before the old token is marked used, all in one transaction: a
    // failure leaves the old refresh token valid.
    let view = issue_tokens(&state, ctx.route.id, &txn, user, &row.get::<_, String>(6), family, expires_at).await?;
    txn.execute("UPDATE refresh_tokens SET replaced_at = now() WHERE id = $1", &[&id])
        .await
        .map_err(ApiError::internal)?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Ends the session the refresh token belongs to (every token of its family).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshBody,
    responses((status = 204, description = "Logged out")))]
pub async fn logout(ctx: TenantCtx, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    client
        .execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL AND family_id = \
             (SELECT family_id FROM refresh_tokens WHERE token_hash = $1)",
            &[&secrets::sha256_hex(&body.refresh_token)],
        )
        .await
        .map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeView {
    id: Uuid,
    email: String,
    role: String,
    status: String,
    created_at: DateTime<Utc>,
}

/// The user the access token belongs to.
#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = MeView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt("SELECT id, email, role, status, created_at FROM users WHERE id = $1", &[&caller.user_id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    Ok(HttpResponse::Ok().json(MeView {
        id: row.get(0),
        email: row.get(1),
        role: row.get(2),
        status: row.get(3),
        created_at: row.get(4),
    }))
}
