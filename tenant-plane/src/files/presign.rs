//! Presigned file URLs served by the tenant plane (for sealed objects and for local/NAS
//! backends, which cannot sign URLs themselves): `/v1/files-signed/{key}?expires=…&by=…&sig=…`,
//! an HMAC-SHA256 over the tenant, the method, the key, the expiry and the signer, with a key
//! kept in the tenant database sealed by the tenant's data key. Another tenant's host, another
//! key, another method or a later time does not verify.

use hmac::{Hmac, Mac};
use http_api::{ApiError, ErrorCode};
use secrets::ExposeSecret;
use sha2::Sha256;
use uuid::Uuid;

use crate::routing::TenantCtx;

type HmacSha256 = Hmac<Sha256>;

const CONTEXT: &str = "storage/presign-key";

/// Longest validity of a presigned URL.
pub const MAX_EXPIRY_SECS: i64 = 7 * 24 * 3600;

/// What a signature covers.
pub struct Grant<'a> {
    pub tenant: Uuid,
    pub method: &'a str,
    pub key: &'a str,
    pub expires: i64,
    pub by: Uuid,
}

impl Grant<'_> {
    fn payload(&self) -> String {
        format!("{}\n{}\n{}\n{}\n{}", self.tenant, self.method, self.key, self.expires, self.by)
    }
}

/// The tenant's presign key, created on first use.
pub async fn signing_key(ctx: &TenantCtx, state: &crate::AppState) -> Result<Vec<u8>, ApiError> {
    let sealer = state.sealer(ctx.route.id).await?;
    let client = ctx.client().await?;
    if let Some(row) =
        client.query_opt("SELECT presign_sealed FROM storage_keys", &[]).await.map_err(ApiError::internal)?
    {
        return open(&sealer, row.get(0));
    }
    let fresh = secrets::random_token(32);
    let sealed = sealer.seal(CONTEXT, &fresh).map_err(ApiError::internal)?;
    client
        .execute("INSERT INTO storage_keys (presign_sealed) VALUES ($1) ON CONFLICT (id) DO NOTHING", &[&sealed])
        .await
        .map_err(ApiError::internal)?;
    // Another worker may have won the insert: use whatever is stored.
    let row = client.query_one("SELECT presign_sealed FROM storage_keys", &[]).await.map_err(ApiError::internal)?;
    open(&sealer, row.get(0))
}

fn open(sealer: &secrets::sealing::TenantSealer, sealed: &str) -> Result<Vec<u8>, ApiError> {
    let key = sealer.open(CONTEXT, sealed).map_err(ApiError::internal)?;
    Ok(key.expose_secret().as_bytes().to_vec())
}

pub fn sign(key: &[u8], grant: &Grant<'_>) -> Result<String, ApiError> {
    let mut mac = HmacSha256::new_from_slice(key).map_err(ApiError::internal)?;
    mac.update(grant.payload().as_bytes());
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Checks a signature and its expiry; every failure answers the same.
pub fn verify(key: &[u8], grant: &Grant<'_>, signature: &str) -> Result<(), ApiError> {
    let refused = || ApiError::new(ErrorCode::UNAUTHENTICATED, "the signed URL is invalid or expired");
    if grant.expires < chrono::Utc::now().timestamp() {
        return Err(refused());
    }
    let signature = hex::decode(signature).map_err(|_| refused())?;
    let mut mac = HmacSha256::new_from_slice(key).map_err(ApiError::internal)?;
    mac.update(grant.payload().as_bytes());
    mac.verify_slice(&signature).map_err(|_| refused())
}
