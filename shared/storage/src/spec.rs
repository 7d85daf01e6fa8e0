//! Where a tenant's objects live: the catalog's storage config (a primary, an optional fallback,
//! client-side encryption on or off), the platform's own backend, and turning both into a store.
//!
//! Secrets never sit in a spec: an S3 secret key, an Azure account key or SAS token is kept in the
//! tenant's secret scope (`storage/primary`, `storage/fallback`) and handed to [`connect`].

use std::{path::PathBuf, sync::Arc};

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{AzureCredential, AzureSettings, AzureStore, LocalStore, ObjectStore, S3Settings, S3Store, StorageError};

/// One backend of a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
// Fields are renamed per variant (`rename_all_fields` would do, but the OpenAPI generator
// ignores it and would document snake_case names).
#[serde(tag = "kind", rename_all = "camelCase", deny_unknown_fields)]
pub enum BackendSpec {
    /// The platform's own backend: a folder (local), a prefix of the shared bucket (S3) or a
    /// container of its own (Azure).
    Platform,
    /// A directory the platform's hosts mount: an on-prem NAS or NFS share.
    #[serde(rename_all = "camelCase")]
    Nas { root: String },
    /// An S3-compatible endpoint the tenant hosts (or AWS itself when `endpoint` is absent).
    #[serde(rename_all = "camelCase")]
    S3 {
        endpoint: Option<String>,
        region: String,
        bucket: String,
        #[serde(default)]
        path_style: bool,
        access_key_id: String,
        /// `AES256` or `aws:kms` server-side encryption requested on every write.
        #[serde(default)]
        server_side_encryption: Option<String>,
    },
    /// An Azure Blob account the tenant hosts; the container must exist.
    #[serde(rename_all = "camelCase")]
    Azure { endpoint: Option<String>, account: String, container: String, auth: AzureAuth },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub enum AzureAuth {
    SharedKey,
    Sas,
}

impl BackendSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            BackendSpec::Platform => "platform",
            BackendSpec::Nas { .. } => "nas",
            BackendSpec::S3 { .. } => "s3",
            BackendSpec::Azure { .. } => "azure",
        }
    }

    /// Whether connecting needs a secret (an S3 secret key, an Azure key or SAS token).
    pub fn needs_secret(&self) -> bool {
        matches!(self, BackendSpec::S3 { .. } | BackendSpec::Azure { .. })
    }

    /// Objects on disks the platform does not encrypt for us are sealed by default.
    pub fn encrypt_by_default(&self, platform: Option<&Platform>) -> bool {
        match self {
            BackendSpec::Nas { .. } => true,
            BackendSpec::Platform => matches!(platform, Some(Platform::Local { .. })),
            BackendSpec::S3 { .. } | BackendSpec::Azure { .. } => false,
        }
    }

    /// Checks the fields a spec can get wrong before any connection is tried.
    pub fn validate(&self) -> Result<(), String> {
        let url_ok = |endpoint: &Option<String>| match endpoint {
            None => Ok(()),
            Some(e) => match url::Url::parse(e) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
                _ => Err(format!("endpoint `{e}` is not an http(s) URL")),
            },
        };
        match self {
            BackendSpec::Platform => Ok(()),
            BackendSpec::Nas { root } if !root.starts_with('/') => Err("root must be an absolute path".into()),
            BackendSpec::Nas { root } if root.split('/').any(|p| p == "..") => Err("root must not contain `..`".into()),
            BackendSpec::Nas { .. } => Ok(()),
            BackendSpec::S3 { endpoint, region, bucket, access_key_id, server_side_encryption, .. } => {
                url_ok(endpoint)?;
                let bucket_ok = (3..=63).contains(&bucket.len())
                    && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
                if !bucket_ok {
                    return Err(format!("`{bucket}` is not a valid bucket name"));
                }
                if region.is_empty() || access_key_id.is_empty() {
                    return Err("region and accessKeyId are required".into());
                }
                match server_side_encryption.as_deref() {
                    None | Some("AES256" | "aws:kms") => Ok(()),
                    Some(other) => Err(format!("serverSideEncryption `{other}` is not AES256 or aws:kms")),
                }
            }
            BackendSpec::Azure { endpoint, account, container, .. } => {
                url_ok(endpoint)?;
                if account.is_empty() || !account.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err("account must be letters and digits".into());
                }
                let container_ok = (3..=63).contains(&container.len())
                    && container.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
                if !container_ok {
                    return Err(format!("`{container}` is not a valid container name"));
                }
                Ok(())
            }
        }
    }
}

/// A tenant's storage: what the catalog holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageConfig {
    pub primary: BackendSpec,
    #[serde(default)]
    pub fallback: Option<BackendSpec>,
    /// Client-side encryption with the tenant's key.
    pub encrypted: bool,
}

