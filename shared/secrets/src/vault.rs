//! The Vault backend (HashiCorp Vault or OpenBao, via `vaultrs`): KV v2 under
//! `<mount>/<prefix>/tenants/<tenant-id>/…` and `<mount>/<prefix>/platform/…`, one read-only
//! policy per tenant (written when the tenant's scope is prepared, deleted when it is
//! destroyed), versions and check-and-set from KV v2 itself.

use std::sync::Arc;

use vaultrs::{
    api::{
        self,
        kv2::requests::{ReadSecretRequest, SetSecretRequestOptions},
    },
    client::{VaultClient, VaultClientSettingsBuilder},
    error::ClientError,
    kv2, sys,
};

use crate::store::{Scope, SecretError, SecretName, SecretStore, Versioned};

/// Settings of a [`VaultStore`].
#[derive(Clone)]
pub struct VaultConfig {
    pub address: String,
    pub token: secrecy::SecretString,
    /// KV v2 mount, e.g. `secret`.
    pub mount: String,
    /// Path prefix under the mount, e.g. `tenantry`.
    pub prefix: String,
}

#[derive(Clone)]
pub struct VaultStore {
    client: Arc<VaultClient>,
    mount: String,
    prefix: String,
}

impl std::fmt::Debug for VaultStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultStore").field("mount", &self.mount).field("prefix", &self.prefix).finish_non_exhaustive()
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Payload {
    value: String,
}

fn unavailable(err: impl Into<anyhow::Error>) -> SecretError {
    SecretError::Unavailable(err.into())
}

fn map_error(err: ClientError) -> SecretError {
    match err {
        ClientError::APIError { code: 404, .. } => SecretError::NotFound,
        ClientError::APIError { code: 403, .. } => SecretError::Forbidden,
        other => unavailable(other),
    }
}

impl VaultStore {
    pub fn new(config: &VaultConfig) -> Result<Self, SecretError> {
        use secrecy::ExposeSecret;
        let settings = VaultClientSettingsBuilder::default()
            .address(&config.address)
            .token(config.token.expose_secret())
            .build()
            .map_err(unavailable)?;
        let client = VaultClient::new(settings).map_err(unavailable)?;
        Ok(Self {
            client: Arc::new(client),
            mount: config.mount.clone(),
            prefix: config.prefix.trim_matches('/').to_owned(),
        })
    }

    fn scope_path(&self, scope: &Scope) -> String {
        match scope {
            Scope::Tenant(id) => format!("{}/tenants/{id}", self.prefix),
            Scope::Platform => format!("{}/platform", self.prefix),
        }
    }

    fn path(&self, scope: &Scope, name: &SecretName) -> String {
        format!("{}/{name}", self.scope_path(scope))
    }

    /// Name of the policy that lets a tenant-plane token read one tenant's secrets.
    pub fn tenant_policy_name(&self, scope: &Scope) -> Option<String> {
        match scope {
            Scope::Tenant(id) => Some(format!("{}-tenant-{id}", self.prefix.replace('/', "-"))),
            Scope::Platform => None,
        }
    }

    /// The policy of a tenant-plane worker: read every tenant's secrets (it serves them all),
    /// nothing of the platform's, no writes. Install it with the name of your choice.
    pub fn tenant_plane_policy(&self) -> String {
        format!(
            "path \"{mount}/data/{prefix}/tenants/*\" {{\n  capabilities = [\"read\"]\n}}\n",
            mount = self.mount,
            prefix = self.prefix
        )
    }

    fn tenant_policy(&self, scope: &Scope) -> String {
        format!(
            "path \"{mount}/data/{path}/*\" {{\n  capabilities = [\"read\"]\n}}\n",
            mount = self.mount,
            path = self.scope_path(scope)
        )
    }

    async fn current_version(&self, path: &str) -> Result<u32, SecretError> {
        match kv2::read_metadata(self.client.as_ref(), &self.mount, path).await {
            Ok(meta) => Ok(u32::try_from(meta.current_version).unwrap_or(u32::MAX)),
            Err(ClientError::APIError { code: 404, .. }) => Ok(0),
            Err(err) => Err(map_error(err)),
        }
    }

