//! A tenant's storage after provisioning: registering a tenant-hosted backend (an S3-compatible
//! endpoint, an Azure account, a NAS mount) as its primary or fallback — accepted only after a
//! live check that writes, reads back and deletes a probe object — and reading the config back.
//! Credentials go to the tenant's secret scope; the catalog keeps only a reference.

use domain::{TenantId, TenantStatus};
use secrets::{Scope, SecretError, SecretName, SecretString};
use storage::{BackendSpec, FALLBACK_SECRET, PRIMARY_SECRET, StorageConfig};

use crate::{Actor, Provisioner};

/// What an operator asks for.
#[derive(Debug, Clone)]
pub struct RegisterStorage {
    pub primary: BackendSpec,
    pub fallback: Option<BackendSpec>,
    /// `None`: on for NAS and local platform storage, off for S3 and Azure.
    pub encrypted: Option<bool>,
    /// New credentials; a backend needing one and not given one keeps the stored one.
    pub primary_secret: Option<SecretString>,
    pub fallback_secret: Option<SecretString>,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageAdminError {
    /// A field is wrong before anything is tried (`field`: `primary`, `fallback`, …).
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The live check failed.
    #[error("{field}: {message}")]
    CheckFailed { field: &'static str, message: String },
    /// The tenant already has files stored in a way the change would strand (another primary,
    /// sealed or not), or objects waiting on its current fallback.
    #[error("{0}")]
    WouldStrand(String),
    #[error("the tenant is not active or suspended")]
    NotLive,
    #[error("the platform has no storage configured")]
    NoPlatform,
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// A tenant's storage as the control plane shows it (never with secrets).
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StorageView {
    #[serde(flatten)]
    pub config: StorageConfig,
    pub health: String,
    pub health_detail: Option<String>,
    pub checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

pub async fn tenant_storage(provisioner: &Provisioner, id: TenantId) -> Result<Option<StorageView>, StorageAdminError> {
    let Some(record) = provisioner.catalog().storage_config(id.as_uuid()).await? else { return Ok(None) };
    let config = serde_json::from_value(record.config).map_err(anyhow::Error::from)?;
    Ok(Some(StorageView {
        config,
        health: record.health,
        health_detail: record.health_detail,
        checked_at: record.checked_at,
    }))
}

/// Checks and stores a tenant's storage backends.
pub async fn register_storage(
    provisioner: &Provisioner,
    id: TenantId,
    req: RegisterStorage,
    actor: &Actor,
) -> Result<StorageView, StorageAdminError> {
    let tenant = provisioner.catalog().tenant(id).await?;
    if ![TenantStatus::Active.as_str(), TenantStatus::Suspended.as_str()].contains(&tenant.status.as_str()) {
        return Err(StorageAdminError::NotLive);
    }
    let invalid = |field, message| StorageAdminError::Invalid { field, message };
    req.primary.validate().map_err(|m| invalid("primary", m))?;
    if let Some(fallback) = &req.fallback {
        fallback.validate().map_err(|m| invalid("fallback", m))?;
        if *fallback == req.primary {
            return Err(invalid("fallback", "must differ from the primary".into()));
        }
    }
    let platform = provisioner.storage_platform();
    let uses_platform = req.primary == BackendSpec::Platform || req.fallback.as_ref() == Some(&BackendSpec::Platform);
    if uses_platform && platform.is_none() {
        return Err(StorageAdminError::NoPlatform);
    }
    let encrypted = req.encrypted.unwrap_or_else(|| req.primary.encrypt_by_default(platform));
    if let Some(current) = tenant_storage(provisioner, id).await? {
        let (files, queued) = provisioner.tenant_storage_counts(id).await?;
        if files > 0 && current.config.primary != req.primary {
            return Err(StorageAdminError::WouldStrand(format!(
                "the tenant has {files} files on its current primary; moving them is not supported yet"
            )));
        }
        if files > 0 && current.config.encrypted != encrypted {
            return Err(StorageAdminError::WouldStrand(format!(
                "the tenant has {files} files stored {}; encryption cannot change under them",
                if current.config.encrypted { "sealed" } else { "unsealed" }
            )));
        }
        if queued > 0 && current.config.fallback != req.fallback {
            return Err(StorageAdminError::WouldStrand(format!(
                "{queued} objects on the current fallback still wait for the primary"
            )));
        }
    }

    let scope = Scope::Tenant(id);
    let primary_secret = secret_for(provisioner, &scope, &req.primary, req.primary_secret, PRIMARY_SECRET).await?;
    let fallback_secret = match &req.fallback {
        Some(spec) => secret_for(provisioner, &scope, spec, req.fallback_secret, FALLBACK_SECRET).await?,
        None => None,
    };
    // The live checks, before anything is stored.
    let tenant_id = id.as_uuid();
    let mut checked = vec![("primary", &req.primary, primary_secret.clone())];
    if let Some(spec) = &req.fallback {
        checked.push(("fallback", spec, fallback_secret.clone()));
    }
    for (field, spec, secret) in &checked {
        let store = storage::connect_for_check(spec, secret.clone(), platform, tenant_id)
            .map_err(|message| StorageAdminError::CheckFailed { field, message })?;
        let create = |store| async move {
            storage::create_space(spec, store, platform, tenant_id)
                .await
                .map_err(|e| StorageAdminError::CheckFailed { field, message: e.to_string() })
        };
        // The platform's space may need creating (an Azure container) before it can be probed;
        // a tenant-hosted one is probed first, so a refusal is reported as such.
        if **spec == BackendSpec::Platform {
            create(store.clone()).await?;
        }
        storage::probe(store.clone(), tenant_id)
            .await
            .map_err(|message| StorageAdminError::CheckFailed { field, message })?;
        if **spec != BackendSpec::Platform {
            create(store).await?;
        }
    }
    for (name, spec, secret) in [
        (PRIMARY_SECRET, Some(&req.primary), primary_secret),
        (FALLBACK_SECRET, req.fallback.as_ref(), fallback_secret),
    ] {
        if let (Some(spec), Some(secret)) = (spec, secret)
            && spec.needs_secret()
        {
            put_secret(provisioner, &scope, name, &secret).await?;
        }
    }
    let config = StorageConfig { primary: req.primary, fallback: req.fallback, encrypted };
    provisioner
        .catalog()
        .replace_storage_config(tenant_id, serde_json::to_value(&config).map_err(anyhow::Error::from)?)
        .await?;
    provisioner
        .audit(
            actor,
            "tenant.storage",
            id,
            serde_json::json!({
                "primary": config.primary.kind(),
                "fallback": config.fallback.as_ref().map(BackendSpec::kind),
                "encrypted": config.encrypted,
            }),
        )
        .await;
    tenant_storage(provisioner, id).await?.ok_or_else(|| anyhow::anyhow!("storage config vanished").into())
}

/// The secret to check a spec with: the one given, else the stored one.
async fn secret_for(
    provisioner: &Provisioner,
    scope: &Scope,
    spec: &BackendSpec,
    given: Option<SecretString>,
    name: &'static str,
) -> Result<Option<SecretString>, StorageAdminError> {
    if !spec.needs_secret() {
        return Ok(None);
    }
    if given.is_some() {
        return Ok(given);
    }
    match provisioner.secrets().get(scope, &SecretName::well_known(name), None).await {
        Ok(v) => Ok(Some(v.value)),
        Err(SecretError::NotFound) => Err(StorageAdminError::Invalid {
            field: if name == PRIMARY_SECRET { "secrets.primary" } else { "secrets.fallback" },
            message: format!("a {} backend needs its secret", spec.kind()),
        }),
        Err(err) => Err(anyhow::Error::from(err).into()),
    }
}

async fn put_secret(
    provisioner: &Provisioner,
    scope: &Scope,
    name: &'static str,
    secret: &SecretString,
) -> Result<(), StorageAdminError> {
    use secrets::ExposeSecret;
    let name = SecretName::well_known(name);
    let current = match provisioner.secrets().get(scope, &name, None).await {
        Ok(v) if v.value.expose_secret() == secret.expose_secret() => return Ok(()),
        Ok(v) => v.version,
        Err(SecretError::NotFound) => 0,
        Err(err) => return Err(anyhow::Error::from(err).into()),
    };
    provisioner
        .secrets()
        .put(scope, &name, secret.expose_secret(), Some(current))
        .await
        .map_err(anyhow::Error::from)?;
    Ok(())
}

/// Probes every tenant-hosted backend once (write, read back, delete a probe object) and records
/// the outcome in the catalog: `ok`, `degraded` (the primary fails, the fallback answers) or
/// `failing`. Returns how many tenants were probed.
pub async fn probe_storage_health(provisioner: &Provisioner) -> anyhow::Result<usize> {
    let records = provisioner.catalog().hosted_storage_configs().await?;
    for record in &records {
        let config: StorageConfig = match serde_json::from_value(record.config.clone()) {
            Ok(c) => c,
            Err(err) => {
                tracing::warn!(tenant.id = %record.tenant_id, error = %err, "unreadable storage config");
                continue;
            }
        };
        let id = TenantId::from_uuid(record.tenant_id);
        let scope = Scope::Tenant(id);
        let platform = provisioner.storage_platform();
        let mut failed = Vec::new();
        let backends = [
            ("primary", Some(&config.primary), PRIMARY_SECRET),
            ("fallback", config.fallback.as_ref(), FALLBACK_SECRET),
        ];
        for (field, spec, secret_name) in backends {
            let Some(spec) = spec else { continue };
            let secret = if spec.needs_secret() {
                provisioner
                    .secrets()
                    .get(&scope, &SecretName::well_known(secret_name), None)
                    .await
                    .ok()
                    .map(|v| v.value)
            } else {
                None
            };
            let outcome = match storage::connect_for_check(spec, secret, platform, record.tenant_id) {
                Ok(store) => storage::probe(store, record.tenant_id).await,
                Err(message) => Err(message),
            };
            if let Err(message) = outcome {
                failed.push((field, message));
            }
        }
        let health = match (failed.first(), failed.len()) {
            (None, _) => "ok",
            (Some(("primary", _)), 1) if config.fallback.is_some() => "degraded",
            _ => "failing",
        };
        let detail = (!failed.is_empty())
            .then(|| failed.iter().map(|(f, m)| format!("{f}: {m}")).collect::<Vec<_>>().join("; "));
        if health != "ok" {
            tracing::warn!(tenant.id = %record.tenant_id, health, detail = detail.as_deref().unwrap_or(""), "tenant storage unhealthy");
        }
        provisioner.catalog().set_storage_health(record.tenant_id, health, detail).await?;
    }
    Ok(records.len())
}

/// Probes tenant-hosted storage every `every` until `shutdown` resolves.
pub async fn run_storage_prober(
    provisioner: Provisioner,
    every: std::time::Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    crate::run_every(every, shutdown, || async {
        if let Err(err) = probe_storage_health(&provisioner).await {
            tracing::warn!(error = %format!("{err:#}"), "storage health probe failed");
        }
    })
    .await;
}
