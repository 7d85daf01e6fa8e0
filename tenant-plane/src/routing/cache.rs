//! The route cache: tenant routes by slug, id or custom domain, loaded from the catalog with
//! single-flight (concurrent misses for one key share one catalog query), positive entries
//! kept for the route TTL and "not found" only briefly.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use catalog::{Catalog, RouteRecord};
use dbtls::{ClientIdentity, DbTls, TlsMode};
use domain::TenantId;
use domain::TenantStatus;
use moka::{Expiry, future::Cache};
use secrets::{ExposeSecret, Scope, SecretName, SecretStore, SecretString};
use uuid::Uuid;

/// How long "no such tenant" is remembered: long enough to absorb a burst of requests for
/// an unknown host, short enough that a new tenant is served almost at once even if its
/// NOTIFY is missed.
const NEGATIVE_TTL: Duration = Duration::from_secs(2);
/// Upper bound on cached routes per worker.
const MAX_ROUTES: u64 = 100_000;
/// After a failed catalog load, requests go straight to last-known-good routes for this
/// long instead of each waiting on the unreachable catalog.
const CATALOG_BACKOFF: Duration = Duration::from_secs(2);

/// Why a route could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RouteError {
    /// The catalog did not answer.
    #[error("catalog unavailable: {0:#}")]
    Catalog(anyhow::Error),
    /// The secret store (e.g. Vault) did not give the tenant's credentials.
    #[error("tenant credentials unavailable: {0:#}")]
    Secrets(anyhow::Error),
    /// The catalog holds something this worker cannot use.
    #[error("invalid tenant route: {0:#}")]
    Invalid(anyhow::Error),
}

/// What a request names its tenant by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RouteKey {
    Slug(String),
    Id(Uuid),
    Domain(String),
}

/// Where a tenant's database is and how to log in to it.
#[derive(Clone)]
pub struct DbTarget {
    /// The database server (its access changes reconnect the tenant).
    pub server_id: Uuid,
    pub host: String,
    pub port: u16,
    pub database: String,
    pub role: String,
    pub password: SecretString,
    /// Secret version of `password`.
    pub password_version: u32,
    /// How connections to the server are protected.
    pub tls: DbTls,
}

/// Everything needed to serve one tenant.
#[derive(Clone)]
pub struct TenantRoute {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub status: TenantStatus,
    /// The tenant's plan (decides its API rate limit).
    pub plan: String,
    pub db: Option<DbTarget>,
}

impl std::fmt::Debug for TenantRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantRoute")
            .field("id", &self.id)
            .field("slug", &self.slug)
            .field("status", &self.status)
            .finish()
    }
}

type Entry = Option<Arc<TenantRoute>>;

struct RouteExpiry {
    ttl: Duration,
}

impl Expiry<RouteKey, Entry> for RouteExpiry {
    fn expire_after_create(&self, _key: &RouteKey, value: &Entry, _now: Instant) -> Option<Duration> {
        Some(if value.is_some() { self.ttl } else { NEGATIVE_TTL })
    }
}

/// Cached routes of one worker. Cheap to clone.
///
/// Static stability: besides the fresh cache (TTL, invalidated by NOTIFY), the worker keeps
/// the last route it loaded for each key. When the catalog cannot be reached, warm tenants are
/// served from that copy, so an outage of the catalog or the control plane does not take the
/// data plane down. Only NOTIFY invalidation removes last-known-good routes.
#[derive(Clone)]
pub struct RouteCache {
    catalog: Catalog,
    secrets: Arc<dyn SecretStore>,
    cache: Cache<RouteKey, Entry>,
    last_good: Cache<RouteKey, Arc<TenantRoute>>,
    catalog_down_until: Arc<std::sync::Mutex<Option<Instant>>>,
}

