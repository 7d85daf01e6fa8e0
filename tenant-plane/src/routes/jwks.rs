//! `GET /.well-known/jwks.json`: the public keys that verify this tenant's tokens. A key is
//! listed before it signs and until the longest token it signed has expired, so a client
//! caching this document (up to 60 s) never meets an unknown `kid`.

use actix_web::{HttpResponse, http::header, web};
use http_api::ApiError;

use crate::{AppState, TenantCtx};

/// The tenant's JSON Web Key Set (Ed25519 keys, `alg` EdDSA).
#[utoipa::path(get, path = "/.well-known/jwks.json", tag = "tenant",
    responses((status = 200, description = "JWK set: {\"keys\": [{kty, crv, alg, use, kid, x}]}"),
        (status = 404, description = "TENANT_NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_jwks(state: web::Data<AppState>, ctx: TenantCtx) -> Result<HttpResponse, ApiError> {
    let jwks = state.jwks(ctx.route.id).await.map_err(|e| ApiError::unavailable(anyhow::anyhow!("{e}")))?;
    Ok(HttpResponse::Ok().insert_header((header::CACHE_CONTROL, "public, max-age=60")).json(jwks.as_ref()))
}
