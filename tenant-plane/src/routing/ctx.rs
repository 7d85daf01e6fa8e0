//! `TenantCtx`: the extractor that resolves the request's tenant. It is the only way a
//! handler reaches tenant data, so a handler without a tenant cannot be written.
//!
//! Resolution order: subdomain of the base domain → verified custom domain → `/t/{slug}/…`
//! (when path routing is on) → `x-tenant-id` (must agree with host or path) → the tenant an
//! `x-api-key` names (must agree too) → default tenant → `404 TENANT_NOT_FOUND`.
//!
//! Every resolved request is counted against its client's ceiling (per IP and tenant); the
//! tenant's own API budget is counted by `Caller`, after authentication.

use std::{future::Future, pin::Pin, sync::Arc};

use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload, http::header, web};
use domain::{TenantSlug, TenantStatus};
use http_api::{ApiError, ErrorCode};
use uuid::Uuid;

use super::{
    RouteError, RouteKey, TenantRoute, normalize_host,
    pools::{PoolError, PoolRegistry, PooledClient, TenantPool},
};
use crate::{AppState, limits::RateLimitInfo};

pub const TENANT_HEADER: &str = "x-tenant-id";

/// The resolved, active tenant of this request and its pool.
pub struct TenantCtx {
    pub route: Arc<TenantRoute>,
    pool: TenantPool,
    pools: PoolRegistry,
    webhooks: crate::webhooks::Dispatcher,
}

impl TenantCtx {
    /// Tells the webhook dispatcher this tenant has new events (call after commit).
    pub fn wake_webhooks(&self) {
        self.webhooks.wake(self.route.id);
    }

    /// The worker's webhook dispatcher.
    pub fn webhooks(&self) -> &crate::webhooks::Dispatcher {
        &self.webhooks
    }

    /// The tenant's connection pool (for work that outlives the request, e.g. the replicator).
    pub fn pool(&self) -> &TenantPool {
        &self.pool
    }

    /// A connection to the tenant's own database, as the tenant's own role.
    ///
    /// A catalog change notified after this request took the pool closes it (the notice may
    /// even be for a change made before the route was loaded); the request then takes the
    /// tenant's new pool instead of failing.
    pub async fn client(&self) -> Result<PooledClient, ApiError> {
        match self.pool.get().await {
            // Boxed: the rare path would otherwise enlarge every handler's future, which the
            // service chain copies when it boxes it.
            Err(deadpool::managed::PoolError::Closed) => Box::pin(self.client_from_new_pool()).await,
            other => other.map_err(pool_error),
        }
    }

    /// The pool was closed by a catalog change: a connection from the tenant's pool as it is now.
    async fn client_from_new_pool(&self) -> Result<PooledClient, ApiError> {
        let Some(target) = &self.route.db else { return Err(pool_error(deadpool::managed::PoolError::Closed)) };
        let pool = self.pools.pool(self.route.id, target).await.map_err(ApiError::unavailable)?;
        pool.get().await.map_err(pool_error)
    }
}

fn pool_error(err: deadpool::managed::PoolError<PoolError>) -> ApiError {
    match err {
        deadpool::managed::PoolError::Backend(PoolError::Connect(e)) => ApiError::unavailable(e),
        other => ApiError::unavailable(anyhow::anyhow!("tenant pool: {other}")),
    }
}

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::TENANT_NOT_FOUND, "no tenant is served here")
}

/// What the request's parts say about its tenant, before any lookup.
struct Claims {
    host_key: Option<RouteKey>,
    /// The host is a tenant subdomain: if it is unknown, stop with 404 instead of falling back.
    host_is_tenant_subdomain: bool,
    path_slug: Option<String>,
    header: Option<String>,
    /// The tenant named by an `x-api-key` header.
    api_key_tenant: Option<Uuid>,
}

fn claims(req: &HttpRequest, state: &AppState) -> Result<Claims, ApiError> {
    let raw_host = req.headers().get(header::HOST).map(|h| h.to_str().map_err(|_| ()));
    let host = match raw_host {
        None => None,
        Some(Err(())) => return Err(ApiError::new(ErrorCode::INVALID_HOST, "Host header is not a valid host name")),
        Some(Ok(raw)) => Some(
            normalize_host(raw)
                .map_err(|_| ApiError::new(ErrorCode::INVALID_HOST, "Host header is not a valid host name"))?,
        ),
    };
    let settings = state.routing();
    let mut host_key = None;
    let mut host_is_tenant_subdomain = false;
    if let Some(host) = host.filter(|h| h.parse::<std::net::IpAddr>().is_err()) {
        match host.strip_suffix(settings.base_domain.as_str()).and_then(|rest| rest.strip_suffix('.')) {
            Some(label) if !label.contains('.') => {
                if let Ok(slug) = TenantSlug::parse(label) {
                    host_key = Some(RouteKey::Slug(slug.as_str().to_owned()));
                    host_is_tenant_subdomain = true;
                }
            }
            _ if host != settings.base_domain => host_key = Some(RouteKey::Domain(host)),
            _ => {}
        }
    }
    let path_slug = if settings.path_routing { req.match_info().get("tenant_slug").map(str::to_owned) } else { None };
    let header = match req.headers().get(TENANT_HEADER) {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .filter(|s| s.len() <= 64)
                .map(str::to_owned)
                .ok_or_else(|| ApiError::new(ErrorCode::TENANT_NOT_FOUND, "x-tenant-id is malformed"))?,
        ),
    };
    let api_key_tenant = req
        .headers()
        .get(crate::auth::API_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::auth::api_keys::tenant_of);
    Ok(Claims { host_key, host_is_tenant_subdomain, path_slug, header, api_key_tenant })
}

