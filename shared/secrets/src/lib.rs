//! Secrets at rest. For now a minimal local keyring: one 256-bit master key seals small
//! secrets (tenant database passwords) with XChaCha20-Poly1305, binding each ciphertext to
//! its context (tenant and purpose) as associated data, so a ciphertext copied to another
//! tenant's row fails to open. The secrets issue replaces this with a versioned store.

mod keyring;
pub mod password;
mod random;

pub use keyring::{KeySource, Keyring, KeyringError};
pub use random::{random_password, random_token, sha256_hex};
pub use secrecy::{ExposeSecret, SecretString};
