#![allow(non_camel_case_types)] // codes are spelled as they appear on the wire
//! The single table of error codes: every error either plane returns has a code from here,
//! and the code decides the HTTP status.

use actix_web::http::StatusCode;

macro_rules! error_codes {
    ($($variant:ident = $status:ident, $doc:literal;)+) => {
        /// An API error code. Serialised as its UPPER_SNAKE name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $(#[doc = $doc] $variant),+ }

        impl ErrorCode {
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            pub fn status(&self) -> StatusCode {
                match self { $(ErrorCode::$variant => StatusCode::$status),+ }
            }

            pub fn as_str(&self) -> &'static str {
                match self { $(ErrorCode::$variant => stringify!($variant)),+ }
            }

            /// One line describing when the code is used (for docs/error-handling.md).
            pub fn description(&self) -> &'static str {
                match self { $(ErrorCode::$variant => $doc),+ }
            }
        }
    };
}

error_codes! {
    INVALID_JSON = BAD_REQUEST, "The body is not valid JSON or does not match the expected shape.";
    INVALID_QUERY = BAD_REQUEST, "The query string could not be parsed.";
    INVALID_PATH = BAD_REQUEST, "A path parameter is malformed (e.g. not a UUID).";
    UNSUPPORTED_MEDIA_TYPE = UNSUPPORTED_MEDIA_TYPE, "The body is not `application/json`.";
    PAYLOAD_TOO_LARGE = PAYLOAD_TOO_LARGE, "The body exceeds the size limit.";
    QUOTA_EXCEEDED = PAYLOAD_TOO_LARGE, "The upload would take the tenant's stored bytes over its plan's quota.";
    RANGE_NOT_SATISFIABLE = RANGE_NOT_SATISFIABLE, "The `Range` does not overlap the file; `Content-Range` gives its size.";
    VALIDATION_FAILED = UNPROCESSABLE_ENTITY, "A field failed validation; `details.field` names it.";
    INVALID_HOST = BAD_REQUEST, "The Host header is not a valid host name.";
    TENANT_MISMATCH = BAD_REQUEST, "`x-tenant-id` names a different tenant than the host.";
    UNAUTHENTICATED = UNAUTHORIZED, "Credentials are missing, invalid or expired.";
    FORBIDDEN = FORBIDDEN, "The caller may not perform this action.";
    SIGNUP_CLOSED = FORBIDDEN, "The tenant accepts new users by invitation only.";
    MODULE_DISABLED = FORBIDDEN, "The module this endpoint belongs to is turned off for the tenant.";
    LAST_OWNER = CONFLICT, "The change would leave the tenant without an active owner.";
    RATE_LIMITED = TOO_MANY_REQUESTS, "Too many requests; `Retry-After` says when to try again.";
    NOT_FOUND = NOT_FOUND, "The resource or route does not exist.";
    TENANT_NOT_FOUND = NOT_FOUND, "No tenant is served at this host, path or header.";
    TENANT_SUSPENDED = FORBIDDEN, "The tenant is suspended.";
    TENANT_GONE = GONE, "The tenant is being offboarded or was deleted.";
    TENANT_NOT_READY = SERVICE_UNAVAILABLE, "The tenant is still being provisioned.";
    TENANT_MOVING = SERVICE_UNAVAILABLE, "The tenant's database is being moved to another server; retry shortly.";
    SLUG_TAKEN = CONFLICT, "Another tenant already uses this slug.";
    CONFLICT = CONFLICT, "The resource already exists or changed concurrently.";
    INVALID_STATE = CONFLICT, "The action is not allowed in the resource's current state.";
    ALREADY_BOOTSTRAPPED = CONFLICT, "The first operator already exists.";
    PROVISIONING_FAILED = BAD_GATEWAY, "Provisioning failed; the job records the step and error.";
    SERVICE_UNAVAILABLE = SERVICE_UNAVAILABLE, "A dependency is unavailable; retry later.";
    STORAGE_UNAVAILABLE = SERVICE_UNAVAILABLE, "The tenant's storage backend (and its fallback, if any) did not answer or refused; retry later.";
    STORAGE_NOT_CONFIGURED = SERVICE_UNAVAILABLE, "The platform or the tenant has no file storage configured.";
    SECRETS_UNAVAILABLE = SERVICE_UNAVAILABLE, "The secret store (e.g. Vault) is unreachable and the tenant's credentials are not cached; retry later.";
    INTERNAL = INTERNAL_SERVER_ERROR, "An unexpected error; the cause is logged with the request id.";
}

impl serde::Serialize for ErrorCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_internal_is_a_500() {
        for code in ErrorCode::ALL {
            let is_500 = code.status() == StatusCode::INTERNAL_SERVER_ERROR;
            assert_eq!(is_500, *code == ErrorCode::INTERNAL, "{code:?}");
        }
    }
}
