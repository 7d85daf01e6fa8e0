//! Becoming a user: `POST /v1/auth/register` (only when the tenant's sign-up policy is
//! `open`; new users are viewers) and `POST /v1/auth/accept-invitation` (with the one-time
//! token an admin was given). Both answer with a session, like a login.

use actix_web::{HttpRequest, HttpResponse, web};
use http_api::{ApiError, ErrorCode};
use serde::Deserialize;
use serde_json::json;
use tokio_postgres::error::SqlState;
use uuid::Uuid;

use super::auth::check_sign_in_rate;
use crate::{
    AppState, TenantCtx,
    audit::{AuditActor, AuditEvent, RequestMeta},
    auth::{
        Role,
        session::{TokensView, hash_password, start_session},
    },
};

/// A person's name: at most 200 characters, no control characters (may be empty).
pub(crate) fn parse_person_name(name: Option<String>) -> Result<String, ApiError> {
    let name = name.unwrap_or_default().trim().to_owned();
    if name.chars().count() > 200 {
        return Err(ApiError::validation("name", "must be at most 200 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::validation("name", "must not contain control characters"));
    }
    Ok(name)
}

pub(crate) fn parse_email(email: &str) -> Result<domain::Email, ApiError> {
    domain::Email::parse(email).map_err(|err| ApiError::validation("email", err))
}

fn parse_password(password: &str) -> Result<domain::Password, ApiError> {
    domain::Password::parse(password).map_err(|err| ApiError::validation("password", err))
}

fn email_taken(err: tokio_postgres::Error) -> ApiError {
    if err.code() == Some(&SqlState::UNIQUE_VIOLATION) {
        ApiError::new(ErrorCode::CONFLICT, "a user with this e-mail already exists")
    } else {
        ApiError::internal(err)
    }
}

/// Creates a user; `409 CONFLICT` if the e-mail is taken.
async fn insert_user(
    db: &impl tokio_postgres::GenericClient,
    email: &str,
    hash: &str,
    role: Role,
    name: &str,
) -> Result<Uuid, ApiError> {
    let id = Uuid::now_v7();
    db.execute(
        "INSERT INTO users (id, email, password_hash, role, name) VALUES ($1, $2, $3, $4, $5)",
        &[&id, &email, &hash, &role.as_str(), &name],
    )
    .await
    .map_err(email_taken)?;
    Ok(id)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    email: String,
    /// 12–1024 characters.
    password: String,
    name: Option<String>,
}

/// Creates an account (role `viewer`) when the tenant allows open sign-up.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterBody,
    responses((status = 201, body = TokensView), (status = 403, description = "SIGNUP_CLOSED", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: the e-mail is taken", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody),
        (status = 429, description = "RATE_LIMITED", body = http_api::ErrorBody)))]
pub async fn register(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    meta: RequestMeta,
    body: web::Json<RegisterBody>,
) -> Result<HttpResponse, ApiError> {
    check_sign_in_rate(&state, &ctx, &req)?;
    let RegisterBody { email, password, name } = body.into_inner();
    let email = parse_email(&email)?;
    let password = parse_password(&password)?;
    let name = parse_person_name(name)?;
    let client = ctx.client().await?;
    let policy: String =
        client.query_one("SELECT signup_policy FROM tenant_profile", &[]).await.map_err(ApiError::internal)?.get(0);
    drop(client);
    if policy != "open" {
        return Err(ApiError::new(ErrorCode::SIGNUP_CLOSED, "this tenant accepts new users by invitation only"));
    }
    let hash = hash_password(password).await?;
    let mut client = ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let id = insert_user(&txn, email.as_str(), &hash, Role::Viewer, &name).await?;
    let view = start_session(&state, ctx.route.id, &txn, id, Role::Viewer).await?;
    AuditEvent::new("user.registered", AuditActor::user(id), &meta).target("user", id).write(&txn).await?;
    crate::webhooks::commit_with_event(
        txn,
        &ctx,
        "user.created",
        json!({ "id": id, "email": email.as_str(), "role": Role::Viewer }),
    )
    .await?;
    Ok(HttpResponse::Created().json(view))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationBody {
    /// The one-time token from the invitation.
    token: String,
    /// 12–1024 characters.
    password: String,
    name: Option<String>,
}

/// Accepts an invitation: creates the invited user with the invited role and logs them in.
#[utoipa::path(post, path = "/v1/auth/accept-invitation", tag = "auth", request_body = AcceptInvitationBody,
    responses((status = 201, body = TokensView), (status = 401, description = "UNAUTHENTICATED: unknown, used, revoked or expired token", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: the e-mail is taken", body = http_api::ErrorBody),
        (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody),
        (status = 429, description = "RATE_LIMITED", body = http_api::ErrorBody)))]
pub async fn accept_invitation(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    req: HttpRequest,
    meta: RequestMeta,
    body: web::Json<AcceptInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    check_sign_in_rate(&state, &ctx, &req)?;
    let AcceptInvitationBody { token, password, name } = body.into_inner();
    let password = parse_password(&password)?;
    let name = parse_person_name(name)?;
    let hash = hash_password(password).await?;
    let mut client = ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let invitation = txn
        .query_opt(
            "SELECT id, email, role FROM invitations WHERE token_hash = $1 AND accepted_at IS NULL \
             AND revoked_at IS NULL AND expires_at > now() FOR UPDATE",
            &[&secrets::sha256_hex(&token)],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::new(ErrorCode::UNAUTHENTICATED, "the invitation is unknown, used or expired"))?;
    let (invitation_id, email): (Uuid, String) = (invitation.get(0), invitation.get(1));
    let role = Role::from_db(invitation.get(2))?;
    let id = insert_user(&txn, &email, &hash, role, &name).await?;
    txn.execute("UPDATE invitations SET accepted_at = now() WHERE id = $1", &[&invitation_id])
        .await
        .map_err(ApiError::internal)?;
    let view = start_session(&state, ctx.route.id, &txn, id, role).await?;
    AuditEvent::new("invitation.accepted", AuditActor::user(id), &meta)
        .target("user", id)
        .metadata(json!({ "invitation": invitation_id, "role": role }))
        .write(&txn)
        .await?;
    crate::webhooks::commit_with_event(txn, &ctx, "user.created", json!({ "id": id, "email": email, "role": role }))
        .await?;
    Ok(HttpResponse::Created().json(view))
}
