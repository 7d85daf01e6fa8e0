//! `/v1/tenant`: the tenant's profile, from the tenant's own database. Reading it needs no
//! login (a sign-in page shows the name and branding and knows whether sign-up is open);
//! changing it needs `tenant.manage`.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::Branding;
use http_api::ApiError;
use serde::{Deserialize, Serialize};
use serde_json::json;
use tokio_postgres::Row;

use crate::{
    TenantCtx,
    audit::AuditEvent,
    auth::{Can, perm},
};

/// Who may become a user: `invite_only` (the default) or `open` (anyone may register).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignupPolicy {
    InviteOnly,
    Open,
}

impl SignupPolicy {
    fn as_str(self) -> &'static str {
        match self {
            SignupPolicy::InviteOnly => "invite_only",
            SignupPolicy::Open => "open",
        }
    }
}

/// The tenant's profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub id: uuid::Uuid,
    pub slug: String,
    pub display_name: String,
    pub branding: Branding,
    pub signup_policy: SignupPolicy,
    pub created_at: DateTime<Utc>,
}

const PROFILE_COLUMNS: &str = "tenant_id, slug, display_name, branding, signup_policy, created_at";

fn profile_view(row: &Row) -> Result<ProfileView, ApiError> {
    let branding = serde_json::from_value(row.get(3)).map_err(ApiError::internal)?;
    let signup_policy = if row.get::<_, &str>(4) == "open" { SignupPolicy::Open } else { SignupPolicy::InviteOnly };
    Ok(ProfileView {
        id: row.get(0),
        slug: row.get(1),
        display_name: row.get(2),
        branding,
        signup_policy,
        created_at: row.get(5),
    })
}

/// The tenant this host serves.
#[utoipa::path(get, path = "/v1/tenant", tag = "tenant", params(("x-tenant-id" = Option<String>, Header, description = "Tenant id or slug, when the host does not name the tenant")),
    responses((status = 200, body = ProfileView), (status = 404, description = "TENANT_NOT_FOUND or NOT_FOUND", body = http_api::ErrorBody), (status = 403, description = "TENANT_SUSPENDED", body = http_api::ErrorBody)))]
pub async fn get_tenant(ctx: TenantCtx) -> Result<HttpResponse, ApiError> {
    let client = ctx.client().await?;
    // Every sign-in page asks for this: prepared once per connection.
    let statement = client
        .prepare_cached(&format!("SELECT {PROFILE_COLUMNS} FROM tenant_profile"))
        .await
        .map_err(ApiError::internal)?;
    let row = client
        .query_opt(&statement, &[])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::not_found("tenant profile"))?;
    Ok(HttpResponse::Ok().json(profile_view(&row)?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateProfile {
    /// 1–100 characters.
    display_name: Option<String>,
    /// Replaces the branding as a whole.
    branding: Option<Branding>,
    signup_policy: Option<SignupPolicy>,
}

/// Changes the tenant's name, branding or sign-up policy.
#[utoipa::path(patch, path = "/v1/tenant", tag = "tenant", request_body = UpdateProfile, security(("bearer" = []), ("apiKey" = [])),
    responses((status = 200, body = ProfileView), (status = 403, description = "FORBIDDEN", body = http_api::ErrorBody), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn update_tenant(
    caller: Can<perm::TenantManage>,
    body: web::Json<UpdateProfile>,
) -> Result<HttpResponse, ApiError> {
    let UpdateProfile { display_name, branding, signup_policy } = body.into_inner();
    let display_name = display_name
        .map(|n| domain::DisplayName::parse(&n).map_err(|err| ApiError::validation("displayName", err)))
        .transpose()?;
    if let Some(branding) = &branding {
        branding.validate().map_err(|e| ApiError::validation(&format!("branding.{}", e.field), e.message))?;
    }
    let branding_json = branding.as_ref().map(|b| serde_json::to_value(b).map_err(ApiError::internal)).transpose()?;
    let mut client = caller.ctx.client().await?;
    let txn = client.transaction().await.map_err(ApiError::internal)?;
    let row = txn
        .query_one(
            &format!(
                "UPDATE tenant_profile SET display_name = coalesce($1, display_name), branding = coalesce($2, branding), \
                 signup_policy = coalesce($3, signup_policy), updated_at = now() RETURNING {PROFILE_COLUMNS}"
            ),
            &[&display_name.as_ref().map(|n| n.as_str()), &branding_json, &signup_policy.map(SignupPolicy::as_str)],
        )
        .await
        .map_err(ApiError::internal)?;
    let changed: Vec<&str> = [
        display_name.as_ref().map(|_| "displayName"),
        branding.as_ref().map(|_| "branding"),
        signup_policy.map(|_| "signupPolicy"),
    ]
    .into_iter()
    .flatten()
    .collect();
    AuditEvent::by(&caller, "tenant.updated")
        .metadata(json!({ "changed": changed, "signupPolicy": signup_policy.map(SignupPolicy::as_str) }))
        .write(&txn)
        .await?;
    txn.commit().await.map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok().json(profile_view(&row)?))
}
