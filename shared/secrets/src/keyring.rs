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
    #[error("master keys must be 32 bytes each, base64-encoded, separated by commas or newlines")]
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

/// The key-encryption keys (KEKs): one active key that seals, plus older keys that still
/// open what they sealed, so that a new key can be rolled out while old ciphertexts are
/// re-wrapped online. Each ciphertext names the key that sealed it by a short fingerprint.
#[derive(Clone)]
pub struct Keyring {
    /// `keys[0]` is the active key.
    keys: Vec<(String, XChaCha20Poly1305)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("key_ids", &self.key_ids()).finish_non_exhaustive()
    }
}

impl Keyring {
    /// Loads the keys from their source.
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

    /// One key, or several separated by commas or newlines: the first is active.
    pub fn from_base64(list: &str) -> Result<Self, KeyringError> {
        let keys = list
            .split([',', '\n'])
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|b64| {
                let bytes = STANDARD.decode(b64).map_err(|_| KeyringError::BadKey)?;
                key_entry(&bytes)
            })
            .collect::<Result<Vec<_>, _>>()?;
        if keys.is_empty() {
            return Err(KeyringError::BadKey);
        }
        Ok(Self { keys })
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeyringError> {
        Ok(Self { keys: vec![key_entry(bytes)?] })
    }

    /// A fresh random key, base64-encoded (for `tenantry dev`, tests and key rotation).
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

    /// Fingerprint of the active key (what new ciphertexts are sealed with).
    pub fn active_key_id(&self) -> &str {
        &self.keys[0].0
    }

    /// Fingerprints of every loaded key, the active one first.
    pub fn key_ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }

    /// Seals `plaintext` for `context` (e.g. `tenant/<id>/db-password`) with the active key.
    pub fn seal(&self, context: &str, plaintext: &str) -> Result<String, KeyringError> {
        self.seal_bytes(context, plaintext.as_bytes())
    }

    /// Opens a value sealed for the same `context` by any loaded key.
    pub fn open(&self, context: &str, sealed: &str) -> Result<SecretString, KeyringError> {
        let plain = self.open_bytes(context, sealed)?;
        String::from_utf8(plain).map(SecretString::from).map_err(|_| KeyringError::Malformed)
    }

    /// Seals raw bytes (a data key) with the active key.
    pub fn seal_bytes(&self, context: &str, plaintext: &[u8]) -> Result<String, KeyringError> {
        let (key_id, cipher) = &self.keys[0];
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let ciphertext = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .map_err(|_| KeyringError::Open)?;
        let mut blob = nonce.to_vec();
        blob.extend_from_slice(&ciphertext);
        Ok(format!("{FORMAT}:{key_id}:{}", STANDARD.encode(blob)))
    }

    /// Opens raw bytes sealed for `context` by any loaded key.
    pub fn open_bytes(&self, context: &str, sealed: &str) -> Result<Vec<u8>, KeyringError> {
        let key_id = sealed_key_id(sealed)?;
        let (_, cipher) =
            self.keys.iter().find(|(id, _)| id == key_id).ok_or_else(|| KeyringError::WrongKey(key_id.to_owned()))?;
        let b64 = sealed.splitn(3, ':').nth(2).ok_or(KeyringError::Malformed)?;
        let blob = STANDARD.decode(b64).map_err(|_| KeyringError::Malformed)?;
        if blob.len() < NONCE_LEN {
            return Err(KeyringError::Malformed);
        }
        let (nonce, ciphertext) = blob.split_at(NONCE_LEN);
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| KeyringError::Open)
    }
}

/// The fingerprint of the key a sealed value was made with.
pub fn sealed_key_id(sealed: &str) -> Result<&str, KeyringError> {
    let mut parts = sealed.splitn(3, ':');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(FORMAT), Some(key_id), Some(_)) => Ok(key_id),
        _ => Err(KeyringError::Malformed),
    }
}

fn key_entry(bytes: &[u8]) -> Result<(String, XChaCha20Poly1305), KeyringError> {
    if bytes.len() != KEY_LEN {
        return Err(KeyringError::BadKey);
    }
    let cipher = XChaCha20Poly1305::new_from_slice(bytes).map_err(|_| KeyringError::BadKey)?;
    Ok((hex::encode(&Sha256::digest(bytes)[..4]), cipher))
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
    fn an_older_key_still_opens_what_it_sealed_and_the_active_key_seals() {
        let old = Keyring::generate_base64();
        let new = Keyring::generate_base64();
        let sealed_by_old = Keyring::from_base64(&old).unwrap().seal("c", "x").unwrap();
        let rotated = Keyring::from_base64(&format!("{new},{old}")).unwrap();
        assert_eq!(rotated.open("c", &sealed_by_old).unwrap().expose_secret(), "x");
        let sealed_by_new = rotated.seal("c", "y").unwrap();
        assert_eq!(sealed_key_id(&sealed_by_new).unwrap(), rotated.active_key_id());
        assert_ne!(rotated.active_key_id(), sealed_key_id(&sealed_by_old).unwrap());
        // Retiring the old key makes its ciphertexts unreadable: rewrap them first.
        let retired = Keyring::from_base64(&new).unwrap();
        assert!(matches!(retired.open("c", &sealed_by_old), Err(KeyringError::WrongKey(_))));
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
