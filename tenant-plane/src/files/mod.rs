//! Tenant files: each tenant's store, composed from its catalog storage config — the primary
//! backend, an optional fallback with the replication log in the tenant database, client-side
//! encryption with the tenant's key — behind its `tenants/<id>/` scope; plus the per-plan size
//! limits and the background replicator.

mod log;
pub mod presign;
mod replicator;

use std::{sync::Arc, time::Duration};

use http_api::{ApiError, ErrorCode};
use secrets::{Scope, SecretName, SecretStore};
use storage::{
    BackendSpec, EncryptedStore, FallbackStore, ObjectKey, ObjectStore, Platform, StorageConfig, StorageError,
    TenantStore,
};
use uuid::Uuid;

pub use replicator::spawn_replicator;

use crate::routing::{TenantCtx, TenantPool};

/// How long a tenant's composed store is kept (a changed config or key is picked up after it).
const STORE_TTL: Duration = Duration::from_secs(60);

/// Size limits of a plan.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlanStorage {
    /// The largest single upload.
    pub max_upload_bytes: u64,
    /// All files together.
    pub quota_bytes: u64,
}

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// Storage limits per plan; unknown plans get the standard ones.
pub fn plan_storage(plan: &str) -> PlanStorage {
    match plan {
        "free" => PlanStorage { max_upload_bytes: 25 * MIB, quota_bytes: GIB },
        "enterprise" => PlanStorage { max_upload_bytes: 5 * GIB, quota_bytes: 1024 * GIB },
        _ => PlanStorage { max_upload_bytes: 512 * MIB, quota_bytes: 50 * GIB },
    }
}

/// One tenant's files: the scoped store, and the fallback when there is one.
pub struct TenantFiles {
    pub config: StorageConfig,
    pub store: TenantStore,
    pub fallback: Option<FallbackStore>,
}

/// Every tenant's composed store, cached per worker.
#[derive(Clone)]
pub struct FileStores {
    platform: Option<Arc<Platform>>,
    secrets: Arc<dyn SecretStore>,
    cache: moka::future::Cache<Uuid, Arc<TenantFiles>>,
}

pub fn storage_error(err: StorageError) -> ApiError {
    match err {
        StorageError::NotFound => ApiError::not_found("file"),
        StorageError::TooLarge { limit } => {
            ApiError::new(ErrorCode::PAYLOAD_TOO_LARGE, format!("the file exceeds {limit} bytes"))
        }
        StorageError::BadRange => ApiError::new(ErrorCode::RANGE_NOT_SATISFIABLE, "the range is not satisfiable"),
        StorageError::InvalidKey(e) => ApiError::validation("key", e),
        StorageError::Integrity(what) => ApiError::with_cause(
            ErrorCode::STORAGE_UNAVAILABLE,
            "the stored file failed its integrity check",
            anyhow::anyhow!("storage integrity: {what}"),
        ),
        StorageError::Refused(reason) => ApiError::with_cause(
            ErrorCode::STORAGE_UNAVAILABLE,
            "the storage backend refused the request",
            anyhow::anyhow!("storage refused: {reason}"),
        ),
        StorageError::Unavailable(reason) => ApiError::with_cause(
            ErrorCode::STORAGE_UNAVAILABLE,
            "the storage backend is unavailable; retry later",
            anyhow::anyhow!("storage unavailable: {reason}"),
        )
        .with_retry_after(5),
    }
}

impl FileStores {
    pub fn new(platform: Option<Platform>, secrets: Arc<dyn SecretStore>) -> Self {
        Self {
            platform: platform.map(Arc::new),
            secrets,
            cache: moka::future::Cache::builder().max_capacity(10_000).time_to_live(STORE_TTL).build(),
        }
    }

    /// The same stores with another platform backend.
    pub fn with_platform(&self, platform: Option<Platform>) -> Self {
        Self::new(platform, self.secrets.clone())
    }

    pub fn platform(&self) -> Option<&Platform> {
        self.platform.as_deref()
    }

    /// The tenant's files, composing its store on first use.
    pub async fn for_tenant(&self, ctx: &TenantCtx, state: &crate::AppState) -> Result<Arc<TenantFiles>, ApiError> {
        self.cached_or_composed(ctx.route.id, ctx.pool(), state).await
    }

