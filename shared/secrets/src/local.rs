//! The local secret store: secrets in the catalog, envelope-encrypted. Each scope (tenant or
//! platform) has its own random 256-bit data key, stored only sealed by the master key
//! (associated data `dek:<scope>`). Each secret version is encrypted with its scope's data key
//! under XChaCha20-Poly1305 with associated data `<scope>|<name>|<version>`, so a ciphertext
//! copied to another tenant, name or version does not decrypt. Destroying a scope deletes its
//! data key: crypto-shredding.

use base64::{Engine, engine::general_purpose::STANDARD};
use catalog::{Catalog, CatalogError};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use secrecy::SecretString;

use crate::{
    Keyring, KeyringError,
    store::{Scope, SecretError, SecretName, SecretStore, Versioned},
};

const FORMAT: &str = "v1";
const NONCE_LEN: usize = 24;
/// Concurrent unconditional writers retry this often before giving up.
const PUT_RETRIES: u32 = 5;

#[derive(Clone)]
pub struct LocalStore {
    catalog: Catalog,
    keyring: Keyring,
}

impl std::fmt::Debug for LocalStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalStore").field("keyring", &self.keyring).finish_non_exhaustive()
    }
}

fn backend(err: CatalogError) -> SecretError {
    SecretError::Unavailable(err.into())
}

fn dek_context(scope: &str) -> String {
    format!("dek:{scope}")
}

fn aad(scope: &str, name: &SecretName, version: u32) -> String {
    format!("{scope}|{name}|{version}")
}

/// Result of [`LocalStore::rewrap`].
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RewrapReport {
    pub active_key_id: String,
    pub rewrapped: u64,
}

impl LocalStore {
    pub fn new(catalog: Catalog, keyring: Keyring) -> Self {
        Self { catalog, keyring }
    }

    /// The scope's data key, created on first use when `create` is set.
    async fn data_key(&self, scope: &str, create: bool) -> Result<XChaCha20Poly1305, SecretError> {
        let stored = match self.catalog.data_key(scope).await.map_err(backend)? {
            Some(stored) => stored,
            None if create => {
                let key = XChaCha20Poly1305::generate_key(&mut OsRng);
                let wrapped = self.keyring.seal_bytes(&dek_context(scope), &key)?;
                self.catalog.insert_data_key(scope, &wrapped, self.keyring.active_key_id()).await.map_err(backend)?
            }
            None => return Err(SecretError::NotFound),
        };
        let key = self.keyring.open_bytes(&dek_context(scope), &stored.wrapped_key)?;
        XChaCha20Poly1305::new_from_slice(&key).map_err(|_| SecretError::Crypto(KeyringError::Malformed))
    }

    /// Re-seals every data key not sealed by the active master key with it, online: readers
    /// keep working throughout because every loaded key opens what it sealed. When it returns,
    /// older master keys wrap nothing (check with [`Catalog::kek_usage`]) and can be retired.
    pub async fn rewrap(&self) -> Result<RewrapReport, SecretError> {
        let active = self.keyring.active_key_id().to_owned();
        let mut report = RewrapReport { active_key_id: active.clone(), rewrapped: 0 };
        loop {
            let batch = self.catalog.data_keys_not_wrapped_by(&active, 100).await.map_err(backend)?;
            if batch.is_empty() {
                return Ok(report);
            }
            for stored in batch {
                let context = dek_context(&stored.scope);
                let key = self.keyring.open_bytes(&context, &stored.wrapped_key)?;
                let wrapped = self.keyring.seal_bytes(&context, &key)?;
                if self
                    .catalog
                    .rewrap_data_key(&stored.scope, &stored.wrapped_key, &wrapped, &active)
                    .await
                    .map_err(backend)?
                {
                    report.rewrapped += 1;
                }
            }
        }
    }
}

