//! `/v1/invitations`: admins invite people by e-mail with a role. The one-time token is sent
//! through the tenant's EMAIL connector when it is connected (and then never shown to the
//! inviter), otherwise — or if sending fails — returned once to the inviter. It is stored only
//! as a hash, valid for 7 days; inviting the same address again replaces the open invitation.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::signup::parse_email;
use crate::{
    audit::AuditEvent,
    auth::{Can, Role, perm},
};

const INVITATION_LIFETIME: chrono::Duration = chrono::Duration::days(7);

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitation {
    email: String,
    role: Role,
}

/// An open invitation.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InvitationView {
    id: Uuid,
    email: String,
    role: Role,
    invited_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

/// A new invitation, with its token: shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInvitation {
    #[serde(flatten)]
    invitation: InvitationView,
    /// The one-time token for `POST /v1/auth/accept-invitation`, when it was not e-mailed. Not
    /// retrievable later.
    #[serde(skip_serializing_if = "Option::is_none")]
    token: Option<String>,
    /// How the token reaches the invitee: `email` (sent by the EMAIL connector) or `returned`
    /// (to this caller).
    delivery: &'static str,
    /// Why e-mailing failed, when the EMAIL connector is connected but could not send.
    #[serde(skip_serializing_if = "Option::is_none")]
    delivery_error: Option<String>,
}

/// Invites someone.
#[utoipa::path(post, path = "/v1/invitations", tag = "users", request_body = CreateInvitation, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 201, body = CreatedInvitation), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody),
        (status = 409, description = "CONFLICT: already a user", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn create_invitation(
    state: web::Data<crate::AppState>,
    caller: Can<perm::UsersManage>,
    body: web::Json<CreateInvitation>,
) -> Result<HttpResponse, ApiError> {
    let CreateInvitation { email, role } = body.into_inner();
    let email = parse_email(&email)?;
    if !caller.role().may_manage(role) {
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "only owners can invite owners"));
    }
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let exists =
        txn.query_opt("SELECT 1 FROM users WHERE email = $1", &[&email.as_str()]).await.map_err(ApiError::internal)?;
    if exists.is_some() {
        return Err(ApiError::new(ErrorCode::CONFLICT, "a user with this e-mail already exists"));
    }
    txn.execute(
        "UPDATE invitations SET revoked_at = now() WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
        &[&email.as_str()],
    )
    .await
    .map_err(ApiError::internal)?;
    let token = secrets::random_token(32);
    let id = Uuid::now_v7();
    let row = txn
        .query_one(
            "INSERT INTO invitations (id, email, role, token_hash, invited_by, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at, expires_at",
            &[
                &id,
                &email.as_str(),
                &role.as_str(),
                &secrets::sha256_hex(&token),
                &caller.user_id(),
                &(Utc::now() + INVITATION_LIFETIME),
            ],
        )
        .await
        .map_err(ApiError::internal)?;
    AuditEvent::by(&caller, "user.invited")
        .target("invitation", id)
        .metadata(json!({ "email": email.as_str(), "role": role }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    let invitation = InvitationView {
        id,
        email: email.as_str().to_owned(),
        role,
        invited_by: Some(caller.user_id()),
        created_at: row.get(0),
        expires_at: row.get(1),
    };
    drop(client);
    // Owner invitations are never e-mailed: admins control the EMAIL connector and could route
    // the token to a server of theirs. The owner hands those tokens over in person.
    let emailed =
        if role == Role::Owner { Ok(false) } else { email_invitation(&state, &caller, &invitation, &token).await };
    let (delivery, token, delivery_error) = match emailed {
        Ok(true) => ("email", None, None),
        Ok(false) => ("returned", Some(token), None),
        Err(err) => ("returned", Some(token), Some(err)),
    };
    Ok(HttpResponse::Created().json(CreatedInvitation { invitation, token, delivery, delivery_error }))
}

/// Sends the invitation through the EMAIL connector: `Ok(false)` when it is not connected.
async fn email_invitation(
    state: &crate::AppState,
    caller: &crate::auth::Caller,
    invitation: &InvitationView,
    token: &str,
) -> Result<bool, String> {
    let sealer = state.sealer(caller.ctx.route.id).await.map_err(|e| format!("tenant keys unavailable: {e}"))?;
    let client = caller.ctx.client().await.map_err(|e| e.to_string())?;
    let Some((config, secrets)) = crate::connectors::load(&**client, &sealer, crate::connectors::Connector::Email)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(false);
    };
    drop(client);
    let tenant = &caller.ctx.route.display_name;
    let text = format!(
        "You have been invited to {tenant} as {role}.\n\nYour invitation code (valid for 7 days, usable once):\n\n{token}\n\n\
         Enter it in the app to choose your password. If you did not expect this, ignore this message.",
        role = invitation.role,
    );
    let policy = caller.ctx.webhooks().settings.policy();
    crate::connectors::send_email(
        &config,
        &secrets,
        policy,
        &invitation.email,
        &format!("Your invitation to {tenant}"),
        &text,
    )
    .await
    .map(|_| true)
    .map_err(|e| {
        tracing::warn!(error = %e, "invitation e-mail failed; the token is returned to the inviter");
        e
    })
}

/// Open invitations.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvitationList {
    items: Vec<InvitationView>,
}

/// Lists open (not accepted, revoked or expired) invitations.
#[utoipa::path(get, path = "/v1/invitations", tag = "users", security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = InvitationList), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody)))]
pub async fn list_invitations(caller: Can<perm::UsersRead>) -> Result<HttpResponse, ApiError> {
    let client = caller.ctx.client().await?;
    let rows = client
        .query(
            "SELECT id, email, role, invited_by, created_at, expires_at FROM invitations \
             WHERE accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() ORDER BY id LIMIT 1000",
            &[],
        )
        .await
        .map_err(ApiError::internal)?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(InvitationView {
                id: r.get(0),
                email: r.get(1),
                role: Role::from_db(r.get(2))?,
                invited_by: r.get(3),
                created_at: r.get(4),
                expires_at: r.get(5),
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(InvitationList { items }))
}

#[derive(Debug, Deserialize)]
pub struct InvitationPath {
    id: Uuid,
}

/// Revokes an open invitation.
#[utoipa::path(delete, path = "/v1/invitations/{id}", tag = "users", params(("id" = Uuid, Path)), security(("bearer" = []), ("apiKey" = [])),
    responses((status = 204, description = "Revoked"), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn revoke_invitation(
    caller: Can<perm::UsersManage>,
    path: web::Path<InvitationPath>,
) -> Result<HttpResponse, ApiError> {
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let open = txn
        .query_opt(
            "SELECT role FROM invitations WHERE id = $1 AND accepted_at IS NULL AND revoked_at IS NULL FOR UPDATE",
            &[&path.id],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("invitation"))?;
    let role = Role::from_db(open.get(0))?;
    if !caller.role().may_manage(role) {
        return Err(ApiError::new(ErrorCode::FORBIDDEN, "only owners can revoke owner invitations"));
    }
    let revoked = txn
        .execute("UPDATE invitations SET revoked_at = now() WHERE id = $1", &[&path.id])
        .await
        .map_err(ApiError::internal)?;
    if revoked == 0 {
        return Err(ApiError::not_found("invitation"));
    }
    AuditEvent::by(&caller, "invitation.revoked").target("invitation", path.id).write(&txn).await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::NoContent().finish())
}
