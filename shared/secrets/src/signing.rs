//! Per-tenant token-signing keys (Ed25519), kept as versions of one secret in the tenant's
//! scope, so they live wherever the tenant's secrets live (catalog or Vault) and are
//! crypto-shredded with them.
//!
//! Rotation without a failed request, as clients and other workers cache the JWKS:
//! - a new key is **published** (in the JWKS) as soon as it exists, but **signs** only
//!   `publish_ahead` later, so every verifier has seen it before the first token it signs;
//! - a key that stopped signing stays in the JWKS for `max_token_lifetime`, so every token it
//!   signed verifies until it expires.

use std::{sync::Arc, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey as Ed25519Key, pkcs8::EncodePrivateKey};
use jsonwebtoken::{DecodingKey, EncodingKey};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::store::{Scope, SecretError, SecretName, SecretStore};

/// A new key is published this long before it signs: longer than any JWKS cache
/// (the tenant plane serves the JWKS with `max-age` 60 s).
pub const PUBLISH_AHEAD: Duration = Duration::from_secs(5 * 60);
/// The longest lifetime of a tenant access token: a retired key verifies this long.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The secret holding a tenant's signing keys (one version per key).
pub const SIGNING_KEY: &str = "auth/signing-key";

/// One stored key.
#[derive(Clone, Serialize, Deserialize)]
struct StoredKey {
    kid: String,
    /// Ed25519 seed (32 bytes), base64url.
    seed: String,
    created_at: DateTime<Utc>,
}

/// A key as published in the JWKS.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PublicJwk {
    pub kty: &'static str,
    pub crv: &'static str,
    pub alg: &'static str,
    #[serde(rename = "use")]
    pub use_: &'static str,
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
}

/// `/.well-known/jwks.json`
#[derive(Debug, Clone, Serialize)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

/// The key to sign with now.
#[derive(Clone)]
pub struct ActiveKey {
    pub kid: String,
    pub encoding: EncodingKey,
}

impl std::fmt::Debug for ActiveKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// Manages one scope's signing keys in a secret store.
#[derive(Clone)]
pub struct SigningKeys {
    store: Arc<dyn SecretStore>,
    /// How long a new key is published before it signs (longer than any JWKS cache).
    pub publish_ahead: Duration,
    /// The longest lifetime of a token (how long a retired key keeps verifying).
    pub max_token_lifetime: Duration,
}

fn name() -> SecretName {
    SecretName::well_known(SIGNING_KEY)
}

fn corrupt(what: &str) -> SecretError {
    SecretError::Unavailable(anyhow::anyhow!("stored signing key is malformed: {what}"))
}

impl StoredKey {
    fn generate(kid: String) -> Self {
        let key = Ed25519Key::generate(&mut rand::rngs::OsRng);
        Self { kid, seed: URL_SAFE_NO_PAD.encode(key.to_bytes()), created_at: Utc::now() }
    }

    fn key(&self) -> Result<Ed25519Key, SecretError> {
        let seed: [u8; 32] =
            URL_SAFE_NO_PAD.decode(&self.seed).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| corrupt("seed"))?;
        Ok(Ed25519Key::from_bytes(&seed))
    }

    fn public(&self) -> Result<PublicJwk, SecretError> {
        Ok(PublicJwk {
            kty: "OKP",
            crv: "Ed25519",
            alg: "EdDSA",
            use_: "sig",
            kid: self.kid.clone(),
            x: URL_SAFE_NO_PAD.encode(self.key()?.verifying_key().to_bytes()),
        })
    }
}

impl SigningKeys {
    pub fn new(store: Arc<dyn SecretStore>, publish_ahead: Duration, max_token_lifetime: Duration) -> Self {
        Self { store, publish_ahead, max_token_lifetime }
    }

    /// With [`PUBLISH_AHEAD`] and [`MAX_TOKEN_LIFETIME`].
    pub fn with_defaults(store: Arc<dyn SecretStore>) -> Self {
        Self::new(store, PUBLISH_AHEAD, MAX_TOKEN_LIFETIME)
    }