fn encrypt(key: &XChaCha20Poly1305, aad: &str, plaintext: &str) -> Result<String, SecretError> {
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    let ct = key
        .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: aad.as_bytes() })
        .map_err(|_| SecretError::Crypto(KeyringError::Open))?;
    let mut blob = nonce.to_vec();
    blob.extend_from_slice(&ct);
    Ok(format!("{FORMAT}:{}", STANDARD.encode(blob)))
}

fn decrypt(key: &XChaCha20Poly1305, aad: &str, sealed: &str) -> Result<SecretString, SecretError> {
    let b64 = sealed.strip_prefix("v1:").ok_or(SecretError::Crypto(KeyringError::Malformed))?;
    let blob = STANDARD.decode(b64).map_err(|_| SecretError::Crypto(KeyringError::Malformed))?;
    if blob.len() < NONCE_LEN {
        return Err(SecretError::Crypto(KeyringError::Malformed));
    }
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    let plain = key
        .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: aad.as_bytes() })
        .map_err(|_| SecretError::Crypto(KeyringError::Open))?;
    String::from_utf8(plain).map(SecretString::from).map_err(|_| SecretError::Crypto(KeyringError::Malformed))
}

fn version_of(v: i32) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

#[async_trait::async_trait]
impl SecretStore for LocalStore {
    async fn ensure_scope(&self, scope: &Scope) -> Result<(), SecretError> {
        self.data_key(&scope.key(), true).await.map(|_| ())
    }

    async fn get(&self, scope: &Scope, name: &SecretName, version: Option<u32>) -> Result<Versioned, SecretError> {
        let scope_key = scope.key();
        let row = match version {
            Some(v) => {
                let v = i32::try_from(v).map_err(|_| SecretError::NotFound)?;
                self.catalog.secret_version(&scope_key, name.as_str(), v).await
            }
            None => self.catalog.latest_secret(&scope_key, name.as_str()).await,
        }
        .map_err(backend)?
        .ok_or(SecretError::NotFound)?;
        let key = self.data_key(&scope_key, false).await?;
        let version = version_of(row.version);
        let value = decrypt(&key, &aad(&scope_key, name, version), &row.ciphertext)?;
        Ok(Versioned { version, value })
    }

    async fn put(&self, scope: &Scope, name: &SecretName, value: &str, cas: Option<u32>) -> Result<u32, SecretError> {
        let scope_key = scope.key();
        let key = self.data_key(&scope_key, true).await?;
        for _ in 0..PUT_RETRIES {
            let current = self
                .catalog
                .latest_secret(&scope_key, name.as_str())
                .await
                .map_err(backend)?
                .map_or(0, |r| version_of(r.version));
            if let Some(expected) = cas
                && expected != current
            {
                return Err(SecretError::VersionConflict { expected, actual: current });
            }
            let next = current + 1;
            let ciphertext = encrypt(&key, &aad(&scope_key, name, next), value)?;
            let version =
                i32::try_from(next).map_err(|_| SecretError::Unavailable(anyhow::anyhow!("version overflow")))?;
            match self.catalog.insert_secret(&scope_key, name.as_str(), version, &ciphertext).await {
                Ok(()) => return Ok(next),
                Err(CatalogError::Conflict(_)) if cas.is_some() => {
                    return Err(SecretError::VersionConflict { expected: current, actual: next });
                }
                Err(CatalogError::Conflict(_)) => continue,
                Err(err) => return Err(backend(err)),
            }
        }
        Err(SecretError::Unavailable(anyhow::anyhow!("too many concurrent writers")))
    }

    async fn list(&self, scope: &Scope) -> Result<Vec<SecretName>, SecretError> {
        let names = self.catalog.secret_names(&scope.key()).await.map_err(backend)?;
        names.iter().map(|n| SecretName::parse(n)).collect()
    }

    async fn delete(&self, scope: &Scope, name: &SecretName) -> Result<(), SecretError> {
        self.catalog.delete_secret(&scope.key(), name.as_str()).await.map_err(backend)
    }

    async fn destroy_scope(&self, scope: &Scope) -> Result<(), SecretError> {
        self.catalog.destroy_scope(&scope.key()).await.map_err(backend)
    }
}
