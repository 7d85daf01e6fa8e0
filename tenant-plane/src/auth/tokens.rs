//! Access tokens: EdDSA JWTs with `kid`, audience = tenant id.

use std::time::Duration;

use chrono::Utc;
use domain::TenantId;
use jsonwebtoken::{Algorithm, DecodingKey, Header, Validation, decode, decode_header, encode};
use secrets::Scope;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use http_api::{ApiError, ErrorCode};

use crate::AppState;

/// How long an access token lives. Must not exceed the signing keys' `MAX_TOKEN_LIFETIME`
/// (a retired key verifies that long).
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
const ISSUER: &str = "tenantry";

/// What an access token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The tenant id.
    pub aud: String,
    /// The user id.
    pub sub: Uuid,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs an access token for `user` with the tenant's active key.
pub async fn issue_access_token(state: &AppState, tenant: Uuid, user: Uuid, role: &str) -> anyhow::Result<String> {
    let now = Utc::now();
    let active = state.signing().active(&Scope::Tenant(TenantId::from_uuid(tenant)), now).await?;
    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(active.kid);
    let claims = AccessClaims {
        iss: ISSUER.to_owned(),
        aud: tenant.to_string(),
        sub: user,
        role: role.to_owned(),
        iat: now.timestamp(),
        exp: (now + chrono::Duration::from_std(ACCESS_TOKEN_LIFETIME)?).timestamp(),
    };
    Ok(encode(&header, &claims, &active.encoding)?)
}

/// Verifies an access token for `tenant` against the tenant's published keys: `Ok(None)` for a
/// token that is not valid here, `Err` when the keys cannot be read (the client may retry).
pub async fn verify_access_token(
    state: &AppState,
    tenant: Uuid,
    token: &str,
) -> Result<Option<AccessClaims>, ApiError> {
    let Some(kid) = decode_header(token).ok().and_then(|h| h.kid) else {
        return Ok(None);
    };
    let jwks = state.jwks(tenant).await.map_err(|err| {
        ApiError::with_cause(
            ErrorCode::SECRETS_UNAVAILABLE,
            "this tenant's keys are unavailable right now; retry later",
            anyhow::anyhow!("{err}"),
        )
    })?;
    Ok(verify_with(&jwks, tenant, &kid, token))
}

fn verify_with(jwks: &secrets::signing::Jwks, tenant: Uuid, kid: &str, token: &str) -> Option<AccessClaims> {
    let key = jwks.keys.iter().find(|k| k.kid == kid)?;
    let decoding = DecodingKey::from_ed_components(&key.x).ok()?;
    let mut validation = Validation::new(Algorithm::EdDSA);
    validation.set_audience(&[tenant.to_string()]);
    validation.set_issuer(&[ISSUER]);
    validation.leeway = 5;
    decode::<AccessClaims>(token, &decoding, &validation).ok().map(|t| t.claims)
}
