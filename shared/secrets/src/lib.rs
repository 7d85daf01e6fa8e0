//! Secrets at rest.
//!
//! - [`Keyring`]: the master keys (key-encryption keys). One is active and seals; older ones
//!   still open what they sealed, so keys rotate online (`tenantry keys rewrap`).
//! - [`SecretStore`]: versioned secrets per scope (tenant or platform) with check-and-set;
//!   [`LocalStore`] keeps them in the catalog, envelope-encrypted with a data key per scope.
//! - Password hashing (argon2id), random credentials and token hashes.

pub mod api_keys;
mod keyring;
mod local;
pub mod password;
mod random;
pub mod scram;
pub mod sealing;
mod settings;
pub mod signing;
mod store;
mod vault;

pub use keyring::{KeySource, Keyring, KeyringError, sealed_key_id};
pub use local::{LocalStore, RewrapReport};
pub use random::{random_password, random_token, sha256_hex};
pub use secrecy::{ExposeSecret, SecretString};
pub use settings::{Backend, KeySettings, SecretsSettings};
pub use store::{
    DB_PASSWORD, Scope, SecretError, SecretName, SecretStore, Versioned, db_client_identity, delete_if_present,
    put_if_changed,
};
pub use vault::{VaultAuth, VaultConfig, VaultStore};
