//! The secret-store interface: versioned secrets per scope (a tenant, or the platform), with
//! check-and-set writes. Backends: [`crate::LocalStore`] (envelope encryption in the catalog)
//! and [`crate::VaultStore`] (Vault or OpenBao KV v2).

use std::fmt;

use domain::TenantId;
use secrecy::SecretString;

use crate::KeyringError;

/// Whose secret it is. Every tenant's secrets are encrypted with that tenant's own data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Tenant(TenantId),
    Platform,
}

impl Scope {
    /// `tenant/<id>` or `platform`.
    pub fn key(&self) -> String {
        match self {
            Scope::Tenant(id) => format!("tenant/{id}"),
            Scope::Platform => "platform".to_owned(),
        }
    }
}

/// A secret's name within its scope: `[a-z0-9][a-z0-9/_.-]*`, at most 200 bytes, no `..`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SecretName(String);

impl SecretName {
    pub fn parse(s: &str) -> Result<Self, SecretError> {
        let ok = (1..=200).contains(&s.len())
            && s.bytes().next().is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"/_.-".contains(&b))
            && !s.contains("..")
            && !s.ends_with('/');
        if ok { Ok(Self(s.to_owned())) } else { Err(SecretError::InvalidName(s.to_owned())) }
    }

    /// A name fixed in the code (e.g. `db-password`); checked in debug builds and tests.
    pub fn well_known(name: &'static str) -> Self {
        debug_assert!(Self::parse(name).is_ok(), "invalid well-known secret name {name}");
        Self(name.to_owned())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The secret holding a tenant role's database password.
pub const DB_PASSWORD: &str = "db-password";

/// The secret holding, in a tenant's scope, the client certificate and key (one PEM bundle)
/// the tenant's connections present to database server `server` (a copy of the server's own,
/// so the tenant plane reads it with the tenant's other credentials).
pub fn db_client_identity(server: uuid::Uuid) -> SecretName {
    SecretName(format!("db-client-identity/{server}"))
}

impl fmt::Display for SecretName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A secret value and its version.
#[derive(Debug, Clone)]
pub struct Versioned {
    pub version: u32,
    pub value: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("secret not found")]
    NotFound,
    #[error("secret changed concurrently: expected version {expected}, found {actual}")]
    VersionConflict { expected: u32, actual: u32 },
    #[error("invalid secret name `{0}`")]
    InvalidName(String),
    #[error("not allowed to access this secret")]
    Forbidden,
    #[error("secret cannot be decrypted")]
    Crypto(#[from] KeyringError),
    #[error("secret store unavailable")]
    Unavailable(#[source] anyhow::Error),
}

impl SecretError {
    /// Whether retrying the same call may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A versioned secret store.
#[async_trait::async_trait]
pub trait SecretStore: Send + Sync + fmt::Debug {
    /// Prepares a scope before its first secret (local: its data key; Vault: the tenant's
    /// read policy). Idempotent.
    async fn ensure_scope(&self, scope: &Scope) -> Result<(), SecretError>;

    /// The newest version, or the given one.
    async fn get(&self, scope: &Scope, name: &SecretName, version: Option<u32>) -> Result<Versioned, SecretError>;

    /// Writes a new version and returns its number. With `cas`, the newest version must be
    /// `cas` (0: the secret must not exist yet), otherwise `VersionConflict`.
    async fn put(&self, scope: &Scope, name: &SecretName, value: &str, cas: Option<u32>) -> Result<u32, SecretError>;

    /// Names of the secrets in a scope.
    async fn list(&self, scope: &Scope) -> Result<Vec<SecretName>, SecretError>;

    /// Deletes every version of a secret.
    async fn delete(&self, scope: &Scope, name: &SecretName) -> Result<(), SecretError>;

    /// Destroys a scope: its key and every secret in it (crypto-shredding: whatever
    /// ciphertext is left anywhere can no longer be decrypted).
    async fn destroy_scope(&self, scope: &Scope) -> Result<(), SecretError>;
}

/// Writes `value` as a new version of `name` unless it already is the newest one (settings
/// written again at every start, copies refreshed on every change). Returns whether it wrote.
pub async fn put_if_changed(
    store: &dyn SecretStore,
    scope: &Scope,
    name: &SecretName,
    value: &str,
) -> Result<bool, SecretError> {
    use secrecy::ExposeSecret;
    match store.get(scope, name, None).await {
        Ok(current) if current.value.expose_secret() == value => return Ok(false),
        Ok(_) | Err(SecretError::NotFound) => {}
        Err(err) => return Err(err),
    }
    store.put(scope, name, value, None).await.map(|_| true)
}

/// Deletes `name`; one that is not there is already deleted.
pub async fn delete_if_present(store: &dyn SecretStore, scope: &Scope, name: &SecretName) -> Result<(), SecretError> {
    match store.delete(scope, name).await {
        Ok(()) | Err(SecretError::NotFound) => Ok(()),
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_restricted() {
        for ok in ["db-password", "webhooks/abc/signing-key", "a", "k1.v2"] {
            assert!(SecretName::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-x", "A", "a b", "../x", "a/../b", "a/", "/a", "a\\b", &"a".repeat(201)] {
            assert!(SecretName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
