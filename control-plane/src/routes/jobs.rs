//! `/v1/jobs`: list, retry and compensate provisioning jobs.

use actix_web::{HttpResponse, web};
use catalog::JobState;
use http_api::ApiError;
use serde::Deserialize;
use uuid::Uuid;

use crate::{
    AppState,
    auth::Operator,
    errors::{catalog_error, provision_error},
    views::{JobList, JobView},
};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/jobs").route(web::get().to(list_jobs)))
        .service(web::resource("/jobs/{id}").route(web::get().to(get_job)))
        .service(web::resource("/jobs/{id}/retry").route(web::post().to(retry_job)))
        .service(web::resource("/jobs/{id}/compensate").route(web::post().to(compensate_job)));
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobsQuery {
    /// pending, running, succeeded, failed or compensated.
    state: Option<String>,
    limit: Option<u64>,
}

fn parse_state(s: &str) -> Result<JobState, ApiError> {
    [JobState::Pending, JobState::Running, JobState::Succeeded, JobState::Failed, JobState::Compensated]
        .into_iter()
        .find(|st| st.as_str() == s)
        .ok_or_else(|| ApiError::validation("state", "unknown job state"))
}

/// Recent provisioning jobs, newest first.
#[utoipa::path(get, path = "/v1/jobs", tag = "jobs", security(("bearer" = [])), params(JobsQuery),
    responses((status = 200, body = JobList), (status = 422, description = "VALIDATION_FAILED", body = http_api::ErrorBody)))]
pub async fn list_jobs(
    state: web::Data<AppState>,
    _operator: Operator,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = query.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 500"));
    }
    let job_state = query.state.as_deref().map(parse_state).transpose()?;
    let jobs = state.catalog().recent_jobs(job_state, limit).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(JobList { items: jobs.into_iter().map(JobView::from).collect() }))
}

/// One job with its per-step record.
#[utoipa::path(get, path = "/v1/jobs/{id}", tag = "jobs", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody)))]
pub async fn get_job(
    state: web::Data<AppState>,
    _operator: Operator,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let job = state.catalog().job(*path).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(JobView::from(job)))
}

/// Reruns a failed job from its failed step.
#[utoipa::path(post, path = "/v1/jobs/{id}/retry", tag = "jobs", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE", body = http_api::ErrorBody)))]
pub async fn retry_job(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.provisioner().retry_job(*path, &operator.actor()).await.map_err(provision_error)?;
    let job = state.catalog().job(*path).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(JobView::from(job)))
}

/// Undoes a failed job in reverse, leaving no database, role or tenant row behind.
#[utoipa::path(post, path = "/v1/jobs/{id}/compensate", tag = "jobs", security(("bearer" = [])), params(("id" = Uuid, Path)),
    responses((status = 200, body = JobView), (status = 404, description = "NOT_FOUND", body = http_api::ErrorBody), (status = 409, description = "INVALID_STATE", body = http_api::ErrorBody)))]
pub async fn compensate_job(
    state: web::Data<AppState>,
    operator: Operator,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    state.provisioner().compensate_job(*path, &operator.actor()).await.map_err(provision_error)?;
    let job = state.catalog().job(*path).await.map_err(catalog_error)?;
    Ok(HttpResponse::Ok().json(JobView::from(job)))
}
