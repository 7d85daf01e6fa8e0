//! `ApiError`: the one error type at each HTTP edge.

use std::fmt;

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use serde::Serialize;

use crate::{ErrorCode, current_request_id};

/// The JSON body of every error response.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
    /// Also in the `x-request-id` response header; quote it when reporting a problem.
    #[serde(rename = "requestId")]
    pub request_id: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// One of the codes in docs/error-handling.md.
    #[schema(value_type = String, example = "TENANT_NOT_FOUND")]
    pub code: ErrorCode,
    pub message: String,
    /// e.g. `{"field": "slug"}` for a validation failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

/// An error answered to a client. A 500 carries its cause for the log only: the client sees
/// a generic message and the request id.
pub struct ApiError {
    code: ErrorCode,
    message: String,
    details: Option<serde_json::Value>,
    source: Option<anyhow::Error>,
    /// Seconds, sent as `Retry-After`.
    retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self { code, message: message.into(), details: None, source: None, retry_after: None }
    }

    /// Adds a `Retry-After` header (seconds, at least 1).
    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    pub fn with_details(mut self, details: serde_json::Value) -> Self {
        self.details = Some(details);
        self
    }

    /// A validation failure on one field.
    pub fn validation(field: &str, message: impl fmt::Display) -> Self {
        Self::new(ErrorCode::VALIDATION_FAILED, format!("{field}: {message}"))
            .with_details(serde_json::json!({ "field": field }))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NOT_FOUND, format!("{what} not found"))
    }

    /// An unexpected failure: opaque to the client, logged once with its cause chain.
    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        Self {
            code: ErrorCode::INTERNAL,
            message: "internal error".to_owned(),
            details: None,
            source: Some(source.into()),
            retry_after: None,
        }
    }

    /// An error with a code and message for the client and a cause for the log only.
    pub fn with_cause(code: ErrorCode, message: impl Into<String>, source: impl Into<anyhow::Error>) -> Self {
        Self { code, message: message.into(), details: None, source: Some(source.into()), retry_after: None }
    }

    /// A dependency that is down: the client may retry.
    pub fn unavailable(source: impl Into<anyhow::Error>) -> Self {
        Self {
            code: ErrorCode::SERVICE_UNAVAILABLE,
            message: "service temporarily unavailable".to_owned(),
            details: None,
            source: Some(source.into()),
            retry_after: None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.code.status()
    }

    fn error_response(&self) -> HttpResponse {
        if let Some(source) = &self.source {
            tracing::error!(error.code = self.code.as_str(), error.cause = %format!("{source:#}"), "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail { code: self.code, message: self.message.clone(), details: self.details.clone() },
            request_id: current_request_id(),
        };
        let mut res = HttpResponse::build(self.status_code());
        if let Some(seconds) = self.retry_after {
            res.insert_header((actix_web::http::header::RETRY_AFTER, seconds.to_string()));
        }
        res.json(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::MessageBody;

    #[test]
    fn internal_errors_hide_their_cause() {
        let err = ApiError::internal(anyhow::anyhow!("password=hunter2 leaked"));
        let res = err.error_response();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let bytes = res.into_body().try_into_bytes().unwrap();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        assert!(!text.contains("hunter2"));
        assert!(text.contains("\"code\":\"INTERNAL\""));
    }
}
