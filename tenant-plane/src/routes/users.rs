//! `/v1/users`: the tenant's users. Admins list and manage them; only owners touch owners;
//! the last active owner can be neither demoted, disabled nor removed (`409 LAST_OWNER`).

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::{GenericClient, Row};
use uuid::Uuid;

use super::signup::parse_person_name;
use crate::{
    audit::AuditEvent,
    auth::{Caller, Can, Role, perm},
};

const PAGE_MAX: i64 = 100;

/// A user of the tenant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    id: Uuid,
    email: String,
    name: String,
    role: Role,
    /// `active` or `disabled`.
    status: String,
    created_at: DateTime<Utc>,
    last_login_at: Option<DateTime<Utc>>,
}

const USER_COLUMNS: &str = "id, email, name, role, status, created_at, last_login_at";

fn user_view(row: &Row) -> Result<UserView, ApiError> {
    Ok(UserView {
        id: row.get(0),
        email: row.get(1),
        name: row.get(2),
        role: Role::from_db(row.get(3))?,
        status: row.get(4),
        created_at: row.get(5),
        last_login_at: row.get(6),
    })
}

/// A page of users, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserList {
    items: Vec<UserView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<Uuid>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// 1–100, default 50.
    limit: Option<i64>,
    /// `nextCursor` of the previous page.
    cursor: Option<Uuid>,
    role: Option<Role>,
}

/// Lists users.
#[utoipa::path(get, path = "/v1/users", tag = "users", params(UserQuery), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = UserList), (status = 401, description = "UNAUTHENTICATED", body = http_api::ErrorBody), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody)))]
pub async fn list_users(caller: Can<perm::UsersRead>, query: web::Query<UserQuery>) -> Result<HttpResponse, ApiError> {
    let limit = super::fields::limit(query.limit, PAGE_MAX)?;
    let role = query.role.map(Role::as_str);
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            &format!(
                "SELECT {USER_COLUMNS} FROM users WHERE ($1::uuid IS NULL OR id > $1) AND ($2::text IS NULL OR role = $2) \
                 ORDER BY id LIMIT $3"
            ),
            &[&query.cursor, &role, &(limit + 1)],
        )
        .await
        .map_err(ApiError::internal)?;
    let (items, next_cursor) = super::fields::page(&rows, limit, user_view, |u| u.id)?;
    Ok(HttpResponse::Ok().json(UserList { items, next_cursor }))
}

#[derive(Debug, Deserialize)]
pub struct UserPath {
    id: Uuid,
}

/// One user.
#[utoipa::path(get, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = UserView), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_user(caller: Can<perm::UsersRead>, path: web::Path<UserPath>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let row = client
        .query_opt(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"), &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("user"))?;
    Ok(HttpResponse::Ok().json(user_view(&row)?))
}

/// `active` or `disabled`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UserStatus {
    Active,
    Disabled,
}

impl UserStatus {
    fn as_str(self) -> &'static str {
        match self {
            UserStatus::Active => "active",
            UserStatus::Disabled => "disabled",
        }
    }
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    role: Option<Role>,
    status: Option<UserStatus>,
    name: Option<String>,
}

/// The target row, locked, after checking the caller may manage it.
async fn lock_manageable(db: &impl GenericClient, caller: &Caller, id: Uuid) -> Result<(Role, String), ApiError> {
    // Owners first, in a fixed order: concurrent changes to owners serialise here, so two
    // owners cannot demote each other at once and leave none.
    db.query("SELECT id FROM users WHERE role = 'owner' ORDER BY id FOR UPDATE", &[])
        .await
        .map_err(ApiError::internal)?;
    let row = db
        .query_opt("SELECT role, status FROM users WHERE id = $1 FOR UPDATE", &[&id])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("user"))?;
    let role = Role::from_db(row.get(0))?;
    if !caller.role().may_manage(role) {
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "only owners can change owners"));
    }
    Ok((role, row.get(1)))
}

/// Revokes the open invitations `user` issued.
async fn revoke_invitations_by(db: &impl GenericClient, user: Uuid) -> Result<u64, ApiError> {
    db.execute(
        "UPDATE invitations SET revoked_at = now() WHERE invited_by = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
        &[&user],
    )
    .await
    .map_err(ApiError::internal)
}

