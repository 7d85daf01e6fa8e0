//! Random credentials and token hashing.

use base64::Engine;
use rand::{Rng, RngCore, distributions::Alphanumeric, rngs::OsRng};
use sha2::{Digest, Sha256};

/// A database password: 40 alphanumeric characters (≈ 238 bits), safe in connection strings.
pub fn random_password() -> String {
    OsRng.sample_iter(&Alphanumeric).take(40).map(char::from).collect()
}

/// An opaque bearer token: `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256, for storing high-entropy tokens (not passwords: those use argon2).
pub fn sha256_hex(input: &str) -> String {
    hex::encode(Sha256::digest(input.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_are_unique() {
        assert_ne!(random_password(), random_password());
        assert_eq!(random_password().len(), 40);
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(sha256_hex("a").len(), 64);
    }
}
