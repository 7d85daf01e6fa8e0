//! `tenantry servers …`: database servers, in direct mode (catalog and master key) or through
//! the control-plane API. Both print the API's JSON shape.

use std::path::PathBuf;

use anyhow::Context;
use catalog::{PlacementMode, ServerKind, ServerUpdate, entity::database_server};
use clap::{Args, Subcommand, builder::TypedValueParser};
use dbtls::{ClientIdentity, TlsMode};
use reqwest::Method;
use secrecy::SecretString;
use secrets::ExposeSecret;
use serde_json::{Value, json};

use super::api::{Api, seg};
use crate::{Actor, Provisioner, RegisterServer, ServerAccessChange, ServerView};

#[derive(Debug, Subcommand)]
pub enum ServersCmd {
    /// Every server with its tenant count, state and health.
    List,
    /// One server.
    Show { name: String },
    /// Register a server after a live check (reachable, Postgres 15+, privileges, template).
    Add(AddServerArgs),
    /// Stop placing new tenants on a server (its tenants stay and are served).
    Drain { name: String },
    /// Let a drained server take new tenants again.
    Activate { name: String },
    /// Change a server's capacity, placement mode, TLS settings or admin password (the last
    /// two after a live check with the new settings; nothing changes when it fails).
    Set(SetServerArgs),
    /// Check a server now and record its health.
    Check { name: String },
    /// Give the server's admin user a new random password, set on the server by the platform
    /// and proven by a fresh login before it is used (open sessions are not interrupted).
    RotatePassword { name: String },
    /// Move every tenant off a draining server (to `--to`, or spread over the shared servers).
    Evacuate {
        name: String,
        #[arg(long)]
        to: Option<String>,
        /// Moves at once (1–8).
        #[arg(long, default_value_t = crate::DEFAULT_EVACUATION_CONCURRENCY, value_parser = clap::value_parser!(u8).range(1..=8).map(usize::from))]
        concurrency: usize,
    },
    /// Remove a server that holds no tenant databases.
    Remove {
        name: String,
        /// Confirm by repeating the server's name.
        #[arg(long)]
        confirm: String,
    },
}

#[derive(Debug, Args)]
pub struct SetServerArgs {
    pub name: String,
    #[arg(long)]
    pub capacity: Option<i32>,
    /// `shared` or `dedicated`.
    #[arg(long, value_parser = parse_placement)]
    pub placement: Option<PlacementMode>,
    /// `disable`, `require` or `verify-full` (as libpq's `sslmode`).
    #[arg(long, value_parser = parse_sslmode)]
    pub sslmode: Option<TlsMode>,
    /// PEM CA bundle `verify-full` trusts (file); without it a `verify-full` server keeps the
    /// one it has.
    #[arg(long, conflicts_with = "no_sslrootcert")]
    pub sslrootcert: Option<PathBuf>,
    /// Drop the registered CA bundle: `verify-full` trusts the host's roots.
    #[arg(long)]
    pub no_sslrootcert: bool,
    /// Read the admin user's new password from the first line of standard input (set it on
    /// the server first).
    #[arg(long)]
    pub admin_password_stdin: bool,
    /// Client certificate (PEM file, chain leaf first) to present to a server that asks for
    /// one, as libpq's `sslcert`; with `--sslkey`.
    #[arg(long, requires = "sslkey", conflicts_with = "no_sslcert")]
    pub sslcert: Option<PathBuf>,
    /// Its private key (PEM file), as libpq's `sslkey`.
    #[arg(long, requires = "sslcert")]
    pub sslkey: Option<PathBuf>,
    /// Stop presenting a client certificate.
    #[arg(long)]
    pub no_sslcert: bool,
}

fn parse_sslmode(s: &str) -> Result<TlsMode, String> {
    s.parse()
}

impl SetServerArgs {
    fn update(&self) -> ServerUpdate {
        ServerUpdate { state: None, capacity: self.capacity, placement: self.placement }
    }

    fn access(&self) -> anyhow::Result<ServerAccessChange> {
        let ca_certificate = match (&self.sslrootcert, self.no_sslrootcert) {
            (Some(path), _) => Some(Some(
                std::fs::read_to_string(path).with_context(|| format!("read --sslrootcert {}", path.display()))?,
            )),
            (None, true) => Some(None),
            (None, false) => None,
        };
        let admin_password = if self.admin_password_stdin {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("read the admin password from standard input")?;
            let password = line.trim_end_matches(['\r', '\n']);
            anyhow::ensure!(!password.is_empty(), "--admin-password-stdin: standard input had no password");
            Some(SecretString::from(password.to_owned()))
        } else {
            None
        };
        let client_identity = match (&self.sslcert, &self.sslkey, self.no_sslcert) {
            (Some(cert), Some(key), _) => Some(Some(read_identity(cert, key)?)),
            (_, _, true) => Some(None),
            _ => None,
        };
        Ok(ServerAccessChange { tls_mode: self.sslmode, ca_certificate, admin_password, client_identity })
    }
}

