//! The master-key keyring.

use std::{
    fs,
    io::Write,
    os::unix::fs::{OpenOptionsExt, PermissionsExt},
    path::{Path, PathBuf},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    KeyInit, XChaCha20Poly1305, XNonce,
    aead::{Aead, AeadCore, OsRng, Payload},
};
use secrecy::SecretString;
use sha2::{Digest, Sha256};

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const FORMAT: &str = "v1";

#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    #[error("master key must be 32 bytes, base64-encoded")]
    BadKey,
    #[error("read master key file {path}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("write master key file {path}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("master key file {0} is readable by others; chmod 600 it")]
    Permissions(PathBuf),
    #[error("no master key configured: set TENANTRY_MASTER_KEY or TENANTRY_MASTER_KEY_FILE (or run with --dev)")]
    Missing,
    #[error("sealed value is malformed")]
    Malformed,
    #[error("sealed value was made with another master key ({0})")]
    WrongKey(String),
    #[error("sealed value does not open in this context")]
    Open,
}

/// Where the master key comes from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// Base64 in an environment variable.
    Inline(SecretString),
    /// A file holding the base64 key, mode 0600.
    File(PathBuf),
    /// A file that is created with a fresh key if missing (development only).
    DevFile(PathBuf),
}

/// Seals and opens small secrets with the master key.
#[derive(Clone)]
pub struct Keyring {
    cipher: XChaCha20Poly1305,
    /// Short fingerprint of the key, stored with every ciphertext to tell keys apart.
    key_id: String,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("key_id", &self.key_id).finish_non_exhaustive()
    }
}

impl Keyring {
    /// Loads the key from its source.
    pub fn load(source: &KeySource) -> Result<Self, KeyringError> {
        use secrecy::ExposeSecret;
        match source {
            KeySource::Inline(b64) => Self::from_base64(b64.expose_secret()),
            KeySource::File(path) => Self::from_file(path),
            KeySource::DevFile(path) => {
                if !path.exists() {
                    write_new_key_file(path)?;
                    tracing::warn!(path = %path.display(), "generated a development master key file (mode 0600); do not use it in production");
                }
                Self::from_file(path)
            }
        }
    }

    pub fn from_base64(b64: &str) -> Result<Self, KeyringError> {
        let bytes = STANDARD.decode(b64.trim()).map_err(|_| KeyringError::BadKey)?;
        Self::from_bytes(&bytes)
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyringError> {
        if bytes.len() != KEY_LEN {
            return Err(KeyringError::BadKey);
        }
        let cipher = XChaCha20Poly1305::new_from_slice(bytes).map_err(|_| KeyringError::BadKey)?;
        let key_id = hex::encode(&Sha256::digest(bytes)[..4]);
        Ok(Self { cipher, key_id })
    }

    /// A fresh random key, base64-encoded (for `tenantry dev` and tests).
    pub fn generate_base64() -> String {
        STANDARD.encode(XChaCha20Poly1305::generate_key(&mut OsRng))
    }

    fn from_file(path: &Path) -> Result<Self, KeyringError> {
        let meta = fs::metadata(path).map_err(|source| KeyringError::Read { path: path.into(), source })?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(KeyringError::Permissions(path.into()));
        }
        let text = fs::read_to_string(path).map_err(|source| KeyringError::Read { path: path.into(), source })?;
        Self::from_base64(&text)
    }

    /// Seals `plaintext` for `context` (e.g. `tenant/<id>/db-password`).
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String, KeyringError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = self
            .cipher
            .encrypt(&nonce, Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() })
            .map_err(|_| KeyringError::Open)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok(format!("{FORMAT}:{}:{}", self.key_id, STANDARD.encode(blob)))
    }

    /// Opens a value sealed for the same `context`.
    pub fn open(&self, context: &str, sealed: &str) -> Result<SecretString, KeyringError> {
        let mut parts = sealed.splitn(3, ':');
        let (Some(FORMAT), Some(key_id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(KeyringError::Malformed);
        };
        if key_id != self.key_id {
            return Err(KeyringError::WrongKey(key_id.to_owned()));
        }
        let blob = STANDARD.decode(b64).map_err(|_| KeyringError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(KeyringError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| KeyringError::Open)?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| KeyringError::Malformed)
    }
}

fn write_new_key_file(path: &Path) -> Result<(), KeyringError> {
    let err = |source| KeyringError::Write { path: path.into(), source };
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(err)?;
    }
    let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path).map_err(err)?;
    file.write_all(Keyring::generate_base64().as_bytes()).map_err(err)?;
    file.sync_all().map_err(err)
}

impl KeySource {
    /// Picks the key source from settings: an inline key, else a key file, else — only in
    /// development — a generated key file under `data_dir`. Outside `--dev`, no key is an error.
    pub fn select(
        inline: Option<SecretString>,
        file: Option<PathBuf>,
        dev: bool,
        data_dir: &Path,
    ) -> Result<Self, KeyringError> {
        match (inline, file) {
            (Some(key), _) => Ok(Self::Inline(key)),
            (None, Some(path)) => Ok(Self::File(path)),
            (None, None) if dev => Ok(Self::DevFile(data_dir.join("master.key"))),
            (None, None) => Err(KeyringError::Missing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn keyring() -> Keyring {
        Keyring::from_base64(&Keyring::generate_base64()).unwrap()
    }

    #[test]
    fn seal_then_open_round_trips() {
        let k = keyring();
        let sealed = k.seal("tenant/a/db", "s3cret").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_eq!(k.open("tenant/a/db", &sealed).unwrap().expose_secret(), "s3cret");
    }

    #[test]
    fn a_ciphertext_moved_to_another_context_fails() {
        let k = keyring();
        let sealed = k.seal("tenant/a/db", "s3cret").unwrap();
        assert!(matches!(k.open("tenant/b/db", &sealed), Err(KeyringError::Open)));
    }

    #[test]
    fn another_key_is_detected() {
        let sealed = keyring().seal("c", "x").unwrap();
        assert!(matches!(keyring().open("c", &sealed), Err(KeyringError::WrongKey(_))));
    }

    #[test]
    fn dev_key_files_are_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        Keyring::load(&KeySource::DevFile(path.clone())).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(Keyring::load(&KeySource::File(path)), Err(KeyringError::Permissions(_))));
    }
}