impl StorageConfig {
    /// The platform backend, encrypted when it is a local disk.
    pub fn platform_default(platform: Option<&Platform>) -> Self {
        Self {
            primary: BackendSpec::Platform,
            fallback: None,
            encrypted: BackendSpec::Platform.encrypt_by_default(platform),
        }
    }
}

/// The secret names of a tenant's storage credentials.
pub const PRIMARY_SECRET: &str = "storage/primary";
pub const FALLBACK_SECRET: &str = "storage/fallback";

/// The platform's own backend, configured by the operator (`TENANTRY_STORAGE_*`).
#[derive(Debug, Clone)]
pub enum Platform {
    /// A folder per tenant under `root`.
    Local { root: PathBuf },
    /// A prefix per tenant in one shared bucket.
    S3(S3Settings),
    /// A container per tenant (`tenantry-<id>`) in one account.
    Azure { endpoint: Option<String>, account: String, key: SecretString },
}

impl Platform {
    /// Reads `TENANTRY_STORAGE` (`local`, `s3` or `azure`) and its settings; `None` when unset.
    pub fn from_env() -> Result<Option<Self>, String> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let need = |name: &str| var(name).ok_or_else(|| format!("{name} is required for this storage backend"));
        match var("TENANTRY_STORAGE").as_deref() {
            None => Ok(None),
            Some("local") => Ok(Some(Platform::Local { root: need("TENANTRY_STORAGE_DIR")?.into() })),
            Some("s3") => Ok(Some(Platform::S3(S3Settings {
                endpoint: var("TENANTRY_S3_ENDPOINT"),
                region: var("TENANTRY_S3_REGION").unwrap_or_else(|| "us-east-1".into()),
                bucket: need("TENANTRY_S3_BUCKET")?,
                access_key_id: need("TENANTRY_S3_ACCESS_KEY_ID")?,
                secret_access_key: need("TENANTRY_S3_SECRET_ACCESS_KEY")?.into(),
                path_style: var("TENANTRY_S3_PATH_STYLE").is_some_and(|v| v == "true"),
                server_side_encryption: var("TENANTRY_S3_SSE"),
            }))),
            Some("azure") => Ok(Some(Platform::Azure {
                endpoint: var("TENANTRY_AZURE_ENDPOINT"),
                account: need("TENANTRY_AZURE_ACCOUNT")?,
                key: need("TENANTRY_AZURE_KEY")?.into(),
            })),
            Some(other) => Err(format!("TENANTRY_STORAGE `{other}` is not local, s3 or azure")),
        }
    }

    /// The name of a tenant's container on the platform's Azure account.
    pub fn azure_container(tenant: Uuid) -> String {
        format!("tenantry-{}", tenant.simple())
    }
}

/// Opens the store a spec names for `tenant`. `secret` is the spec's credential, if it needs one.
pub fn connect(
    spec: &BackendSpec,
    secret: Option<SecretString>,
    platform: Option<&Platform>,
    tenant: Uuid,
) -> Result<Arc<dyn ObjectStore>, StorageError> {
    let missing = || StorageError::Refused("the backend's credentials are missing".into());
    Ok(match spec {
        BackendSpec::Platform => match platform {
            None => return Err(StorageError::Unavailable("the platform has no storage configured".into())),
            Some(Platform::Local { root }) => Arc::new(LocalStore::open(root)?),
            Some(Platform::S3(settings)) => Arc::new(S3Store::new(settings)),
            Some(Platform::Azure { endpoint, account, key }) => Arc::new(AzureStore::new(&AzureSettings {
                endpoint: endpoint.clone(),
                account: account.clone(),
                container: Platform::azure_container(tenant),
                credential: AzureCredential::SharedKey(key.clone()),
            })?),
        },
        BackendSpec::Nas { root } => Arc::new(LocalStore::open(root)?),
        BackendSpec::S3 { endpoint, region, bucket, path_style, access_key_id, server_side_encryption } => {
            Arc::new(S3Store::new(&S3Settings {
                endpoint: endpoint.clone(),
                region: region.clone(),
                bucket: bucket.clone(),
                access_key_id: access_key_id.clone(),
                secret_access_key: secret.ok_or_else(missing)?,
                path_style: *path_style,
                server_side_encryption: server_side_encryption.clone(),
            }))
        }
        BackendSpec::Azure { endpoint, account, container, auth } => {
            let secret = secret.ok_or_else(missing)?;
            Arc::new(AzureStore::new(&AzureSettings {
                endpoint: endpoint.clone(),
                account: account.clone(),
                container: container.clone(),
                credential: match auth {
                    AzureAuth::SharedKey => AzureCredential::SharedKey(secret),
                    AzureAuth::Sas => AzureCredential::Sas(secret),
                },
            })?)
        }
    })
}
