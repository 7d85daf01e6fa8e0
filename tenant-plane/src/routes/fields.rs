//! Field checks shared by the resource routes: trimmed, bounded text without control characters.

use http_api::ApiError;
use serde::{Deserialize, Deserializer};
use tokio_postgres::Row;

/// `value` trimmed, `min..=max` characters, no control characters (line breaks and tabs
/// allowed when `multiline`).
pub fn text(field: &str, value: &str, min: usize, max: usize, multiline: bool) -> Result<String, ApiError> {
    let value = if multiline { value.to_owned() } else { value.trim().to_owned() };
    let n = value.chars().count();
    if n < min || n > max {
        return Err(ApiError::validation(field, format!("must be {min} to {max} characters")));
    }
    if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        return Err(ApiError::validation(field, "must not contain control characters"));
    }
    Ok(value)
}

/// An optional text field; empty means none.
pub fn optional_text(field: &str, value: Option<String>, max: usize) -> Result<Option<String>, ApiError> {
    value.map(|v| text(field, &v, 0, max, false)).transpose().map(|v| v.filter(|s| !s.is_empty()))
}

/// `limit` query parameter: 1..=max, default 50.
pub fn limit(value: Option<i64>, max: i64) -> Result<i64, ApiError> {
    let limit = value.unwrap_or(50);
    if (1..=max).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::validation("limit", format!("must be between 1 and {max}")))
    }
}

/// For `Option<Option<T>>` fields: absent → `None` (with `#[serde(default)]`), `null` →
/// `Some(None)`, a value → `Some(Some(v))`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A page out of `rows` fetched with `LIMIT limit + 1`: at most `limit` items, and the cursor of
/// the last one when there were more.
pub fn page<T, C>(
    rows: &[Row],
    limit: i64,
    item: impl Fn(&Row) -> Result<T, ApiError>,
    cursor: impl Fn(&T) -> C,
) -> Result<(Vec<T>, Option<C>), ApiError> {
    let more = rows.len() as i64 > limit;
    let items = rows.iter().take(limit.max(0) as usize).map(item).collect::<Result<Vec<_>, _>>()?;
    let next = if more { items.last().map(cursor) } else { None };
    Ok((items, next))
}
