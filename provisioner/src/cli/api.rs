//! API mode: commands go through the control-plane API with an operator token.

use std::process::ExitCode;

use anyhow::{Context, bail};
use reqwest::Method;
use secrets::ExposeSecret;
use serde_json::{Value, json};

use super::{Command, GlobalArgs, JobsCmd, TenantsCmd, direct::admin_password, output::print};

pub(super) struct Api {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Api {
    pub(super) async fn call(&self, method: Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.context("call control-plane API")?;
        let status = response.status();
        let value: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let message = value.pointer("/error/message").and_then(Value::as_str).unwrap_or("request failed");
            let code = value.pointer("/error/code").and_then(Value::as_str).unwrap_or("");
            bail!("{status} {code}: {message}");
        }
        Ok(value)
    }
}

pub async fn run(global: &GlobalArgs, url: &str, command: Command) -> anyhow::Result<ExitCode> {
    let token = global.token.as_ref().context("--api needs --token (or TENANTRY_API_TOKEN)")?;
    let api = Api {
        http: reqwest::Client::new(),
        base: url.trim_end_matches('/').to_owned(),
        token: token.expose_secret().to_owned(),
    };
    let value = match command {
        Command::Tenants(TenantsCmd::Create(args)) => {
            let mut body = json!({
                "slug": args.slug, "displayName": args.name, "plan": args.plan,
                "admin": { "email": args.admin_email },
            });
            if let Some(password) = admin_password(&args)? {
                body["admin"]["password"] = password.into();
            }
            if let Some(server) = &args.server {
                body["server"] = server.clone().into();
            }
            api.call(Method::POST, "/v1/tenants", Some(body)).await?
        }
        Command::Tenants(TenantsCmd::List { limit, cursor, status }) => {
            let mut path = format!("/v1/tenants?limit={}", limit.clamp(1, 100));
            if let Some(c) = cursor {
                path.push_str(&format!("&cursor={c}"));
            }
            if let Some(s) = status {
                path.push_str(&format!(
                    "&status={}",
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                ));
            }
            api.call(Method::GET, &path, None).await?
        }
        Command::Tenants(TenantsCmd::Show { tenant }) => {
            api.call(Method::GET, &format!("/v1/tenants/{}", seg(&tenant)), None).await?
        }
        Command::Tenants(TenantsCmd::Suspend { tenant, reason }) => {
            api.call(Method::POST, &format!("/v1/tenants/{}/suspend", seg(&tenant)), Some(json!({ "reason": reason })))
                .await?
        }
        Command::Tenants(TenantsCmd::Move { tenant, to }) => {
            api.call(Method::POST, &format!("/v1/tenants/{}/move", seg(&tenant)), Some(json!({ "server": to }))).await?
        }
        Command::Tenants(TenantsCmd::Resume { tenant }) => {
            api.call(Method::POST, &format!("/v1/tenants/{}/resume", seg(&tenant)), None).await?
        }
        Command::Tenants(TenantsCmd::RotateDbCredentials { tenant: Some(tenant), .. }) => {
            api.call(Method::POST, &format!("/v1/tenants/{}/rotate-db-credentials", seg(&tenant)), None).await?
        }
        Command::Tenants(TenantsCmd::RotateDbCredentials { tenant: None, .. }) => {
            bail!("--all runs in direct mode; through the API, name one tenant")
        }
        Command::Tenants(TenantsCmd::RotateSigningKey { tenant }) => {
            api.call(Method::POST, &format!("/v1/tenants/{}/rotate-signing-key", seg(&tenant)), None).await?
        }
        Command::Tenants(TenantsCmd::Delete { tenant, confirm }) => {
            let current = api.call(Method::GET, &format!("/v1/tenants/{}", seg(&tenant)), None).await?;
            if current.get("slug").and_then(Value::as_str) != Some(confirm.as_str()) {
                bail!("--confirm must repeat the tenant's slug");
            }
            api.call(Method::DELETE, &format!("/v1/tenants/{}", seg(&tenant)), None).await?
        }
        Command::Jobs(JobsCmd::List { state, tenant }) => match tenant {
            Some(t) => api.call(Method::GET, &format!("/v1/tenants/{}/jobs", seg(&t)), None).await?,
            None => {
                let query = state.map(|s| format!("?state={}", seg(&s))).unwrap_or_default();
                api.call(Method::GET, &format!("/v1/jobs{query}"), None).await?
            }
        },
        Command::Jobs(JobsCmd::Retry { job }) => api.call(Method::POST, &format!("/v1/jobs/{job}/retry"), None).await?,
        Command::Jobs(JobsCmd::Compensate { job }) => {
            api.call(Method::POST, &format!("/v1/jobs/{job}/compensate"), None).await?
        }
        Command::Servers(cmd) => super::servers::api(&api, cmd).await?,
        Command::Sandbox(cmd) => super::sandbox::api(&api, cmd).await?,
        Command::Migrate(_) => bail!("`migrate` runs in direct mode (it needs the catalog and the master key)"),
        Command::Keys(_) => bail!("`keys` runs in direct mode (it needs the catalog and the master keys)"),
        Command::Audit(_) => bail!("`audit` runs in direct mode (it reads the tenant database as the server admin)"),
        Command::Dev(_) => bail!("`dev` is not an API command"),
    };
    print(&value, global.json)?;
    Ok(ExitCode::SUCCESS)
}

/// Percent-encodes one path segment.
pub(super) fn seg(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
