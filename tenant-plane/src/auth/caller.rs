//! `Caller`: who is making a request — a user with an access token, or an API key — with the
//! tenant it was resolved to. The user's role and status are read from the tenant database on
//! every request, so a demotion, a disabled account or a removal takes effect at once rather
//! than when the token expires.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use chrono::{DateTime, Utc};
use http_api::{ApiError, ErrorCode};
use uuid::Uuid;

use super::{api_keys, permissions::Permission, roles::Role, tokens::verify_access_token};
use crate::{AppState, TenantCtx, audit::RequestMeta};

/// The header API keys are sent in.
pub const API_KEY_HEADER: &str = "x-api-key";
/// `last_used_at` of an API key is written at most this often.
const LAST_USED_GRANULARITY: chrono::Duration = chrono::Duration::seconds(60);

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Actor {
    User {
        id: Uuid,
        role: Role,
    },
    /// An API key acts with its scopes, and only those its creator (`owner`) still has.
    ApiKey {
        id: Uuid,
        scopes: Vec<Permission>,
        owner: Uuid,
        owner_role: Role,
    },
}

/// An authenticated request, resolved to its tenant.
pub struct Caller {
    pub ctx: TenantCtx,
    pub actor: Actor,
    pub meta: RequestMeta,
}

impl Caller {
    /// Whether the caller holds `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        match &self.actor {
            Actor::User { role, .. } => permission.granted_to(*role),
            Actor::ApiKey { scopes, owner_role, .. } => {
                scopes.contains(&permission) && permission.granted_to(*owner_role)
            }
        }
    }

    /// The user acting: the token's user, or the API key's creator.
    pub fn user_id(&self) -> Uuid {
        match &self.actor {
            Actor::User { id, .. } => *id,
            Actor::ApiKey { owner, .. } => *owner,
        }
    }

    /// The role acting: the user's, or the API key creator's.
    pub fn role(&self) -> Role {
        match &self.actor {
            Actor::User { role, .. } => *role,
            Actor::ApiKey { owner_role, .. } => *owner_role,
        }
    }
}

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::UNAUTHENTICATED, "missing or invalid credentials")
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = TenantCtx::from_request(req, payload);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = http_api::bearer_token(req);
        let api_key = req.headers().get(API_KEY_HEADER).map(|v| v.to_str().map(str::to_owned).ok());
        let meta = RequestMeta::of(req);
        let req = req.clone();
        Box::pin(async move {
            let ctx = ctx.await?;
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let actor = match (token, api_key) {
                (Some(token), _) => user_actor(&state, &ctx, &token).await?,
                (None, Some(Some(key))) => key_actor(&ctx, &key).await?,
                _ => return Err(unauthenticated()),
            };
            // The tenant's API budget counts authenticated requests only.
            let info = state.limits().check_api(ctx.route.id, &ctx.route.plan)?;
            crate::limits::remember(&req, info);
            Ok(Caller { ctx, actor, meta })
        })
    }
}

async fn user_actor(state: &AppState, ctx: &TenantCtx, token: &str) -> Result<Actor, ApiError> {
    let claims = verify_access_token(state, ctx.route.id, token).await?.ok_or_else(unauthenticated)?;
    let client = ctx.client().await?;
    let row = client
        .query_opt("SELECT role, status FROM users WHERE id = $1", &[&claims.sub])
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    if row.get::<_, &str>(1) != "active" {
        return Err(unauthenticated());
    }
    let role = Role::from_db(row.get(0))?;
    Ok(Actor::User { id: claims.sub, role })
}

async fn key_actor(ctx: &TenantCtx, key: &str) -> Result<Actor, ApiError> {
    let parsed = api_keys::ParsedKey::parse(key).ok_or_else(unauthenticated)?;
    if parsed.tenant != ctx.route.id {
        return Err(unauthenticated());
    }
    let client = ctx.client().await?;
    let row = client
        .query_opt(
            "SELECT k.id, k.scopes, k.expires_at, k.revoked_at, k.last_used_at, u.id, u.role, u.status \
             FROM api_keys k JOIN users u ON u.id = k.created_by WHERE k.secret_hash = $1",
            &[&parsed.hash()],
        )
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(unauthenticated)?;
    let now = Utc::now();
    let expires_at: Option<DateTime<Utc>> = row.get(2);
    let revoked_at: Option<DateTime<Utc>> = row.get(3);
    if revoked_at.is_some() || expires_at.is_some_and(|e| e <= now) || row.get::<_, &str>(7) != "active" {
        return Err(unauthenticated());
    }
    let id: Uuid = row.get(0);
    let last_used: Option<DateTime<Utc>> = row.get(4);
    if last_used.is_none_or(|t| now - t > LAST_USED_GRANULARITY) {
        // Best effort: a failed bookkeeping write does not fail the request.
        if let Err(err) = client.execute("UPDATE api_keys SET last_used_at = now() WHERE id = $1", &[&id]).await {
            tracing::warn!(error = %err, "could not record API key use");
        }
    }
    let stored: Vec<String> = row.get(1);
    // `*` is only ever written by the platform (a sandbox's key): every permission, still
    // bounded by what its owner may do. The API refuses it as a scope.
    let scopes = if stored.iter().any(|s| s == secrets::api_keys::ALL_SCOPES) {
        Permission::ALL.to_vec()
    } else {
        stored.iter().filter_map(|s| Permission::parse(s)).collect()
    };
    let owner_role = Role::from_db(row.get(6))?;
    Ok(Actor::ApiKey { id, scopes, owner: row.get(5), owner_role })
}
