//! Choosing the secret store from configuration.

use std::sync::Arc;

use catalog::Catalog;
use secrecy::SecretString;

use crate::{Keyring, LocalStore, SecretError, SecretStore, VaultAuth, VaultConfig, VaultStore};

/// Which secret store holds tenant secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    /// The catalog, envelope-encrypted with the master key (the embedded default).
    Local,
    /// Vault or OpenBao, KV v2.
    Vault,
}

/// Secret-store settings shared by every process (flattened into each service's settings).
#[derive(Debug, Clone, clap::Args)]
pub struct SecretsSettings {
    /// Where tenant secrets live.
    #[arg(
        long = "secrets-backend",
        env = "TENANTRY_SECRETS_BACKEND",
        value_enum,
        default_value = "local",
        global = true
    )]
    pub backend: Backend,
    /// Vault address, e.g. https://vault.internal:8200.
    #[arg(long, env = "TENANTRY_VAULT_ADDR", global = true)]
    pub vault_addr: Option<String>,
    /// Vault token (the control plane's may write; the tenant plane's only reads).
    #[arg(long, env = "TENANTRY_VAULT_TOKEN", hide_env_values = true, global = true)]
    pub vault_token: Option<SecretString>,
    /// KV v2 mount.
    #[arg(long, env = "TENANTRY_VAULT_MOUNT", default_value = "secret", global = true)]
    pub vault_mount: String,
    /// Path prefix under the mount.
    #[arg(long, env = "TENANTRY_VAULT_PREFIX", default_value = "tenantry", global = true)]
    pub vault_prefix: String,
    /// AppRole role id (instead of a token).
    #[arg(long, env = "TENANTRY_VAULT_ROLE_ID", global = true)]
    pub vault_role_id: Option<String>,
    /// AppRole secret id.
    #[arg(long, env = "TENANTRY_VAULT_SECRET_ID", hide_env_values = true, global = true)]
    pub vault_secret_id: Option<SecretString>,
    /// Mount of the AppRole auth method.
    #[arg(long, env = "TENANTRY_VAULT_APPROLE_MOUNT", default_value = "approle", global = true)]
    pub vault_approle_mount: String,
}

impl SecretsSettings {
    /// Refuses incomplete or insecure configuration: the Vault backend needs an address and a
    /// token, and outside development its address must use TLS unless it is on loopback.
    pub fn validate(&self, dev: bool) -> Result<(), SecretError> {
        if self.backend == Backend::Local {
            return Ok(());
        }
        let refuse = |why: &str| Err(SecretError::Unavailable(anyhow::anyhow!("{why}")));
        let Some(address) = &self.vault_addr else {
            return refuse("TENANTRY_SECRETS_BACKEND=vault needs TENANTRY_VAULT_ADDR");
        };
        let approle = self.vault_role_id.is_some() && self.vault_secret_id.is_some();
        if self.vault_token.is_none() && !approle {
            return refuse(
                "TENANTRY_SECRETS_BACKEND=vault needs TENANTRY_VAULT_TOKEN or TENANTRY_VAULT_ROLE_ID + TENANTRY_VAULT_SECRET_ID",
            );
        }
        let Ok(url) = url::Url::parse(address) else { return refuse("TENANTRY_VAULT_ADDR is not a URL") };
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !dev && !loopback {
            return refuse(
                "TENANTRY_VAULT_ADDR must use https outside --dev (tokens and secrets would cross the network in clear)",
            );
        }
        Ok(())
    }

    /// Opens the configured store (call [`SecretsSettings::validate`] first, at start-up).
    pub async fn open(&self, catalog: &Catalog, keyring: &Keyring) -> Result<Arc<dyn SecretStore>, SecretError> {
        match self.backend {
            Backend::Local => Ok(Arc::new(LocalStore::new(catalog.clone(), keyring.clone()))),
            Backend::Vault => self.open_vault().await,
        }
    }

    /// Opens the Vault store (needs no master key): AppRole when a role id and secret id are
    /// given, the token otherwise.
    pub async fn open_vault(&self) -> Result<Arc<dyn SecretStore>, SecretError> {
        let missing = || SecretError::Unavailable(anyhow::anyhow!("incomplete Vault settings"));
        let address = self.vault_addr.clone().ok_or_else(missing)?;
        let auth = match (&self.vault_role_id, &self.vault_secret_id, &self.vault_token) {
            (Some(role_id), Some(secret_id), _) => VaultAuth::AppRole {
                mount: self.vault_approle_mount.clone(),
                role_id: role_id.clone(),
                secret_id: secret_id.clone(),
            },
            (_, _, Some(token)) => VaultAuth::Token(token.clone()),
            _ => return Err(missing()),
        };
        let config = VaultConfig { address, auth, mount: self.vault_mount.clone(), prefix: self.vault_prefix.clone() };
        Ok(Arc::new(VaultStore::connect(&config).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vault(addr: Option<&str>, token: bool) -> SecretsSettings {
        SecretsSettings {
            backend: Backend::Vault,
            vault_addr: addr.map(str::to_owned),
            vault_token: token.then(|| SecretString::from("t")),
            vault_mount: "secret".into(),
            vault_prefix: "tenantry".into(),
            vault_role_id: None,
            vault_secret_id: None,
            vault_approle_mount: "approle".into(),
        }
    }

    #[test]
    fn insecure_or_incomplete_vault_settings_are_refused_outside_dev() {
        assert!(vault(None, true).validate(true).is_err());
        assert!(vault(Some("https://vault.internal:8200"), false).validate(false).is_err());
        assert!(vault(Some("http://vault.internal:8200"), true).validate(false).is_err());
        assert!(vault(Some("http://vault.internal:8200"), true).validate(true).is_ok());
        assert!(vault(Some("http://127.0.0.1:8200"), true).validate(false).is_ok());
        assert!(vault(Some("https://vault.internal:8200"), true).validate(false).is_ok());
    }
}

/// Master-key settings shared by every process (flattened into each service's settings).
#[derive(Debug, Clone, clap::Args)]
pub struct KeySettings {
    /// Development mode: a generated master key file is allowed, Vault may use plain http.
    /// Never in production.
    #[arg(long, env = "TENANTRY_DEV", value_parser = clap::builder::BoolishValueParser::new(), global = true)]
    pub dev: bool,
    /// Master key(s), base64 of 32 bytes; several comma-separated, the first active.
    #[arg(long, env = "TENANTRY_MASTER_KEY", hide_env_values = true, global = true)]
    pub master_key: Option<SecretString>,
    /// File holding the master key(s), one per line, mode 0600.
    #[arg(long, env = "TENANTRY_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<std::path::PathBuf>,
    /// Folder of development state (embedded Postgres, generated key file, bootstrap token).
    #[arg(long, env = "TENANTRY_DATA_DIR", default_value = ".tenantry", global = true)]
    pub data_dir: std::path::PathBuf,
}

impl KeySettings {
    /// Where the master keys come from; outside `--dev`, no key configured is an error.
    pub fn source(&self) -> Result<crate::KeySource, crate::KeyringError> {
        crate::KeySource::select(self.master_key.clone(), self.master_key_file.clone(), self.dev, &self.data_dir)
    }
}