/// A client certificate and key from PEM files.
fn read_identity(cert: &std::path::Path, key: &std::path::Path) -> anyhow::Result<ClientIdentity> {
    let read =
        |path: &std::path::Path| std::fs::read_to_string(path).with_context(|| format!("read {}", path.display()));
    Ok(ClientIdentity::new(&read(cert)?, &read(key)?)?)
}

#[derive(Debug, Args)]
pub struct AddServerArgs {
    #[arg(long)]
    pub name: String,
    /// Admin URL, e.g. `postgres://admin:secret@db1.internal:5432/postgres` (from the
    /// environment so the password stays out of the process list). TLS as libpq has it:
    /// `?sslmode=verify-full&sslrootcert=/etc/tenantry/agency-ca.pem` (or `sslmode=require`;
    /// default `disable`), and a client certificate for a server that asks for one:
    /// `&sslcert=/etc/tenantry/client.pem&sslkey=/etc/tenantry/client.key`.
    #[arg(long, env = "TENANTRY_SERVER_URL", hide_env_values = true)]
    pub url: SecretString,
    /// `platform` or `tenant-hosted`.
    #[arg(long, default_value = "platform", value_parser = parse_kind)]
    pub kind: ServerKind,
    /// `shared` or `dedicated` (tenant-hosted servers are always dedicated).
    #[arg(long, value_parser = parse_placement)]
    pub placement: Option<PlacementMode>,
    /// Most tenant databases it takes (default 5000; 1 for tenant-hosted).
    #[arg(long)]
    pub capacity: Option<i32>,
}

fn parse_kind(s: &str) -> Result<ServerKind, String> {
    match s {
        "platform" => Ok(ServerKind::Platform),
        "tenant-hosted" | "tenant_hosted" => Ok(ServerKind::TenantHosted),
        _ => Err("`platform` or `tenant-hosted`".into()),
    }
}

fn parse_placement(s: &str) -> Result<PlacementMode, String> {
    match s {
        "shared" => Ok(PlacementMode::Shared),
        "dedicated" => Ok(PlacementMode::Dedicated),
        _ => Err("`shared` or `dedicated`".into()),
    }
}

impl AddServerArgs {
    fn capacity(&self) -> i32 {
        self.capacity.unwrap_or(if self.kind == ServerKind::TenantHosted { 1 } else { 5000 })
    }

    /// Splits the admin URL into the registration's fields.
    fn request(&self) -> anyhow::Result<RegisterServer> {
        let url = url::Url::parse(self.url.expose_secret()).context("--url is not a postgres:// URL")?;
        anyhow::ensure!(matches!(url.scheme(), "postgres" | "postgresql"), "--url must start with postgres://");
        let decode = crate::servers::percent_decode;
        let (tls_mode, tls_ca_pem) = dbtls::url_tls(&url)?;
        Ok(RegisterServer {
            name: self.name.clone(),
            host: url.host_str().context("--url has no host")?.to_owned(),
            port: url.port().unwrap_or(5432),
            admin_user: match url.username() {
                "" => "postgres".to_owned(),
                user => decode(user)?,
            },
            admin_password: url.password().map(decode).transpose()?.map(SecretString::from),
            admin_database: match url.path().trim_start_matches('/') {
                "" => "postgres".to_owned(),
                db => db.to_owned(),
            },
            template_database: None,
            kind: self.kind,
            placement: self.placement,
            capacity: self.capacity(),
            tls_mode,
            tls_ca_pem,
            tls_client_identity: dbtls::url_identity(&url)?,
        })
    }
}

/// The API's `ServerView` of a catalog row.
fn server_json(s: database_server::Model, tenants: i64) -> anyhow::Result<Value> {
    Ok(serde_json::to_value(ServerView::new(s, tenants))?)
}

