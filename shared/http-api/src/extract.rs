//! Extractor configuration: JSON, query and path errors become `ApiError`s with the shared
//! body, and unknown routes get `NOT_FOUND` in the same shape.

use actix_web::{
    HttpRequest, HttpResponse, ResponseError,
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web,
};

use crate::{ApiError, ErrorCode};

/// Largest JSON body either API accepts. Bodies are small records; anything bigger is abuse.
pub const MAX_JSON_BODY_BYTES: usize = 64 * 1024;

fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let api = match &err {
        JsonPayloadError::OverflowKnownLength { limit, .. } | JsonPayloadError::Overflow { limit } => {
            ApiError::new(ErrorCode::PAYLOAD_TOO_LARGE, format!("body exceeds {limit} bytes"))
        }
        JsonPayloadError::ContentType => {
            ApiError::new(ErrorCode::UNSUPPORTED_MEDIA_TYPE, "content type must be application/json")
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(ErrorCode::VALIDATION_FAILED, e.to_string()),
        JsonPayloadError::Deserialize(e) => ApiError::new(ErrorCode::INVALID_JSON, e.to_string()),
        other => ApiError::new(ErrorCode::INVALID_JSON, other.to_string()),
    };
    api.into()
}

fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::INVALID_QUERY, err.to_string()).into()
}

fn path_error(err: PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::new(ErrorCode::INVALID_PATH, err.to_string()).into()
}

/// A JSON config with a smaller body limit for one resource (its errors in the shared body).
pub fn json_limit(bytes: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(bytes.min(MAX_JSON_BODY_BYTES)).error_handler(json_error)
}

/// Registers the extractor configs on an app or scope.
pub fn configure_extractors(cfg: &mut web::ServiceConfig) {
    cfg.app_data(web::JsonConfig::default().limit(MAX_JSON_BODY_BYTES).error_handler(json_error))
        .app_data(web::QueryConfig::default().error_handler(query_error))
        .app_data(web::PathConfig::default().error_handler(path_error));
}

/// Default service: unknown routes answer `NOT_FOUND` in the shared body.
pub async fn not_found() -> HttpResponse {
    ApiError::new(ErrorCode::NOT_FOUND, "no such route").error_response()
}