    async fn list_under(&self, path: &str) -> Result<Vec<String>, SecretError> {
        let mut names = Vec::new();
        let mut folders = vec![String::new()];
        while let Some(folder) = folders.pop() {
            let keys = match kv2::list(self.client.as_ref(), &self.mount, &format!("{path}/{folder}")).await {
                Ok(keys) => keys,
                Err(ClientError::APIError { code: 404, .. }) => continue,
                Err(err) => return Err(map_error(err)),
            };
            for key in keys {
                match key.strip_suffix('/') {
                    Some(sub) => folders.push(format!("{folder}{sub}/")),
                    None => names.push(format!("{folder}{key}")),
                }
            }
        }
        names.sort();
        Ok(names)
    }
}

#[async_trait::async_trait]
impl SecretStore for VaultStore {
    async fn ensure_scope(&self, scope: &Scope) -> Result<(), SecretError> {
        if let Some(name) = self.tenant_policy_name(scope) {
            sys::policy::set(self.client.as_ref(), &name, &self.tenant_policy(scope)).await.map_err(map_error)?;
        }
        Ok(())
    }

    async fn get(&self, scope: &Scope, name: &SecretName, version: Option<u32>) -> Result<Versioned, SecretError> {
        let mut request = ReadSecretRequest::builder();
        request.mount(&self.mount).path(self.path(scope, name));
        if let Some(v) = version {
            request.version(Some(u64::from(v)));
        }
        let endpoint = request.build().map_err(unavailable)?;
        let response = api::exec_with_result(self.client.as_ref(), endpoint).await.map_err(map_error)?;
        let payload: Payload = serde_json::from_value(response.data).map_err(unavailable)?;
        Ok(Versioned {
            version: u32::try_from(response.metadata.version).unwrap_or(u32::MAX),
            value: payload.value.into(),
        })
    }

    async fn put(&self, scope: &Scope, name: &SecretName, value: &str, cas: Option<u32>) -> Result<u32, SecretError> {
        let path = self.path(scope, name);
        let payload = Payload { value: value.to_owned() };
        let result = match cas {
            Some(cas) => {
                kv2::set_with_options(
                    self.client.as_ref(),
                    &self.mount,
                    &path,
                    &payload,
                    SetSecretRequestOptions { cas },
                )
                .await
            }
            None => kv2::set(self.client.as_ref(), &self.mount, &path, &payload).await,
        };
        match result {
            Ok(meta) => Ok(u32::try_from(meta.version).unwrap_or(u32::MAX)),
            // KV v2 answers a failed check-and-set with 400.
            Err(ClientError::APIError { code: 400, errors }) if errors.iter().any(|e| e.contains("check-and-set")) => {
                let actual = self.current_version(&path).await?;
                Err(SecretError::VersionConflict { expected: cas.unwrap_or(0), actual })
            }
            Err(err) => Err(map_error(err)),
        }
    }

    async fn list(&self, scope: &Scope) -> Result<Vec<SecretName>, SecretError> {
        self.list_under(&self.scope_path(scope)).await?.iter().map(|n| SecretName::parse(n)).collect()
    }

    async fn delete(&self, scope: &Scope, name: &SecretName) -> Result<(), SecretError> {
        match kv2::delete_metadata(self.client.as_ref(), &self.mount, &self.path(scope, name)).await {
            Ok(()) | Err(ClientError::APIError { code: 404, .. }) => Ok(()),
            Err(err) => Err(map_error(err)),
        }
    }

    async fn destroy_scope(&self, scope: &Scope) -> Result<(), SecretError> {
        let base = self.scope_path(scope);
        for name in self.list_under(&base).await? {
            match kv2::delete_metadata(self.client.as_ref(), &self.mount, &format!("{base}/{name}")).await {
                Ok(()) | Err(ClientError::APIError { code: 404, .. }) => {}
                Err(err) => return Err(map_error(err)),
            }
        }
        if let Some(policy) = self.tenant_policy_name(scope) {
            match sys::policy::delete(self.client.as_ref(), &policy).await {
                Ok(()) | Err(ClientError::APIError { code: 404, .. }) => {}
                Err(err) => return Err(map_error(err)),
            }
        }
        Ok(())
    }
}
