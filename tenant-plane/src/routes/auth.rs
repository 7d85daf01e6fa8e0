//! `/v1/auth/*` and `/v1/me`: log in with e-mail and password, refresh, log out, who am I.
//! Failures are deliberately vague (`UNAUTHENTICATED`): a locked account, a disabled one, an
//! unknown e-mail and a wrong password all look the same, and cost the same.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    AppState, TenantCtx,
    audit::{AuditActor, AuditEvent, RequestMeta},
    auth::{
        Caller, Role,
        session::{TokensView, issue_tokens, start_session},
        throttle,
    },
};

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::UNAUTHENTICATED, "missing or invalid credentials")
}

/// Counts a sign-in attempt against the per-IP limit.
pub(crate) fn check_sign_in_rate(state: &AppState, ctx: &TenantCtx, req: &HttpRequest) -> Result<(), ApiError> {
    state.limits().check_auth(ctx.route.id, req.peer_addr().map(|a| a.ip())).map(|_| ())
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

/// Logs a user in with e-mail and password. Sign-in is limited per client IP (`429` with
/// `Retry-After`); failures slow the next answer for that address, and ten in a row lock the
/// account for 15 minutes, doubling with each further failure.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginBody,
    responses((status = 200, body = TokensView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody),
        (status = 429, description = "RATE_LIMITED", body = http_api::ErrorBody)))]
pub async fn login(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    meta: RequestMeta,
    body: web::Json<LoginBody>,
) -> Result<HttpResponse, ApiError> {
    check_sign_in_rate(&state, &ctx, &req)?;
    let LoginBody { email, password } = body.into_inner();
    if email.len() > domain::Email::MAX || password.len() > domain::Password::MAX {
        return Err(unauthenticated());
    }
    // Not an e-mail address (control characters, NUL…): no such account, same answer.
    let email = domain::Email::parse(&email).map_err(|_| unauthenticated())?;
    let tenant = ctx.route.id;
    let client = ctx.client().await?;
    let row = client
        .query_opt(
            "SELECT id, password_hash, role, status, locked_until > now() FROM users WHERE email = $1",
            &[&email.as_str()],
        )
        .await
        .map_err(ApiError::internal)?;
    drop(client);
    let locked = row.as_ref().is_some_and(|r| r.get::<_, Option<bool>>(4) == Some(true));
    // A locked account is not even checked (but costs the same).
    let hash = row.as_ref().filter(|_| !locked).map(|r| r.get::<_, String>(1));
    let verified = secrets::password::verify_password_off_thread(password, hash).await;
    let user = row.filter(|r| verified && !locked && r.get::<_, &str>(3) == "active");
    let client = ctx.client().await?;
    let Some(user) = user else {
        let delay = state.login_throttle().failed(tenant, email.as_str());
        record_failure(&client, &meta, &email, locked).await?;
        drop(client);
        tokio::time::sleep(delay).await;
        return Err(unauthenticated());
    };
    state.login_throttle().succeeded(tenant, email.as_str());
    let id: Uuid = user.get(0);
    let role = Role::from_db(user.get(2))?;
    let mut client = client;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    txn.execute("UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1", &[&id])
        .await
        .map_err(ApiError::internal)?;
    let view = start_session(&state, tenant, &txn, id, role).await?;
    AuditEvent::new("auth.login", AuditActor::user(id), &meta).target("user", id).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Counts a failed login against the account (locking it at the threshold) and audits it.
async fn record_failure(
    client: &tokio_postgres::Client,
    meta: &RequestMeta,
    email: &domain::Email,
    was_locked: bool,
) -> Result<(), ApiError> {
    let counted = client
        .query_opt(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE email = $1 RETURNING id, failed_logins",
            &[&email.as_str()],
        )
        .await
        .map_err(ApiError::internal)?;
    let Some(row) = counted else {
        return AuditEvent::new("auth.login_failed", AuditActor::anonymous(), meta)
            .metadata(json!({ "reason": "unknown_or_invalid" }))
            .write(client)
            .await;
    };
    let (id, failures): (Uuid, i32) = (row.get(0), row.get(1));
    let mut event = AuditEvent::new("auth.login_failed", AuditActor::anonymous(), meta)
        .target("user", id)
        .metadata(json!({ "failures": failures, "locked": was_locked }));
    if let Some(lock) = throttle::lock_for(failures) {
        client
            .execute(
                "UPDATE users SET locked_until = now() + $2::bigint * interval '1 second' WHERE id = $1",
                &[&id, &lock.num_seconds()],
            )
            .await
            .map_err(ApiError::internal)?;
        event.write(client).await?;
        event = AuditEvent::new("auth.account_locked", AuditActor::anonymous(), meta)
            .target("user", id)
            .metadata(json!({ "failures": failures, "lockedSeconds": lock.num_seconds() }));
    }
    event.write(client).await
}

/// Exchanges a refresh token for new tokens. Each refresh token works once; presenting a used
/// one again (a stolen copy) revokes its whole family.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshBody,
    responses((status = 200, body = TokensView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn refresh(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
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
        AuditEvent::new("auth.refresh_reused", AuditActor::anonymous(), &meta)
            .target("user", user)
            .metadata(json!({ "family": family }))
            .write(&txn)
            .await?;
        txn.commit().await.map_err(ApiError::internal)?;
        tracing::warn!(user.id = %user, "refresh token reused; session family revoked");
        return Err(unauthenticated());
    }
    if expires_at < Utc::now() || row.get::<_, &str>(7) != "active" {
        return Err(unauthenticated());
    }
    let role = Role::from_db(row.get(6))?;
    // The new pair is made before the old token is marked used, all in one transaction: a
    // failure leaves the old refresh token valid.
    let view = issue_tokens(&state, ctx.route.id, &txn, user, role, family, expires_at).await?;
    txn.execute("UPDATE refresh_tokens SET replaced_at = now() WHERE id = $1", &[&id])
        .await
        .map_err(ApiError::internal)?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(view))
}

/// Ends the session the refresh token belongs to (every token of its family).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshBody,
    responses((status = 204, description = "Logged out")))]
