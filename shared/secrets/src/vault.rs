//! The Vault backend (HashiCorp Vault or OpenBao, via `vaultrs`): KV v2 under
//! `<mount>/<prefix>/tenants/<tenant-id>/…` and `<mount>/<prefix>/platform/…`, one read-only
//! policy per tenant (written when the tenant's scope is prepared, deleted when it is
//! destroyed), versions and check-and-set from KV v2 itself.
//!
//! Authentication: a token, or an AppRole login. A background task renews the token before its
//! lease runs out and, for AppRole, logs in again when renewal is refused.

use std::{
    sync::{Arc, RwLock, Weak},
    time::Duration,
};

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

/// How a [`VaultStore`] authenticates.
#[derive(Clone)]
pub enum VaultAuth {
    /// A token (renewed in the background when it is renewable).
    Token(secrecy::SecretString),
    /// An AppRole login at `mount` (usually `approle`).
    AppRole { mount: String, role_id: String, secret_id: secrecy::SecretString },
}

impl From<String> for VaultAuth {
    fn from(token: String) -> Self {
        Self::Token(token.into())
    }
}

/// Settings of a [`VaultStore`].
#[derive(Clone)]
pub struct VaultConfig {
    pub address: String,
    pub auth: VaultAuth,
    /// KV v2 mount, e.g. `secret`.
    pub mount: String,
    /// Path prefix under the mount, e.g. `tenantry`.
    pub prefix: String,
}

#[derive(Clone)]
pub struct VaultStore {
    /// Swapped when the token changes (AppRole re-login).
    client: Arc<RwLock<Arc<VaultClient>>>,
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

/// Renew when this fraction of a lease has passed.
const RENEW_AT: f64 = 0.6;
/// Never renew more often than this (short test leases).
const MIN_RENEW_INTERVAL: Duration = Duration::from_millis(500);

fn client_with_token(address: &str, token: &str) -> Result<VaultClient, SecretError> {
    let settings = VaultClientSettingsBuilder::default().address(address).token(token).build().map_err(unavailable)?;
    VaultClient::new(settings).map_err(unavailable)
}

/// Logs in as configured; returns the client, the token's lease (zero: never expires) and
/// whether it can be renewed.
async fn login(config: &VaultConfig) -> Result<(VaultClient, Duration, bool), SecretError> {
    use secrecy::ExposeSecret;
    match &config.auth {
        VaultAuth::Token(token) => {
            let client = client_with_token(&config.address, token.expose_secret())?;
            // A token without the default policy may not look itself up: then it is not renewed.
            let (lease, renewable) = match vaultrs::token::lookup_self(&client).await {
                Ok(info) => (Duration::from_secs(info.ttl), info.renewable.unwrap_or(false)),
                Err(_) => (Duration::ZERO, false),
            };
            Ok((client, lease, renewable))
        }
        VaultAuth::AppRole { mount, role_id, secret_id } => {
            let anonymous = client_with_token(&config.address, "")?;
            let auth = vaultrs::auth::approle::login(&anonymous, mount, role_id, secret_id.expose_secret())
                .await
                .map_err(map_error)?;
            let client = client_with_token(&config.address, &auth.client_token)?;
            Ok((client, Duration::from_secs(auth.lease_duration), auth.renewable))
        }
    }
}

impl VaultStore {
    /// Logs in and, when the token expires, keeps it alive in the background.
    pub async fn connect(config: &VaultConfig) -> Result<Self, SecretError> {
        let (client, lease, renewable) = login(config).await?;
        let store = Self {
            client: Arc::new(RwLock::new(Arc::new(client))),
            mount: config.mount.clone(),
            prefix: config.prefix.trim_matches('/').to_owned(),
        };
        if lease > Duration::ZERO {
            tokio::spawn(keep_token_alive(Arc::downgrade(&store.client), config.clone(), lease, renewable));
        }
        Ok(store)
    }

