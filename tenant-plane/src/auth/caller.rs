//! `Caller`: the authenticated user of a request, with the tenant it was resolved to.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, web};
use http_api::{ApiError, ErrorCode};
use uuid::Uuid;

use super::tokens::verify_access_token;
use crate::{AppState, TenantCtx};

/// A request with a valid access token for its tenant.
pub struct Caller {
    pub ctx: TenantCtx,
    pub user_id: Uuid,
    pub role: String,
}

fn unauthenticated() -> ApiError {
    ApiError::new(ErrorCode::UNAUTHENTICATED, "missing or invalid credentials")
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let ctx = TenantCtx::from_request(req, payload);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = http_api::bearer_token(req);
        Box::pin(async move {
            let ctx = ctx.await?;
            let state = state.ok_or_else(|| ApiError::internal(anyhow::anyhow!("app state missing")))?;
            let token = token.ok_or_else(unauthenticated)?;
            let claims = verify_access_token(&state, ctx.route.id, &token).await?.ok_or_else(unauthenticated)?;
            Ok(Caller { ctx, user_id: claims.sub, role: claims.role })
        })
    }
}
