//! The `tenantry` command line: `dev`, `tenants …`, `migrate`, `jobs …`, `keys …`, `audit …`. Commands run in
//! direct mode (against the catalog, with the master key) or, with `--api`, through the
//! control-plane API with an operator token.

mod api;
mod dev;
mod direct;
mod keys;
mod migrate;
mod output;
mod sandbox;
mod servers;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;
use uuid::Uuid;

/// Tenantry operators' CLI.
#[derive(Debug, Parser)]
#[command(name = "tenantry", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// Control-plane API URL; when set, commands go through the API instead of the catalog.
    #[arg(long, global = true, env = "TENANTRY_API_URL")]
    pub api: Option<String>,
    /// Operator bearer token for `--api`.
    #[arg(long, global = true, env = "TENANTRY_API_TOKEN", hide_env_values = true)]
    pub token: Option<SecretString>,
    /// Print JSON (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    /// Admin URL of the default database server (direct mode).
    #[arg(long, global = true, env = "TENANTRY_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Catalog URL (direct mode); defaults to the server's `tenantry_catalog`.
    #[arg(long, global = true, env = "TENANTRY_CATALOG_URL", hide_env_values = true)]
    pub catalog_url: Option<String>,
    #[command(flatten)]
    pub keys: secrets::KeySettings,
    #[command(flatten)]
    pub secrets: secrets::SecretsSettings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the platform locally: embedded Postgres (unless TENANTRY_DATABASE_URL is set),
    /// control plane and tenant plane, until Ctrl-C.
    Dev(dev::DevArgs),
    /// Manage tenants.
    #[command(subcommand)]
    Tenants(TenantsCmd),
    /// CI sandboxes: throwaway tenants that expire (`up --ttl 30m --json`, `down`, `list`).
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCmd),
    /// Database servers: register, drain, check, remove.
    #[command(subcommand)]
    Servers(servers::ServersCmd),
    /// Fleet migrations: plan, run (canary, waves, resumable), status (drift, recent runs).
    #[command(subcommand)]
    Migrate(migrate::MigrateCmd),
    /// Inspect and repair provisioning jobs.
    #[command(subcommand)]
    Jobs(JobsCmd),
    /// Master-key rotation: status and online rewrap.
    #[command(subcommand)]
    Keys(KeysCmd),
    /// Tenant audit logs.
    #[command(subcommand)]
    Audit(AuditCmd),
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Recompute a tenant's audit-log hash chain; exits non-zero if a row was changed,
    /// removed or inserted.
    Verify {
        /// Tenant id or slug.
        tenant: String,
        /// `<seq>:<hash>` printed by an earlier run and kept outside the database: that row must
        /// still be there, unchanged (catches rows removed from the end).
        #[arg(long)]
        anchor: Option<migrator::audit_chain::Anchor>,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCmd {
    /// Loaded master keys and what each still wraps; exits non-zero if a key in use is not loaded.
    Status,
    /// Re-seal every data key and server credential with the active (first) master key.
    Rewrap,
}

#[derive(Debug, Subcommand)]
pub enum TenantsCmd {
    /// Provision a new tenant and wait until it is ready.
    Create(CreateArgs),
    /// List tenants, newest first.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u64,
        /// Continue after this tenant id (from the previous page).
        #[arg(long)]
        cursor: Option<Uuid>,
        /// Only tenants in this status.
        #[arg(long)]
        status: Option<String>,
    },
    /// Show one tenant (id or slug).
    Show { tenant: String },
    /// Suspend a tenant: its requests get 403 at once.
    Suspend {
        tenant: String,
        #[arg(long)]
        reason: Option<String>,
    },
    /// Resume a suspended tenant.
    Resume { tenant: String },
    /// Move a tenant's database to another server (its API answers 503 meanwhile).
    Move {
        /// Tenant id or slug.
        tenant: String,
        /// The database server's name.
        #[arg(long)]
        to: String,
    },
    /// Rotate a tenant's database password (no downtime); `--all` for every active tenant.
    RotateDbCredentials {
        /// Tenant id or slug.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        tenant: Option<String>,
        #[arg(long)]
        all: bool,
    },
    /// Add a new token-signing key (published now, signing in 5 minutes).
    RotateSigningKey {
        /// Tenant id or slug.
        tenant: String,
    },
    /// Offboard a tenant: drop its database and role, keep a tombstone.
    Delete {
        tenant: String,
        /// Confirm by repeating the tenant's slug.
        #[arg(long)]
        confirm: String,
    },
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[arg(long)]
    pub slug: String,
    /// Display name.
    #[arg(long)]
    pub name: String,
    #[arg(long, default_value = "standard")]
    pub plan: String,
    /// E-mail of the first admin (owner).
    #[arg(long)]
    pub admin_email: String,
    /// Password of the first admin.
    #[arg(long, env = "TENANTRY_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<SecretString>,
    /// Read the admin password from standard input.
    #[arg(long, conflicts_with = "admin_password")]
    pub admin_password_stdin: bool,
    /// Invite the first admin instead: the tenant starts with one owner invitation, whose
    /// one-time token is printed (the admin pastes it on the portal's "accept invitation" page).
    /// Any `TENANTRY_ADMIN_PASSWORD` is then ignored.
    #[arg(long, conflicts_with = "admin_password_stdin")]
    pub invite_admin: bool,
    /// Pin the tenant to this database server (by name); default: the shared server with the
    /// fewest tenants.
    #[arg(long)]
    pub server: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum JobsCmd {
    /// List recent provisioning jobs.
    List {
        /// Only jobs in this state (pending, running, succeeded, failed, compensated).
        #[arg(long)]
        state: Option<String>,
        /// Only this tenant's jobs (id or slug).
        #[arg(long)]
        tenant: Option<String>,
    },
    /// Rerun a failed job from its failed step.
    Retry { job: Uuid },
    /// Undo a failed job: drop what it created and free the slug.
    Compensate { job: Uuid },
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Dev(args) => dev::run(&cli.global, args).await,
        command => match &cli.global.api {
            Some(url) => api::run(&cli.global, url, command).await,
            None => direct::run(&cli.global, command).await,
        },
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_a_create_command() {
        let cli = Cli::try_parse_from([
            "tenantry",
            "tenants",
            "create",
            "--slug",
            "acme",
            "--name",
            "Acme",
            "--admin-email",
            "a@acme.io",
            "--json",
        ])
        .unwrap();
        assert!(cli.global.json);
        assert!(matches!(cli.command, Command::Tenants(TenantsCmd::Create(_))));
    }
}
