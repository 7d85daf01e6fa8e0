//! `tenantry sandbox up | down | list`: CI sandboxes, usually through the control-plane API with
//! a `sandbox` API token (`--api … --token …`), or in direct mode. Both print the API's shape.

use std::time::Duration;

use anyhow::Context;
use clap::Subcommand;
use domain::{Plan, TenantId};
use reqwest::Method;
use secrets::ExposeSecret;
use serde_json::{Value, json};

use super::api::{Api, seg};
use crate::{Actor, Provisioner, SandboxRequest};

#[derive(Debug, Subcommand)]
pub enum SandboxCmd {
    /// Create a sandbox and wait until it is ready; prints its URL, API key and admin login
    /// (once).
    Up {
        /// Lifetime: `90s`, `30m`, `2h`, `1d` (1 minute to 7 days).
        #[arg(long, default_value = "30m", value_parser = parse_ttl)]
        ttl: Duration,
        #[arg(long, default_value = "standard")]
        plan: String,
        /// Pin to a database server.
        #[arg(long)]
        server: Option<String>,
        /// Shown in its name, e.g. the CI job id.
        #[arg(long)]
        label: Option<String>,
    },
    /// Remove a sandbox now (id or slug).
    Down { sandbox: String },
    /// Live sandboxes.
    List,
}

/// `90s`, `30m`, `2h`, `1d`, or plain seconds.
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let (number, unit) = s.find(|c: char| !c.is_ascii_digit()).map_or((s, ""), |i| s.split_at(i));
    let n: u64 = number.parse().map_err(|_| format!("`{s}`: a number with s, m, h or d"))?;
    let seconds = match unit {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("`{s}`: the unit is s, m, h or d")),
    };
    Ok(Duration::from_secs(seconds))
}

/// A tenant's URL from `TENANTRY_TENANT_URL_TEMPLATE` (as the control plane has it), if set.
fn url_of(slug: &str) -> Option<String> {
    std::env::var("TENANTRY_TENANT_URL_TEMPLATE").ok().map(|t| t.replace("{slug}", slug))
}

/// Runs a `sandbox` command against the catalog.
pub async fn direct(provisioner: &Provisioner, actor: &Actor, cmd: SandboxCmd) -> anyhow::Result<Value> {
    match cmd {
        SandboxCmd::Up { ttl, plan, server, label } => {
            let plan = plan.parse::<Plan>().context("plan")?;
            let sandbox = provisioner.create_sandbox(SandboxRequest { ttl, plan, server, label }, actor).await?;
            Ok(json!({
                "id": sandbox.tenant.id, "slug": sandbox.tenant.slug, "displayName": sandbox.tenant.display_name,
                "status": sandbox.tenant.status, "url": url_of(&sandbox.tenant.slug),
                "createdAt": sandbox.tenant.created_at, "expiresAt": sandbox.expires_at,
                "apiKey": sandbox.api_key.expose_secret(),
                "admin": { "email": sandbox.admin_email, "password": sandbox.admin_password.expose_secret() },
            }))
        }
        SandboxCmd::Down { sandbox } => {
            let id = match sandbox.parse::<TenantId>() {
                Ok(id) => id,
                Err(_) => TenantId::from_uuid(
                    provisioner
                        .catalog()
                        .tenant_by_slug(&sandbox)
                        .await
                        .with_context(|| format!("no sandbox `{sandbox}`"))?
                        .id,
                ),
            };
            provisioner.destroy_sandbox(id, actor).await?;
            Ok(json!({ "removed": sandbox }))
        }
        SandboxCmd::List => {
            let items: Vec<Value> = provisioner
                .catalog()
                .sandboxes()
                .await?
                .into_iter()
                .map(|t| {
                    json!({ "id": t.id, "slug": t.slug, "status": t.status, "url": url_of(&t.slug),
                            "createdAt": t.created_at, "expiresAt": t.sandbox_expires_at })
                })
                .collect();
            Ok(json!({ "items": items }))
        }
    }
}

/// Runs a `sandbox` command through the control-plane API.
pub async fn api(api: &Api, cmd: SandboxCmd) -> anyhow::Result<Value> {
    match cmd {
        SandboxCmd::Up { ttl, plan, server, label } => {
            let body = json!({ "ttlSeconds": ttl.as_secs(), "plan": plan, "server": server, "label": label });
            api.call(Method::POST, "/v1/sandboxes", Some(body)).await
        }
        SandboxCmd::Down { sandbox } => {
            api.call(Method::DELETE, &format!("/v1/sandboxes/{}", seg(&sandbox)), None).await?;
            Ok(json!({ "removed": sandbox }))
        }
        SandboxCmd::List => api.call(Method::GET, "/v1/sandboxes", None).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttls_parse_with_units() {
        assert_eq!(parse_ttl("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_ttl("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_ttl("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_ttl("1d"), Ok(Duration::from_secs(86_400)));
        assert_eq!(parse_ttl("120"), Ok(Duration::from_secs(120)));
        assert!(parse_ttl("m").is_err());
        assert!(parse_ttl("3w").is_err());
        assert!(parse_ttl("-1m").is_err());
    }
}
