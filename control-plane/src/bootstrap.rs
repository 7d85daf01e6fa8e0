//! The first-run bootstrap token: while no operator exists, a one-time token (stored as a
//! hash) lets whoever started the platform create the first operator.

use std::{io::Write, os::unix::fs::OpenOptionsExt, path::Path};

use anyhow::Context;
use catalog::Catalog;
use secrets::{ExposeSecret, SecretString};

/// Issues a bootstrap token if there is no operator yet: the configured one, or a new one
/// written to `token_file` (mode 0600) or, failing that, printed once to stderr.
pub async fn issue_if_needed(
    catalog: &Catalog,
    token: Option<SecretString>,
    token_file: Option<&Path>,
) -> anyhow::Result<()> {
    if catalog.operator_count().await? > 0 {
        return Ok(());
    }
    let generated = token.is_none();
    let token = token.map_or_else(|| secrets::random_token(24), |t| t.expose_secret().to_owned());
    catalog.set_bootstrap_token(&secrets::sha256_hex(&token)).await?;
    if !generated {
        tracing::info!("bootstrap token taken from configuration; create the first operator with it");
        return Ok(());
    }
    match token_file {
        Some(path) => {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(path)
                .with_context(|| format!("write bootstrap token file {}", path.display()))?;
            file.write_all(token.as_bytes())?;
            tracing::info!(path = %path.display(), "bootstrap token written; create the first operator with it");
        }
        None => {
            // Deliberately not a log line: logs are shipped and kept, this token must not be.
            eprintln!("\n  First-run bootstrap token (one use): {token}\n");
        }
    }
    Ok(())
}
