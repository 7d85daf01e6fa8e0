//! Tenant data keys: each tenant has a versioned 256-bit key in the secret store
//! (`crypto/data-key`) that seals secrets the tenant's own database holds — webhook signing
//! secrets, connector credentials — so a copy of the tenant database alone reveals none of
//! them, and offboarding (which destroys the tenant's secrets) shreds them.
//!
//! The newest version seals; every version opens what it sealed (a ciphertext names its key by
//! fingerprint), so a key rotates without rewriting rows first. The tenant plane only reads
//! the keys: they are created at provisioning (and by `tenantry migrate run` for older tenants).

use std::sync::Arc;

use crate::{Keyring, Scope, SecretError, SecretName, SecretStore, SecretString};

/// The secret holding a tenant's data keys.
pub const DATA_KEY: &str = "crypto/data-key";
/// Versions kept openable (older ones must have been re-sealed before they are pruned).
const OPENABLE_VERSIONS: u32 = 16;

fn name() -> SecretName {
    SecretName::well_known(DATA_KEY)
}

/// Tenant data keys in a secret store.
#[derive(Clone)]
pub struct TenantKeys {
    store: Arc<dyn SecretStore>,
}

impl TenantKeys {
    pub fn new(store: Arc<dyn SecretStore>) -> Self {
        Self { store }
    }

    /// Creates the scope's first data key if it has none.
    pub async fn ensure(&self, scope: &Scope) -> Result<(), SecretError> {
        match self.store.put(scope, &name(), &Keyring::generate_base64(), Some(0)).await {
            Ok(_) | Err(SecretError::VersionConflict { .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Adds a new data key version that seals from now on; returns the version.
    pub async fn rotate(&self, scope: &Scope) -> Result<u32, SecretError> {
        let current = self.store.get(scope, &name(), None).await?.version;
        self.store.put(scope, &name(), &Keyring::generate_base64(), Some(current)).await
    }

    /// The scope's data keys as a keyring: the newest seals, all open.
    pub async fn keyring(&self, scope: &Scope) -> Result<TenantSealer, SecretError> {
        use secrecy::ExposeSecret;
        let latest = self.store.get(scope, &name(), None).await?;
        let mut keys = vec![latest.value.expose_secret().to_owned()];
        let oldest = latest.version.saturating_sub(OPENABLE_VERSIONS).max(1);
        for version in (oldest..latest.version).rev() {
            match self.store.get(scope, &name(), Some(version)).await {
                Ok(v) => keys.push(v.value.expose_secret().to_owned()),
                Err(SecretError::NotFound) => break,
                Err(err) => return Err(err),
            }
        }
        let keyring = Keyring::from_base64(&keys.join(","))
            .map_err(|err| SecretError::Unavailable(anyhow::anyhow!("tenant data key is malformed: {err}")))?;
        Ok(TenantSealer { keyring })
    }
}

/// Seals and opens one tenant's secrets. `context` binds a ciphertext to its place (e.g.
/// `webhook/<id>/secret`): moved elsewhere, it does not open.
#[derive(Clone)]
pub struct TenantSealer {
    keyring: Keyring,
}

impl TenantSealer {
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String, SecretError> {
        self.keyring.seal(context, plaintext).map_err(|err| SecretError::Unavailable(anyhow::anyhow!("seal: {err}")))
    }

    pub fn open(&self, context: &str, sealed: &str) -> Result<SecretString, SecretError> {
        self.keyring.open(context, sealed).map_err(|err| SecretError::Unavailable(anyhow::anyhow!("open: {err}")))
    }

    /// Seals raw bytes (a per-object data key).
    pub fn seal_bytes(&self, context: &str, plaintext: &[u8]) -> Result<String, SecretError> {
        self.keyring
            .seal_bytes(context, plaintext)
            .map_err(|err| SecretError::Unavailable(anyhow::anyhow!("seal: {err}")))
    }

    /// Opens raw bytes sealed for the same `context`.
    pub fn open_bytes(&self, context: &str, sealed: &str) -> Result<Vec<u8>, SecretError> {
        self.keyring.open_bytes(context, sealed).map_err(|err| SecretError::Unavailable(anyhow::anyhow!("open: {err}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_in_its_context_and_after_rotation() {
        use secrecy::ExposeSecret;
        let old = Keyring::generate_base64();
        let new = Keyring::generate_base64();
        let before = TenantSealer { keyring: Keyring::from_base64(&old).unwrap() };
        let sealed = before.seal("webhook/1/secret", "whsec_abc").unwrap();
        let after = TenantSealer { keyring: Keyring::from_base64(&format!("{new},{old}")).unwrap() };
        assert_eq!(after.open("webhook/1/secret", &sealed).unwrap().expose_secret(), "whsec_abc");
        assert!(after.open("webhook/2/secret", &sealed).is_err());
        assert!(!after.seal("x", "y").unwrap().contains(before.keyring.active_key_id()));
    }
}
