//! Mapping library errors to API errors.

use catalog::CatalogError;
use http_api::{ApiError, ErrorCode};
use provisioner::{LifecycleError, ProvisionError};

pub fn catalog_error(err: CatalogError) -> ApiError {
    match err {
        CatalogError::NotFound(what) => ApiError::not_found(what),
        CatalogError::Conflict(msg) => ApiError::new(ErrorCode::CONFLICT, msg),
        err @ CatalogError::InvalidState { .. } => ApiError::new(ErrorCode::INVALID_STATE, err.to_string()),
        err if err.is_transient() => ApiError::unavailable(err),
        err => ApiError::internal(err),
    }
}

pub fn provision_error(err: ProvisionError) -> ApiError {
    match err {
        ProvisionError::SlugTaken(slug) => ApiError::new(ErrorCode::SLUG_TAKEN, format!("slug `{slug}` is taken"))
            .with_details(serde_json::json!({ "field": "slug" })),
        ProvisionError::Placement(message) => ApiError::validation("server", message),
        err @ (ProvisionError::LeaseHeld(_) | ProvisionError::LeaseLost(_)) => {
            ApiError::new(ErrorCode::CONFLICT, err.to_string())
        }
        ProvisionError::Failed { job_id, tenant_id, step, error } => ApiError::new(
            ErrorCode::PROVISIONING_FAILED,
            format!("provisioning failed at step {step}; retry or delete the tenant"),
        )
        .with_details(serde_json::json!({ "jobId": job_id, "tenantId": tenant_id, "step": step, "cause": error })),
        ProvisionError::MoveFailed { job_id, step, error, undone } => {
            let message = if undone {
                format!("moving the tenant failed at step {step}; it is served from its old server again")
            } else {
                format!("the tenant moved, but step {step} failed; retry the job to finish it")
            };
            ApiError::new(ErrorCode::PROVISIONING_FAILED, message)
                .with_details(serde_json::json!({ "jobId": job_id, "step": step, "cause": error, "undone": undone }))
        }
        ProvisionError::Catalog(err) => catalog_error(err),
        err @ (ProvisionError::Crashed(_) | ProvisionError::Other(_)) => ApiError::internal(err),
    }
}

pub fn lifecycle_error(err: LifecycleError) -> ApiError {
    match err {
        LifecycleError::Catalog(err) => catalog_error(err),
        err @ LifecycleError::Conflict(_) => ApiError::new(ErrorCode::CONFLICT, err.to_string()),
        LifecycleError::Other(err) => ApiError::internal(err),
    }
}
