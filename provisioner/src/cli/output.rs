//! Printing results: JSON with `--json`, otherwise one line per record.

use std::io::Write;

/// Prints `value`: pretty JSON, or `key=value` lines (one per item of an `items` list).
pub fn print(value: &serde_json::Value, json: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(value)?)?;
        return Ok(());
    }
    match value.get("items").and_then(|v| v.as_array()) {
        Some(items) if items.is_empty() => writeln!(out, "(none)")?,
        Some(items) => {
            for item in items {
                writeln!(out, "{}", line(item))?;
            }
        }
        None => writeln!(out, "{}", line(value))?,
    }
    Ok(())
}

fn line(value: &serde_json::Value) -> String {
    match value.as_object() {
        Some(map) => map
            .iter()
            .filter(|(_, v)| !v.is_null() && !v.is_object() && !v.is_array())
            .map(|(k, v)| match v.as_str() {
                Some(s) => format!("{k}={s}"),
                None => format!("{k}={v}"),
            })
            .collect::<Vec<_>>()
            .join("  "),
        None => value.to_string(),
    }
}
