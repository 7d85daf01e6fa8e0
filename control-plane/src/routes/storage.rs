//! `/v1/tenants/{tenant}/storage`: a tenant's storage backends. Registering one runs a live
//! check (write, read back, delete a probe object) before anything is stored; secrets are
//! write-only.

use actix_web::{HttpResponse, web};
use http_api::{ApiError, ErrorCode};
use provisioner::{RegisterStorage, StorageAdminError};
use serde::Deserialize;
use storage::BackendSpec;

use crate::{AppState, auth::Operator, errors::catalog_error};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageSecrets {
    /// The primary's S3 secret access key, Azure account key or SAS token.
    #[schema(value_type = Option<String>)]
    primary: Option<secrecy::SecretString>,
    #[schema(value_type = Option<String>)]
    fallback: Option<secrecy::SecretString>,
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StorageBody {
    primary: BackendSpec,
    fallback: Option<BackendSpec>,
    /// Client-side encryption; default: on for NAS and local platform storage.
    encrypted: Option<bool>,
    #[serde(default)]
    secrets: StorageSecrets,
}

/// The tenant's storage config (secrets never included).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StorageConfigView {
    primary: BackendSpec,
    fallback: Option<BackendSpec>,
    encrypted: bool,
    /// `unknown`, `ok`, `degraded` or `failing`.
    health: String,
    health_detail: Option<String>,
    checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<provisioner::StorageView> for StorageConfigView {
    fn from(v: provisioner::StorageView) -> Self {
        Self {
            primary: v.config.primary,
            fallback: v.config.fallback,
            encrypted: v.config.encrypted,
            health: v.health,
            health_detail: v.health_detail,
            checked_at: v.checked_at,
        }
    }
}

fn storage_error(err: StorageAdminError) -> ApiError {
    match err {
        StorageAdminError::Invalid { field, message } | StorageAdminError::CheckFailed { field, message } => {
            ApiError::validation(field, message)
        }
        err @ (StorageAdminError::WouldStrand(_) | StorageAdminError::NotLive) => {
            ApiError::new(ErrorCode::INVALID_STATE, err.to_string())
        }
        err @ StorageAdminError::NoPlatform => ApiError::new(ErrorCode::STORAGE_NOT_CONFIGURED, err.to_string()),
        StorageAdminError::Catalog(err) => catalog_error(err),
        StorageAdminError::Other(err) => ApiError::internal(err),
    }
}

/// The tenant's storage backends and their last health check.
#[utoipa::path(get, path = "/v1/tenants/{tenant}/storage", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")),
    responses((status = 200, body = StorageConfigView), (status = 404, description = "NOT_FOUND (also: no storage configured)", body = http_api::ErrorBody)))]
pub async fn get_storage(
    state: web::Data<AppState>,
    _operator: Operator,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = super::tenants::resolve(&state, &path).await?;
    let view = provisioner::tenant_storage(state.provisioner(), id)
        .await
        .map_err(storage_error)?
        .ok_or_else(|| ApiError::not_found("storage config"))?;
    Ok(HttpResponse::Ok().json(StorageConfigView::from(view)))
}

/// Sets the tenant's storage: the platform's backend or one the tenant hosts (S3-compatible,
/// Azure, a NAS mount), with an optional fallback. Each backend must pass a live check.
#[utoipa::path(put, path = "/v1/tenants/{tenant}/storage", tag = "tenants", security(("bearer" = [])),
    params(("tenant" = String, Path, description = "Tenant id or slug")), request_body = StorageBody,
    responses((status = 200, body = StorageConfigView), (status = 422, description = "VALIDATION_FAILED: a field is wrong or a live check failed (`details.field` = `primary` or `fallback`)", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE (files would be stranded: another primary or encryption setting with files stored, another fallback with objects waiting; or the tenant is not live)", body = http_api::ErrorBody), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn put_storage(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<String>,
    body: web::Json<StorageBody>,
) -> Result<HttpResponse, ApiError> {
    let id = super::tenants::resolve(&state, &path).await?;
    let body = body.into_inner();
    let req = RegisterStorage {
        primary: body.primary,
        fallback: body.fallback,
        encrypted: body.encrypted,
        primary_secret: body.secrets.primary,
        fallback_secret: body.secrets.fallback,
    };
    let view =
        provisioner::register_storage(state.provisioner(), id, req, &operator.actor()).await.map_err(storage_error)?;
    Ok(HttpResponse::Ok().json(StorageConfigView::from(view)))
}