fn header_key(value: &str) -> Option<RouteKey> {
    if let Ok(id) = value.parse::<Uuid>() {
        return Some(RouteKey::Id(id));
    }
    TenantSlug::parse(value).ok().map(|s| RouteKey::Slug(s.as_str().to_owned()))
}

async fn lookup(state: &AppState, key: RouteKey) -> Result<Option<Arc<TenantRoute>>, ApiError> {
    state.routes().get(key).await.map_err(|err| match err {
        RouteError::Secrets(cause) => ApiError::with_cause(
            ErrorCode::SECRETS_UNAVAILABLE,
            "this tenant's credentials are unavailable right now; retry later",
            cause,
        ),
        other => ApiError::unavailable(other),
    })
}

async fn resolve(req: &HttpRequest, state: &AppState) -> Result<Arc<TenantRoute>, ApiError> {
    let claims = claims(req, state)?;
    let mut found: Option<Arc<TenantRoute>> = None;
    if let Some(key) = claims.host_key {
        found = lookup(state, key).await?;
        if found.is_none() && claims.host_is_tenant_subdomain {
            return Err(not_found());
        }
    }
    if let Some(slug) = &claims.path_slug {
        let by_path = lookup(state, RouteKey::Slug(slug.clone())).await?.ok_or_else(not_found)?;
        if found.as_ref().is_some_and(|f| f.id != by_path.id) {
            return Err(ApiError::new(ErrorCode::TENANT_MISMATCH, "path names a different tenant than the host"));
        }
        found = Some(by_path);
    }
    if let Some(value) = &claims.header {
        let by_header = match header_key(value) {
            Some(key) => lookup(state, key).await?,
            None => None,
        };
        match (&found, by_header) {
            (Some(f), Some(h)) if f.id == h.id => {}
            (Some(_), _) => {
                return Err(ApiError::new(
                    ErrorCode::TENANT_MISMATCH,
                    "x-tenant-id names a different tenant than the host",
                ));
            }
            (None, Some(h)) => found = Some(h),
            (None, None) => return Err(not_found()),
        }
    }
    if let Some(id) = claims.api_key_tenant {
        match &found {
            // A key for another tenant is simply not valid here (the caller check says 401).
            Some(_) => {}
            None => found = Some(lookup(state, RouteKey::Id(id)).await?.ok_or_else(not_found)?),
        }
    }
    if found.is_none()
        && let Some(slug) = &state.routing().default_tenant
    {
        found = lookup(state, RouteKey::Slug(slug.clone())).await?;
    }
    found.ok_or_else(not_found)
}

fn check_status(route: &TenantRoute) -> Result<(), ApiError> {
    match route.status {
        TenantStatus::Active => Ok(()),
        TenantStatus::Suspended => Err(ApiError::new(ErrorCode::TENANT_SUSPENDED, "this tenant is suspended")),
        TenantStatus::Offboarding | TenantStatus::Deleted => {
            Err(ApiError::new(ErrorCode::TENANT_GONE, "this tenant is gone"))
        }
        TenantStatus::Provisioning => {
            Err(ApiError::new(ErrorCode::TENANT_NOT_READY, "this tenant is being provisioned"))
        }
        TenantStatus::Failed => Err(not_found()),
        TenantStatus::Moving => Err(ApiError::new(
            ErrorCode::TENANT_MOVING,
            "this tenant's database is being moved to another server; retry in a few seconds",
        )),
    }
}

impl FromRequest for TenantCtx {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let route = resolve(&req, &state).await?;
            tracing::Span::current().record("tenant.id", tracing::field::display(route.id));
            check_status(&route)?;
            if req.extensions().get::<RateLimitInfo>().is_none() {
                let ip = req.peer_addr().map(|a| a.ip());
                let info = state.limits().check_client(route.id, ip, &route.plan)?;
                crate::limits::remember(&req, info);
            }
            let target = route
                .db
                .as_ref()
                .ok_or_else(|| ApiError::new(ErrorCode::TENANT_NOT_READY, "tenant database not ready"))?;
            let pool = state.pools().pool(route.id, target).await.map_err(ApiError::unavailable)?;
            Ok(TenantCtx { route, pool, pools: state.pools().clone(), webhooks: state.webhooks().clone() })
        })
    }
}