impl RouteCache {
    pub fn new(catalog: Catalog, secrets: Arc<dyn SecretStore>, ttl: Duration) -> Self {
        let cache = Cache::builder()
            .max_capacity(MAX_ROUTES)
            .expire_after(RouteExpiry { ttl })
            .support_invalidation_closures()
            .build();
        let last_good = Cache::builder().max_capacity(MAX_ROUTES).support_invalidation_closures().build();
        Self { catalog, secrets, cache, last_good, catalog_down_until: Arc::default() }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The route for `key`, from the cache or the catalog; while the catalog is unreachable,
    /// the last route loaded for `key`.
    pub async fn get(&self, key: RouteKey) -> Result<Option<Arc<TenantRoute>>, RouteError> {
        if self.catalog_recently_down()
            && let Some(route) = self.last_good.get(&key).await
        {
            return Ok(Some(route));
        }
        // The hot path: a fresh entry, read without building a loader or writing anything (the
        // entry went into `last_good` when it was loaded).
        if let Some(entry) = self.cache.get(&key).await {
            return Ok(entry);
        }
        let this = self.clone();
        let lookup = key.clone();
        let loaded = self.cache.try_get_with(key.clone(), async move { this.load(lookup).await }).await.map_err(
            |err: Arc<RouteError>| match err.as_ref() {
                RouteError::Catalog(e) => RouteError::Catalog(anyhow::anyhow!("{e:#}")),
                RouteError::Secrets(e) => RouteError::Secrets(anyhow::anyhow!("{e:#}")),
                RouteError::Invalid(e) => RouteError::Invalid(anyhow::anyhow!("{e:#}")),
            },
        );
        match loaded {
            Ok(Some(route)) => {
                self.last_good.insert(key, route.clone()).await;
                Ok(Some(route))
            }
            Ok(None) => Ok(None),
            Err(err) => {
                if matches!(err, RouteError::Catalog(_)) {
                    self.mark_catalog_down();
                }
                match self.last_good.get(&key).await {
                    Some(route) => {
                        tracing::warn!(tenant.id = %route.id, error = %err, "route reload failed; serving last known route");
                        Ok(Some(route))
                    }
                    None => Err(err),
                }
            }
        }
    }

    fn catalog_recently_down(&self) -> bool {
        self.catalog_down_until.lock().is_ok_and(|until| until.is_some_and(|t| Instant::now() < t))
    }

    fn mark_catalog_down(&self) {
        if let Ok(mut until) = self.catalog_down_until.lock() {
            *until = Some(Instant::now() + CATALOG_BACKOFF);
        }
    }

    async fn load(&self, key: RouteKey) -> Result<Entry, RouteError> {
        let record = match &key {
            RouteKey::Slug(slug) => self.catalog.route_by_slug(slug).await,
            RouteKey::Id(id) => self.catalog.route_by_id(*id).await,
            RouteKey::Domain(host) => self.catalog.route_by_domain(host).await,
        }
        .map_err(|e| RouteError::Catalog(e.into()))?;
        match record {
            Some(r) => Ok(Some(Arc::new(self.route(r).await?))),
            None => Ok(None),
        }
    }

    async fn route(&self, r: RouteRecord) -> Result<TenantRoute, RouteError> {
        let status = r.status.parse::<TenantStatus>().map_err(|e| RouteError::Invalid(e.into()))?;
        let serving = status == TenantStatus::Active;
        let db = match (r.server_id, r.host, r.port, r.database_name, r.role_name) {
            // Only tenants that can be served need their credentials.
            (Some(server_id), Some(host), Some(port), Some(database), Some(role)) if serving => {
                let mode: TlsMode = r
                    .tls_mode
                    .as_deref()
                    .unwrap_or("disable")
                    .parse()
                    .map_err(|e: String| RouteError::Invalid(anyhow::anyhow!(e)))?;
                let scope = Scope::Tenant(TenantId::from_uuid(r.tenant_id));
                // A server that asks for a client certificate: the tenant's copy of it.
                let identity = match r.tls_client_cert {
                    Some(true) => {
                        let bundle = self
                            .secrets
                            .get(&scope, &secrets::db_client_identity(server_id), None)
                            .await
                            .map_err(|e| RouteError::Secrets(e.into()))?;
                        Some(
                            ClientIdentity::from_bundle(bundle.value.expose_secret())
                                .map_err(|e| RouteError::Invalid(e.into()))?,
                        )
                    }
                    _ => None,
                };
                let tls = DbTls::with_identity(mode, r.tls_ca_pem.as_deref(), identity.as_ref())
                    .map_err(RouteError::Invalid)?;
                let secret = self
                    .secrets
                    .get(&scope, &SecretName::well_known(secrets::DB_PASSWORD), None)
                    .await
                    .map_err(|e| RouteError::Secrets(e.into()))?;
                Some(DbTarget {
                    server_id,
                    host,
                    port: u16::try_from(port).map_err(|e| RouteError::Invalid(e.into()))?,
                    database,
                    role,
                    password: secret.value,
                    password_version: secret.version,
                    tls,
                })
            }
            _ => None,
        };
        Ok(TenantRoute { id: r.tenant_id, slug: r.slug, display_name: r.display_name, status, plan: r.plan, db })
    }

    /// Drops every entry of `tenant` and every negative entry (a new slug or domain may
    /// now exist). Called on NOTIFY.
    pub fn invalidate_tenant(&self, tenant: Uuid) {
        let result = self
            .cache
            .invalidate_entries_if(move |_key, entry| match entry {
                Some(route) => route.id == tenant,
                None => true,
            })
            .and_then(|_| self.last_good.invalidate_entries_if(move |_key, route| route.id == tenant));
        if let Err(err) = result {
            tracing::warn!(error = %err, "route invalidation failed; flushing");
            self.cache.invalidate_all();
            self.last_good.invalidate_all();
        }
    }

    /// Drops every route (fresh and last-known-good) of tenants on database server `server`,
    /// whose address, TLS settings or credentials changed. Called on NOTIFY `server:<id>`.
    pub fn invalidate_server(&self, server: Uuid) {
        let on_server = move |route: &TenantRoute| route.db.as_ref().is_some_and(|db| db.server_id == server);
        let result = self
            .cache
            .invalidate_entries_if(move |_key, entry| entry.as_deref().is_some_and(on_server))
            .and_then(|_| self.last_good.invalidate_entries_if(move |_key, route| on_server(route)));
        if let Err(err) = result {
            tracing::warn!(error = %err, "route invalidation failed; flushing");
            self.cache.invalidate_all();
            self.last_good.invalidate_all();
        }
    }

    /// Drops every fresh route (after the LISTEN connection was lost and changes may have been
    /// missed): the next request reloads from the catalog. Last-known-good routes stay, for
    /// when the catalog is unreachable.
    pub fn flush(&self) {
        self.cache.invalidate_all();
    }
}
