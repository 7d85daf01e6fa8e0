//! Field schemas of connector settings and secrets, and their validation.

use http_api::ApiError;
use serde::Serialize;
use serde_json::{Map, Value};

/// What a field holds.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", tag = "type")]
pub enum FieldKind {
    /// A host name or IP address.
    Host,
    Port,
    Email,
    Bool,
    /// An `https://` URL (`http://` only where the outbound guard allows loopback).
    HttpsUrl,
    Text {
        max: usize,
    },
    OneOf {
        #[schema(value_type = Vec<String>)]
        values: &'static [&'static str],
    },
    /// A secret with a fixed prefix, e.g. `sk_`.
    Prefixed {
        prefix: &'static str,
        max: usize,
    },
}

/// One field of a connector's settings or secrets.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    /// Used when the field is left out (settings only).
    #[schema(value_type = Option<Object>)]
    pub default: Option<&'static str>,
    pub description: &'static str,
}

impl FieldSpec {
    pub const fn new(name: &'static str, kind: FieldKind, required: bool, description: &'static str) -> Self {
        Self { name, kind, required, default: None, description }
    }

    pub const fn with_default(mut self, default: &'static str) -> Self {
        self.default = Some(default);
        self
    }

    fn check(&self, path: &str, value: &Value) -> Result<Value, ApiError> {
        let bad = |msg: &str| ApiError::validation(path, msg);
        match self.kind {
            FieldKind::Bool => value.as_bool().map(Value::Bool).ok_or_else(|| bad("must be true or false")),
            FieldKind::Port => value
                .as_u64()
                .filter(|p| (1..=65_535).contains(p))
                .map(Value::from)
                .ok_or_else(|| bad("must be a port number (1-65535)")),
            _ => {
                let s = value.as_str().ok_or_else(|| bad("must be a string"))?.trim();
                if s.chars().any(char::is_control) {
                    return Err(bad("must not contain control characters"));
                }
                match self.kind {
                    FieldKind::Host => {
                        let ok = s.parse::<std::net::IpAddr>().is_ok()
                            || crate::routing::normalize_host(s).is_ok_and(|h| h == s.to_ascii_lowercase());
                        if !ok || s.is_empty() {
                            return Err(bad("must be a host name or IP address"));
                        }
                    }
                    FieldKind::Email => {
                        domain::Email::parse(s).map_err(|err| ApiError::validation(path, err))?;
                    }
                    FieldKind::HttpsUrl => {
                        // Scheme and address are then checked against the outbound guard.
                        let ok = s.len() <= 2048
                            && url::Url::parse(s)
                                .is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host_str().is_some());
                        if !ok {
                            return Err(bad("must be an https URL"));
                        }
                    }
                    FieldKind::Text { max } => {
                        if s.is_empty() || s.chars().count() > max {
                            return Err(ApiError::validation(path, format!("must be 1 to {max} characters")));
                        }
                    }
                    FieldKind::OneOf { values } => {
                        if !values.contains(&s) {
                            return Err(ApiError::validation(path, format!("must be one of {}", values.join(", "))));
                        }
                    }
                    FieldKind::Prefixed { prefix, max } => {
                        if !s.starts_with(prefix) || s.len() <= prefix.len() || s.len() > max {
                            return Err(ApiError::validation(
                                path,
                                format!("must start with {prefix} (at most {max} characters)"),
                            ));
                        }
                    }
                    FieldKind::Bool | FieldKind::Port => {}
                }
                Ok(Value::String(s.to_owned()))
            }
        }
    }
}

/// Validates `input` (an object) against `fields`: unknown fields refused, required ones
/// present, defaults filled. `section` prefixes field names in errors (`config`, `secrets`).
/// With `partial`, required fields may be missing (secrets already stored stay).
pub fn validate(
    section: &str,
    fields: &[FieldSpec],
    input: &Value,
    partial: bool,
) -> Result<Map<String, Value>, ApiError> {
    let object = input.as_object().ok_or_else(|| ApiError::validation(section, "must be an object"))?;
    if let Some(unknown) = object.keys().find(|k| !fields.iter().any(|f| f.name == k.as_str())) {
        return Err(ApiError::validation(&format!("{section}.{unknown}"), "is not a field of this connector"));
    }
    let mut out = Map::new();
    for field in fields {
        let path = format!("{section}.{}", field.name);
        match object.get(field.name) {
            Some(Value::Null) | None => {
                if let Some(default) = field.default {
                    let value = match field.kind {
                        FieldKind::Port => default.parse::<u64>().map(Value::from).unwrap_or(Value::Null),
                        FieldKind::Bool => Value::Bool(default == "true"),
                        _ => Value::String(default.to_owned()),
                    };
                    out.insert(field.name.to_owned(), value);
                } else if field.required && !partial {
                    return Err(ApiError::validation(&path, "is required"));
                }
            }
            Some(value) => {
                out.insert(field.name.to_owned(), field.check(&path, value)?);
            }
        }
    }
    Ok(out)
}
