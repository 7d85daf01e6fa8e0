//! Request ids: taken from `x-request-id` when the caller sends a sane one, otherwise new.
//! The id is echoed in the response header, recorded on the request's root span, and put in
//! every error body (through a task-local, so `ResponseError` can reach it).

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
};
use tracing::Instrument;

tokio::task_local! {
    static REQUEST_ID: String;
}

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The current request's id, available as a request extension.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The id of the request being handled on this task, if any.
pub fn current_request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn sane(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
}

/// Middleware (for `actix_web::middleware::from_fn`): request id, root span, access log line.
pub async fn request_id_middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!(
        "http.request",
        request_id = %id,
        http.method = %req.method(),
        http.path = %req.path(),
        tenant.id = tracing::field::Empty,
        status_code = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let started = std::time::Instant::now();
    let mut res = REQUEST_ID.scope(id.clone(), next.call(req).instrument(span.clone())).await?;
    let status = res.status().as_u16();
    span.record("status_code", status);
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    span.in_scope(|| tracing::info!("request finished"));
    if let Ok(value) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(HeaderName::from_static(REQUEST_ID_HEADER), value);
    }
    Ok(res)
}
