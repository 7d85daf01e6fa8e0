//! The HTTP conventions both planes share: one error-code table, the error body
//! `{"error":{"code","message","details"?},"requestId"}`, request ids, and extractor
//! configuration so that malformed input gets the same error body as every other failure.

mod codes;
mod error;
mod extract;
mod lifecycle;
mod request_id;
mod web_app;

pub use codes::ErrorCode;
pub use error::{ApiError, ErrorBody, ErrorDetail};
pub use extract::{MAX_JSON_BODY_BYTES, configure_extractors, json_limit, not_found};
pub use lifecycle::{bearer_token, shutdown_signal};
pub use request_id::{RequestId, current_request_id, request_id_middleware};
pub use web_app::{CONSOLE_CSP, PORTAL_CSP, WebApp, serve_or_not_found};