pub async fn logout(ctx: TenantCtx, meta: RequestMeta, body: web::Json<RefreshBody>) -> Result<HttpResponse, ApiError> {
    let mut client = ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let ended = txn
        .query_opt(
            "WITH f AS (SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1), \
             u AS (UPDATE refresh_tokens SET revoked_at = now() WHERE revoked_at IS NULL \
                   AND family_id = (SELECT family_id FROM f) RETURNING 1) \
             SELECT user_id, (SELECT count(*) FROM u) FROM f",
            &[&secrets::sha256_hex(&body.refresh_token)],
        )
        .await
        .map_err(ApiError::internal)?;
    if let Some(row) = ended.filter(|r| r.get::<_, i64>(1) > 0) {
        let user: Uuid = row.get(0);
        AuditEvent::new("auth.logout", AuditActor::user(user), &meta).target("user", user).write(&txn).await?;
    }
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}

/// The logged-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MeView {
    id: Uuid,
    email: String,
    name: String,
    role: Role,
    status: String,
    created_at: DateTime<Utc>,
    /// The caller's permissions (for an API key: its scopes that its creator still has).
    permissions: Vec<&'static str>,
}

/// The user the access token (or API key) acts for.
#[utoipa::path(get, path = "/v1/me", tag = "auth", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = MeView), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody)))]
pub async fn me(caller: Caller) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt("SELECT id, email, name, status, created_at FROM users WHERE id = $1", &[&caller.user_id()])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    let permissions = crate::auth::Permission::ALL.iter().filter(|p| caller.has(**p)).map(|p| p.as_str()).collect();
    Ok(HttpResponse::Ok().json(MeView {
        id: row.get(0),
        email: row.get(1),
        name: row.get(2),
        role: caller.role(),
        status: row.get(3),
        created_at: row.get(4),
        permissions,
    }))
}