    async fn cached_or_composed(
        &self,
        tenant: Uuid,
        pool: &TenantPool,
        state: &crate::AppState,
    ) -> Result<Arc<TenantFiles>, ApiError> {
        if let Some(found) = self.cache.get(&tenant).await {
            return Ok(found);
        }
        let built = Arc::new(self.compose(tenant, pool, state).await?);
        self.cache.insert(tenant, built.clone()).await;
        Ok(built)
    }

    /// The files of an active tenant this worker may not have served yet (the replicator's
    /// sweep after a restart); `None` for a tenant that is not active.
    pub(crate) async fn for_tenant_id(
        &self,
        tenant: Uuid,
        state: &crate::AppState,
    ) -> anyhow::Result<Option<Arc<TenantFiles>>> {
        if let Some(found) = self.cache.get(&tenant).await {
            return Ok(Some(found));
        }
        let route = state.routes().get(crate::routing::RouteKey::Id(tenant)).await?;
        let Some(route) = route.filter(|r| r.status == domain::TenantStatus::Active) else { return Ok(None) };
        let Some(target) = route.db.as_ref() else { return Ok(None) };
        let pool = state.pools().pool(tenant, target).await?;
        let files = self.cached_or_composed(tenant, &pool, state).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Some(files))
    }

    /// Composed stores currently cached (the replicator walks them).
    pub(crate) fn cached(&self) -> Vec<Arc<TenantFiles>> {
        self.cache.iter().map(|(_, v)| v).collect()
    }

    pub(crate) fn cached_ids(&self) -> std::collections::HashSet<Uuid> {
        self.cache.iter().map(|(k, _)| *k).collect()
    }

    async fn compose(&self, tenant: Uuid, pool: &TenantPool, state: &crate::AppState) -> Result<TenantFiles, ApiError> {
        let not_configured =
            || ApiError::new(ErrorCode::STORAGE_NOT_CONFIGURED, "file storage is not configured for this tenant");
        let record = state.catalog().storage_config(tenant).await.map_err(ApiError::unavailable)?;
        let config: StorageConfig = match record {
            Some(r) => serde_json::from_value(r.config).map_err(ApiError::internal)?,
            None => return Err(not_configured()),
        };
        let primary = self.open(&config.primary, storage::PRIMARY_SECRET, tenant).await?;
        let (inner, fallback): (Arc<dyn ObjectStore>, _) = match &config.fallback {
            Some(spec) => {
                let secondary = self.open(spec, storage::FALLBACK_SECRET, tenant).await?;
                let log = Arc::new(log::DbReplicationLog::new(pool.clone()));
                let store = FallbackStore::new(primary, secondary, log);
                (Arc::new(store.clone()), Some(store))
            }
            None => (primary, None),
        };
        let sealed: Arc<dyn ObjectStore> =
            if config.encrypted { Arc::new(EncryptedStore::new(inner, state.sealer(tenant).await?)) } else { inner };
        Ok(TenantFiles { config, store: TenantStore::new(sealed, tenant), fallback })
    }

    async fn open(
        &self,
        spec: &BackendSpec,
        secret: &'static str,
        tenant: Uuid,
    ) -> Result<Arc<dyn ObjectStore>, ApiError> {
        let secret = if spec.needs_secret() {
            let scope = Scope::Tenant(domain::TenantId::from_uuid(tenant));
            let value = self.secrets.get(&scope, &SecretName::well_known(secret), None).await.map_err(|err| {
                ApiError::with_cause(
                    ErrorCode::SECRETS_UNAVAILABLE,
                    "this tenant's storage credentials are unavailable; retry later",
                    anyhow::anyhow!("{err}"),
                )
            })?;
            Some(value.value)
        } else {
            None
        };
        storage::connect(spec, secret, self.platform(), tenant).map_err(storage_error)
    }
}

/// The object holding one upload: a fresh name each time, under the tenant's `objects/`.
pub fn new_object_key() -> ObjectKey {
    #[expect(clippy::expect_used, reason = "a UUID under a fixed prefix is always a valid key")]
    ObjectKey::parse(&format!("objects/{}", Uuid::now_v7().simple())).expect("valid object key")
}
