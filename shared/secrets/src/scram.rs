//! SCRAM-SHA-256 verifiers for the roles the platform makes (tenant roles), with an iteration
//! count chosen for machine-generated passwords.
//!
//! A verifier's iteration count is what every login pays on the client side: the server sends
//! it with the salt and the client runs PBKDF2 that many times (about 11 ms for the usual
//! 4096 here, on every tenant-plane connection and on the login that proves a new tenant
//! ready). Iterations only slow down guessing a *weak* password from a stolen verifier; tenant
//! role passwords are 40 random alphanumerics (≈ 238 bits, [`crate::random_password`]), which
//! no count makes guessable. Postgres 16 made the count a setting (`scram_iterations`) for the
//! same reason. Passwords people choose never get these verifiers.

use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Iterations for platform-generated role passwords.
pub const GENERATED_PASSWORD_ITERATIONS: u32 = 16;
const SALT_LEN: usize = 16;

/// The `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` verifier Postgres stores,
/// for a password made by [`crate::random_password`] (ASCII alphanumerics, which SASLprep
/// leaves as they are). Refuses anything else, so a person's password cannot end up here.
pub fn generated_password_verifier(password: &str) -> Result<String, NotGenerated> {
    let mut salt = [0u8; SALT_LEN];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    verifier_with(password, &salt, GENERATED_PASSWORD_ITERATIONS)
}

/// The password is not one the platform generated (too short, or not ASCII alphanumeric).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not a platform-generated password")]
pub struct NotGenerated;

fn verifier_with(password: &str, salt: &[u8], iterations: u32) -> Result<String, NotGenerated> {
    if password.len() < 32 || !password.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(NotGenerated);
    }
    Ok(derive(password.as_bytes(), salt, iterations))
}

fn hmac(key: &[u8], text: &[u8]) -> [u8; 32] {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes any key"));
    mac.update(text);
    mac.finalize().into_bytes().into()
}

/// RFC 5802 §3: SaltedPassword = Hi(password, salt, i) (PBKDF2-HMAC-SHA-256, one block),
/// StoredKey = H(HMAC(SaltedPassword, "Client Key")), ServerKey = HMAC(SaltedPassword, "Server Key").
fn derive(password: &[u8], salt: &[u8], iterations: u32) -> String {
    let mut salted = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut salted);
    let stored_key = Sha256::digest(hmac(&salted, b"Client Key"));
    let server_key = hmac(&salted, b"Server Key");
    format!(
        "SCRAM-SHA-256${iterations}:{}${}:{}",
        STANDARD.encode(salt),
        STANDARD.encode(stored_key),
        STANDARD.encode(server_key)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7677 §3's exchange for the password "pencil" (4096 iterations): the verifier we
    /// derive must check the client's proof and produce the server's signature from it.
    #[test]
    fn a_derived_verifier_checks_the_rfc_7677_exchange() {
        let salt = STANDARD.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap_or_default();
        let verifier = derive(b"pencil", &salt, 4096);
        let keys = verifier.rsplit_once('$').map(|(_, keys)| keys.to_owned()).unwrap_or_default();
        let (stored_key, server_key) = keys.split_once(':').unwrap_or_default();
        let (stored_key, server_key) =
            (STANDARD.decode(stored_key).unwrap_or_default(), STANDARD.decode(server_key).unwrap_or_default());
        let nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
        let auth_message =
            format!("n=user,r=rOprNGfwEbeRWgbNEkqO,r={nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r={nonce}");
        // The server's check: ClientKey = proof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) = StoredKey.
        let proof = STANDARD.decode("dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=").unwrap_or_default();
        let signature = hmac(&stored_key, auth_message.as_bytes());
        let client_key: Vec<u8> = proof.iter().zip(signature).map(|(p, s)| p ^ s).collect();
        assert_eq!(Sha256::digest(&client_key).to_vec(), stored_key);
        assert_eq!(
            STANDARD.encode(hmac(&server_key, auth_message.as_bytes())),
            "6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        );
    }

    #[test]
    fn verifiers_have_the_postgres_shape_and_refuse_chosen_passwords() {
        let password = crate::random_password();
        let verifier = generated_password_verifier(&password).unwrap_or_default();
        let (head, keys) = verifier.split_once('$').and_then(|(_, rest)| rest.split_once('$')).unwrap_or_default();
        assert_eq!(head.split_once(':').map(|(i, _)| i), Some("16"));
        assert_eq!(keys.split(':').count(), 2);
        assert_ne!(generated_password_verifier(&password), generated_password_verifier(&password), "salted");
        for chosen in ["correct horse battery staple", "short", "Ünïcode-password-that-is-long-enough-1234"] {
            assert_eq!(generated_password_verifier(chosen), Err(NotGenerated), "{chosen}");
        }
    }
}