    fn client(&self) -> Arc<VaultClient> {
        match self.client.read() {
            Ok(client) => client.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
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
        match kv2::read_metadata(self.client().as_ref(), &self.mount, path).await {
            Ok(meta) => Ok(u32::try_from(meta.current_version).unwrap_or(u32::MAX)),
            Err(ClientError::APIError { code: 404, .. }) => Ok(0),
            Err(err) => Err(map_error(err)),
        }
    }

    async fn list_under(&self, path: &str) -> Result<Vec<String>, SecretError> {
        let mut names = Vec::new();
        let mut folders = vec![String::new()];
        while let Some(folder) = folders.pop() {
            let keys = match kv2::list(self.client().as_ref(), &self.mount, &format!("{path}/{folder}")).await {
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
            sys::policy::set(self.client().as_ref(), &name, &self.tenant_policy(scope)).await.map_err(map_error)?;
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
        let response = api::exec_with_result(self.client().as_ref(), endpoint).await.map_err(map_error)?;
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
                    self.client().as_ref(),
                    &self.mount,
                    &path,
                    &payload,
                    SetSecretRequestOptions { cas },
                )
                .await
            }
            None => kv2::set(self.client().as_ref(), &self.mount, &path, &payload).await,
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
        match kv2::delete_metadata(self.client().as_ref(), &self.mount, &self.path(scope, name)).await {
            Ok(()) | Err(ClientError::APIError { code: 404, .. }) => Ok(()),
            Err(err) => Err(map_error(err)),
        }
    }

    async fn destroy_scope(&self, scope: &Scope) -> Result<(), SecretError> {
        let base = self.scope_path(scope);
        for name in self.list_under(&base).await? {
            match kv2::delete_metadata(self.client().as_ref(), &self.mount, &format!("{base}/{name}")).await {
                Ok(()) | Err(ClientError::APIError { code: 404, .. }) => {}
                Err(err) => return Err(map_error(err)),
            }
        }
        if let Some(policy) = self.tenant_policy_name(scope) {
            match sys::policy::delete(self.client().as_ref(), &policy).await {
                Ok(()) | Err(ClientError::APIError { code: 404, .. }) => {}
                Err(err) => return Err(map_error(err)),
            }
        }
        Ok(())
    }
}

/// Renews the token at 60% of its lease; if renewal is refused (max TTL reached, token revoked)
/// and the store logs in with AppRole, logs in again. Ends when the store is dropped.
async fn keep_token_alive(
    client: Weak<RwLock<Arc<VaultClient>>>,
    config: VaultConfig,
    lease: Duration,
    renewable: bool,
) {
    let mut lease = lease;
    let mut renewable = renewable;
    loop {
        tokio::time::sleep(lease.mul_f64(RENEW_AT).max(MIN_RENEW_INTERVAL)).await;
        let Some(slot) = client.upgrade() else { return };
        let current = match slot.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        let renewed = if renewable { vaultrs::token::renew_self(current.as_ref(), None).await.ok() } else { None };
        match renewed {
            Some(info) if info.lease_duration > 0 => {
                lease = Duration::from_secs(info.lease_duration);
            }
            _ if matches!(config.auth, VaultAuth::AppRole { .. }) => match login(&config).await {
                Ok((fresh, fresh_lease, fresh_renewable)) => {
                    if let Ok(mut guard) = slot.write() {
                        *guard = Arc::new(fresh);
                    }
                    lease = fresh_lease.max(MIN_RENEW_INTERVAL);
                    renewable = fresh_renewable;
                    tracing::info!("logged in to Vault again with AppRole");
                }
                Err(err) => {
                    tracing::warn!(error = %err, "Vault AppRole login failed; retrying");
                    lease = MIN_RENEW_INTERVAL * 4;
                }
            },
            _ => {
                tracing::warn!("Vault token could not be renewed; it will expire");
                return;
            }
        }
    }
}