/// Runs a `servers` command against the catalog.
pub async fn direct(provisioner: &Provisioner, actor: &Actor, cmd: ServersCmd) -> anyhow::Result<Value> {
    let catalog = provisioner.catalog();
    let shown = |server: database_server::Model| async move {
        let tenants = catalog.tenant_count_on(server.id).await?;
        server_json(server, tenants)
    };
    Ok(match cmd {
        ServersCmd::List => {
            let items: Vec<Value> = catalog
                .server_summaries()
                .await?
                .into_iter()
                .map(|s| server_json(s.server, s.tenants))
                .collect::<Result<_, _>>()?;
            json!({ "items": items })
        }
        ServersCmd::Show { name } => shown(catalog.server_by_name(&name).await?).await?,
        ServersCmd::Add(args) => {
            let (server, check) = provisioner.register_server(args.request()?, actor).await?;
            json!({ "server": server_json(server, 0)?, "check": check })
        }
        ServersCmd::Drain { name } => {
            let update = ServerUpdate { state: Some("draining".into()), ..ServerUpdate::default() };
            shown(provisioner.update_server(&name, update, actor).await?).await?
        }
        ServersCmd::Activate { name } => {
            let update = ServerUpdate { state: Some("active".into()), ..ServerUpdate::default() };
            shown(provisioner.update_server(&name, update, actor).await?).await?
        }
        ServersCmd::Set(args) => {
            let (server, _) = provisioner.change_server(&args.name, args.update(), args.access()?, actor).await?;
            shown(server).await?
        }
        ServersCmd::Check { name } => {
            let server = catalog.server_by_name(&name).await?;
            let (_, check) = provisioner.check_registered_server(&server).await?;
            json!({ "server": shown(catalog.server(server.id).await?).await?, "check": check })
        }
        ServersCmd::RotatePassword { name } => {
            let (server, check) = provisioner.rotate_server_password(&name, actor).await?;
            json!({ "server": shown(server).await?, "check": check })
        }
        ServersCmd::Evacuate { name, to, concurrency } => {
            serde_json::to_value(provisioner.evacuate_server(&name, to.as_deref(), concurrency, actor).await?)?
        }
        ServersCmd::Remove { name, confirm } => {
            anyhow::ensure!(confirm == name, "--confirm must repeat the server's name");
            provisioner.remove_server(&name, actor).await?;
            json!({ "removed": name })
        }
    })
}

/// Runs a `servers` command through the control-plane API.
pub async fn api(api: &Api, cmd: ServersCmd) -> anyhow::Result<Value> {
    let patch = |name: &str, body: Value| {
        let path = format!("/v1/servers/{}", seg(name));
        async move { api.call(Method::PATCH, &path, Some(body)).await }
    };
    match cmd {
        ServersCmd::List => api.call(Method::GET, "/v1/servers", None).await,
        ServersCmd::Show { name } => api.call(Method::GET, &format!("/v1/servers/{}", seg(&name)), None).await,
        ServersCmd::Add(args) => {
            let req = args.request()?;
            let body = json!({
                "name": req.name, "host": req.host, "port": req.port, "adminUser": req.admin_user,
                "adminPassword": req.admin_password.as_ref().map(|p| p.expose_secret().to_owned()),
                "adminDatabase": req.admin_database, "kind": req.kind, "placement": req.placement,
                "capacity": req.capacity, "tlsMode": req.tls_mode, "caCertificate": req.tls_ca_pem,
                "clientCertificate": req.tls_client_identity.as_ref().map(ClientIdentity::cert_pem),
                "clientKey": req.tls_client_identity.as_ref().map(ClientIdentity::key_pem),
            });
            api.call(Method::POST, "/v1/servers", Some(body)).await
        }
        ServersCmd::Drain { name } => patch(&name, json!({ "state": "draining" })).await,
        ServersCmd::Activate { name } => patch(&name, json!({ "state": "active" })).await,
        ServersCmd::Set(args) => {
            let access = args.access()?;
            let mut body = json!({ "capacity": args.capacity, "placement": args.placement });
            if let Some(mode) = access.tls_mode {
                body["tlsMode"] = mode.as_str().into();
            }
            if let Some(ca) = access.ca_certificate {
                body["caCertificate"] = ca.into();
            }
            if let Some(password) = &access.admin_password {
                body["adminPassword"] = password.expose_secret().into();
            }
            match &access.client_identity {
                Some(Some(identity)) => {
                    body["clientCertificate"] = identity.cert_pem().into();
                    body["clientKey"] = identity.key_pem().into();
                }
                Some(None) => body["clientCertificate"] = Value::Null,
                None => {}
            }
            patch(&args.name, body).await
        }
        ServersCmd::Check { name } => api.call(Method::POST, &format!("/v1/servers/{}/check", seg(&name)), None).await,
        ServersCmd::RotatePassword { name } => {
            api.call(Method::POST, &format!("/v1/servers/{}/rotate-password", seg(&name)), None).await
        }
        ServersCmd::Evacuate { name, to, concurrency } => {
            let body = json!({ "to": to, "concurrency": concurrency });
            api.call(Method::POST, &format!("/v1/servers/{}/evacuate", seg(&name)), Some(body)).await
        }
        ServersCmd::Remove { name, confirm } => {
            anyhow::ensure!(confirm == name, "--confirm must repeat the server's name");
            api.call(Method::DELETE, &format!("/v1/servers/{}", seg(&name)), None).await?;
            Ok(json!({ "removed": name }))
        }
    }
}
