//! Password hashing with argon2id (default parameters: m = 19 MiB, t = 2, p = 1).
//! Both functions are CPU-heavy and synchronous: call them from `spawn_blocking`.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

#[derive(Debug, thiserror::Error)]
#[error("password hashing failed")]
pub struct HashError;

/// A PHC string (`$argon2id$v=19$...`) for `password`.
pub fn hash_password(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|_| HashError)
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// [`hash_password`] on the blocking pool (never on the async threads).
pub async fn hash_password_off_thread(password: String) -> Result<String, HashError> {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.map_err(|_| HashError)?
}

/// [`verify_password`] on the blocking pool, against `hash` or — for an unknown account — the
/// dummy hash, so that both cost the same.
pub async fn verify_password_off_thread(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref().unwrap_or_else(|| dummy_hash())))
        .await
        .unwrap_or(false)
}

/// A hash of a random password, verified against when an account does not exist, so that a
/// login for an unknown e-mail takes as long as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&crate::random_password()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
