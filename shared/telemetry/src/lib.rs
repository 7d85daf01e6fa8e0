//! Logging setup shared by every binary: `tracing` with an `EnvFilter` from `RUST_LOG`
//! (default `info`), JSON lines when `LOG_FORMAT=json`, human-readable otherwise.
//!
//! Never log a secret, password, token or key: fields carrying them must not exist.

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// Output format for log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Json,
    Pretty,
}

impl LogFormat {
    /// Reads `LOG_FORMAT` (`json` or anything else for pretty).
    pub fn from_env() -> Self {
        match std::env::var("LOG_FORMAT").as_deref() {
            Ok("json") => Self::Json,
            _ => Self::Pretty,
        }
    }
}

/// Installs the global subscriber. Call once, first thing in `main`; later calls are ignored
/// (tests may call it from several places).
pub fn init(service: &'static str) {
    init_with_default(service, "info");
}

/// Like [`init`], with another default level when `RUST_LOG` is unset (the CLI uses `warn`).
pub fn init_with_default(service: &'static str, default_filter: &str) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = tracing_subscriber::registry().with(filter);
    let result = match LogFormat::from_env() {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .flatten_event(true)
                    .with_current_span(true)
                    .with_span_list(false)
                    .with_writer(std::io::stderr),
            )
            .try_init(),
        LogFormat::Pretty => registry.with(fmt::layer().with_target(false).with_writer(std::io::stderr)).try_init(),
    };
    if result.is_ok() {
        tracing::debug!(service, "telemetry initialised");
    }
}