/// Refuses a change that leaves no active owner besides `id`.
async fn ensure_other_owner(db: &impl GenericClient, id: Uuid) -> Result<(), ApiError> {
    let others: i64 = db
        .query_one("SELECT count(*) FROM users WHERE role = 'owner' AND status = 'active' AND id <> $1", &[&id])
        .await
        .map_err(ApiError::internal)?
        .get(0);
    if others == 0 {
        return Err(ApiError::new(ErrorCode::LAST_OWNER, "the tenant must keep at least one active owner"));
    }
    Ok(())
}

/// Changes a user's role, status or name. Disabling a user ends their sessions.
#[utoipa::path(patch, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), request_body = UpdateUser, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = UserView), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "LAST_OWNER", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn update_user(
    caller: Can<perm::UsersManage>,
    path: web::Path<UserPath>,
    body: web::Json<UpdateUser>,
) -> Result<HttpResponse, ApiError> {
    let UpdateUser { role, status, name } = body.into_inner();
    let name = name.map(|n| parse_person_name(Some(n))).transpose()?;
    if let Some(role) = role
        && !caller.role().may_manage(role)
    {
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "only owners can make owners"));
    }
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let (old_role, old_status) = lock_manageable(&txn, &caller, path.id).await?;
    let demoted = role.is_some_and(|r| r != Role::Owner);
    let disabled = status == Some(UserStatus::Disabled);
    if old_role == Role::Owner && old_status == "active" && (demoted || disabled) {
        ensure_other_owner(&txn, path.id).await?;
    }
    let row = txn
        .query_one(
            &format!(
                "UPDATE users SET role = coalesce($2, role), status = coalesce($3, status), name = coalesce($4, name), \
                 updated_at = now() WHERE id = $1 RETURNING {USER_COLUMNS}"
            ),
            &[&path.id, &role.map(Role::as_str), &status.map(UserStatus::as_str), &name],
        )
        .await
        .map_err(ApiError::internal)?;
    // Revocations before any audit row: audit appends take a table lock, and the refresh path
    // locks tokens first, so this order cannot deadlock with it.
    let demoted_now = role.is_some_and(|r| r < old_role);
    let disabled_now = status == Some(UserStatus::Disabled) && old_status != "disabled";
    if disabled_now {
        txn.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL",
            &[&path.id],
        )
        .await
        .map_err(ApiError::internal)?;
    }
    if demoted_now || disabled_now {
        // Invitations this user issued carry authority they no longer have.
        revoke_invitations_by(&txn, path.id).await?;
    }
    if let Some(role) = role.filter(|r| *r != old_role) {
        AuditEvent::by(&caller, "user.role_changed")
            .target("user", path.id)
            .metadata(json!({ "from": old_role, "to": role }))
            .write(&txn)
            .await?;
    }
    if let Some(status) = status.filter(|s| s.as_str() != old_status) {
        AuditEvent::by(&caller, "user.status_changed")
            .target("user", path.id)
            .metadata(json!({ "from": old_status, "to": status.as_str() }))
            .write(&txn)
            .await?;
    }
    if name.is_some() {
        AuditEvent::by(&caller, "user.updated").target("user", path.id).write(&txn).await?;
    }
    let view = user_view(&row)?;
    crate::webhooks::commit_with_event(txn, &caller.ctx, "user.updated", json!(view)).await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Removes a user, their sessions, and the API keys they made.
#[utoipa::path(delete, path = "/v1/users/{id}", tag = "users", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Removed"), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody),
        (status = 409, description = "LAST_OWNER", body = http_api::ErrorBody)))]
pub async fn delete_user(caller: Can<perm::UsersManage>, path: web::Path<UserPath>) -> Result<HttpResponse, ApiError> {
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let (role, status) = lock_manageable(&txn, &caller, path.id).await?;
    if role == Role::Owner && status == "active" {
        ensure_other_owner(&txn, path.id).await?;
    }
    revoke_invitations_by(&txn, path.id).await?;
    let keys = txn
        .execute("UPDATE api_keys SET revoked_at = now() WHERE created_by = $1 AND revoked_at IS NULL", &[&path.id])
        .await
        .map_err(ApiError::internal)?;
    let email: String = txn
        .query_one("DELETE FROM users WHERE id = $1 RETURNING email", &[&path.id])
        .await
        .map_err(ApiError::internal)?
        .get(0);
    AuditEvent::by(&caller, "user.removed")
        .target("user", path.id)
        .metadata(json!({ "email": email, "role": role, "apiKeysRevoked": keys }))
        .write(&txn)
        .await?;
    crate::webhooks::commit_with_event(txn, &caller.ctx, "user.removed", json!({ "id": path.id })).await?;
    Ok(HttpResponse::NoContent().finish())
}