    /// The keys that matter at `now`, newest first: back to the one that signs, and every
    /// older one still published. Older versions are never read, so the cost stays flat however
    /// often keys rotate.
    async fn recent_keys(&self, scope: &Scope, now: DateTime<Utc>) -> Result<Vec<StoredKey>, SecretError> {
        let ahead = chrono::Duration::from_std(self.publish_ahead).unwrap_or_default();
        let lifetime = chrono::Duration::from_std(self.max_token_lifetime).unwrap_or_default();
        let parse = |value: &secrecy::SecretString| {
            serde_json::from_str::<StoredKey>(value.expose_secret()).map_err(|_| corrupt("json"))
        };
        let latest = match self.store.get(scope, &name(), None).await {
            Ok(latest) => latest,
            Err(SecretError::NotFound) => return Ok(Vec::new()),
            Err(err) => return Err(err),
        };
        let mut keys = vec![parse(&latest.value)?];
        let mut version = latest.version;
        while version > 1 {
            let successor = &keys[keys.len() - 1];
            // The previous key stopped signing when `successor` started.
            let previous_published = successor.created_at + ahead + lifetime > now;
            let signer_found = keys.iter().any(|k| k.created_at + ahead <= now);
            if !previous_published && signer_found {
                break;
            }
            version -= 1;
            match self.store.get(scope, &name(), Some(version)).await {
                Ok(v) => keys.push(parse(&v.value)?),
                Err(SecretError::NotFound) => break,
                Err(err) => return Err(err),
            }
        }
        Ok(keys)
    }

    /// Creates the scope's first key if it has none; it may sign at once (nobody can hold a
    /// token from this scope yet).
    pub async fn ensure(&self, scope: &Scope) -> Result<(), SecretError> {
        let kid = format!("k1-{}", &crate::random_token(6));
        let first = StoredKey {
            created_at: Utc::now() - chrono::Duration::from_std(self.publish_ahead).unwrap_or_default(),
            ..StoredKey::generate(kid)
        };
        match self
            .store
            .put(scope, &name(), &serde_json::to_string(&first).map_err(|_| corrupt("json"))?, Some(0))
            .await
        {
            Ok(_) | Err(SecretError::VersionConflict { .. }) => Ok(()),
            Err(err) => Err(err),
        }
    }

    /// Adds a new key; it is published now and signs `publish_ahead` from now. Returns its kid.
    pub async fn rotate(&self, scope: &Scope) -> Result<String, SecretError> {
        let current = match self.store.get(scope, &name(), None).await {
            Ok(latest) => latest.version,
            Err(SecretError::NotFound) => 0,
            Err(err) => return Err(err),
        };
        let key = StoredKey::generate(format!("k{}-{}", current + 1, crate::random_token(6)));
        let kid = key.kid.clone();
        self.store
            .put(scope, &name(), &serde_json::to_string(&key).map_err(|_| corrupt("json"))?, Some(current))
            .await?;
        Ok(kid)
    }

    /// The key that signs at `now`: the newest key whose publication period has passed.
    pub async fn active(&self, scope: &Scope, now: DateTime<Utc>) -> Result<ActiveKey, SecretError> {
        let ahead = chrono::Duration::from_std(self.publish_ahead).unwrap_or_default();
        let keys = self.recent_keys(scope, now).await?;
        // Newest first; the first key of a scope is backdated, so some key always qualifies.
        let key = keys.iter().find(|k| k.created_at + ahead <= now).or(keys.last()).ok_or(SecretError::NotFound)?;
        let der = key.key()?.to_pkcs8_der().map_err(|_| corrupt("pkcs8"))?;
        Ok(ActiveKey { kid: key.kid.clone(), encoding: EncodingKey::from_ed_der(der.as_bytes()) })
    }

    /// The keys to publish at `now`: every key that signs, will sign, or signed a token that
    /// may not have expired yet.
    pub async fn jwks(&self, scope: &Scope, now: DateTime<Utc>) -> Result<Jwks, SecretError> {
        let ahead = chrono::Duration::from_std(self.publish_ahead).unwrap_or_default();
        let lifetime = chrono::Duration::from_std(self.max_token_lifetime).unwrap_or_default();
        let keys = self.recent_keys(scope, now).await?;
        let mut published = Vec::new();
        // Oldest first in the document. A key stops signing when its successor starts and
        // verifies `lifetime` longer.
        for (i, key) in keys.iter().enumerate().rev() {
            let retired_at = i.checked_sub(1).map(|newer| keys[newer].created_at + ahead);
            if retired_at.is_none_or(|at| at + lifetime > now) {
                published.push(key.public()?);
            }
        }
        Ok(Jwks { keys: published })
    }

    /// A verification key for `kid` if it is published at `now`.
    pub async fn decoding_key(
        &self,
        scope: &Scope,
        kid: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DecodingKey>, SecretError> {
        let jwks = self.jwks(scope, now).await?;
        Ok(jwks.keys.iter().find(|k| k.kid == kid).and_then(|k| DecodingKey::from_ed_components(&k.x).ok()))
    }
}
