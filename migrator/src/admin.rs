//! Administrative access to a database server: connection settings from the catalog and the
//! secret store ([`crate::ServerCredentials`]), and small helpers for the statements
//! provisioning and migration run.

use std::time::Duration;

use anyhow::Context;
use catalog::entity::database_server;
use dbtls::{ClientIdentity, DbTls, TlsMode};
use sea_orm::ConnectOptions;
use secrets::{ExposeSecret, SecretString};
use tokio_postgres::Client;

/// How long to wait for a server to accept a connection before treating it as down.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Keyring context of a server's admin password sealed in the catalog (servers registered
/// before passwords moved to the secret store).
pub fn server_password_context(server_id: uuid::Uuid) -> String {
    format!("server/{server_id}/admin-password")
}

/// Admin connection settings of one database server.
#[derive(Clone)]
pub struct ServerAccess {
    pub id: uuid::Uuid,
    pub host: String,
    pub port: u16,
    pub admin_user: String,
    admin_password: Option<SecretString>,
    pub admin_database: String,
    pub template_database: String,
    tls: DbTls,
}

impl std::fmt::Debug for ServerAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerAccess")
            .field("id", &self.id)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("admin_user", &self.admin_user)
            .field("tls", &self.tls)
            .finish_non_exhaustive()
    }
}

impl ServerAccess {
    /// Settings for `server` with its admin password and client certificate (both read by
    /// [`crate::ServerCredentials::access`]).
    pub fn new(
        server: &database_server::Model,
        admin_password: Option<SecretString>,
        identity: Option<&ClientIdentity>,
    ) -> anyhow::Result<Self> {
        if server.tls_client_cert_pem.is_some() && identity.is_none() {
            anyhow::bail!("database server `{}` asks for a client certificate and none was given", server.name);
        }
        let tls = server_tls(server, identity)?;
        Ok(Self {
            id: server.id,
            host: server.host.clone(),
            port: u16::try_from(server.port).context("server port out of range")?,
            admin_user: server.admin_user.clone(),
            admin_password,
            admin_database: server.admin_database.clone(),
            template_database: server.template_database.clone(),
            tls,
        })
    }

    /// How connections to the server are protected.
    pub fn tls(&self) -> &DbTls {
        &self.tls
    }

    /// The admin password, if the server has one.
    pub fn admin_password(&self) -> Option<&SecretString> {
        self.admin_password.as_ref()
    }

    /// tokio-postgres settings for `database` as the admin user.
    pub fn admin_config(&self, database: &str) -> tokio_postgres::Config {
        let mut config = tokio_postgres::Config::new();
        config
            .host(&self.host)
            .port(self.port)
            .user(&self.admin_user)
            .dbname(database)
            .application_name("tenantry-admin")
            .connect_timeout(CONNECT_TIMEOUT);
        if let Some(password) = &self.admin_password {
            config.password(password.expose_secret());
        }
        self.tls.configure(&mut config);
        config
    }

    /// Connects as admin to `database`; the connection task is spawned.
    pub async fn connect(&self, database: &str) -> anyhow::Result<Client> {
        connect(&self.admin_config(database), &self.tls).await
    }

    /// sea-orm (sqlx) options for `database` as the admin user acting as `role` (objects
    /// created by migrations then belong to `role`), one connection, with the server's TLS.
    pub fn migration_options(&self, database: &str, role: &str) -> anyhow::Result<ConnectOptions> {
        let mut url =
            url::Url::parse(&format!("postgres://{}:{}/", self.host, self.port)).context("build server url")?;
        url.set_path(database);
        url.set_username(&self.admin_user).map_err(|()| anyhow::anyhow!("bad admin user"))?;
        if let Some(password) = &self.admin_password {
            url.set_password(Some(password.expose_secret())).map_err(|()| anyhow::anyhow!("bad admin password"))?;
        }
        url.query_pairs_mut()
            .append_pair("options", &format!("-c role={role}"))
            .append_pair("application_name", "tenantry-migrator");
        // The URL holds the password: never log these options.
        let mut options = ConnectOptions::new(url.to_string());
        let tls = self.tls.clone();
        options.max_connections(1).sqlx_logging(false).map_sqlx_postgres_opts(move |pg| tls.configure_sqlx(pg));
        Ok(options)
    }
}

/// The TLS settings `server` is registered with, presenting `identity` (the server's own, or a
/// tenant's copy of it).
pub fn server_tls(server: &database_server::Model, identity: Option<&ClientIdentity>) -> anyhow::Result<DbTls> {
    let mode: TlsMode = server.tls_mode.parse().map_err(anyhow::Error::msg).context("server tls mode")?;
    DbTls::with_identity(mode, server.tls_ca_pem.as_deref(), identity).context("server TLS settings")
}

/// Connects with `config` (its `sslmode` set by `tls`) and spawns the connection driver.
pub async fn connect(config: &tokio_postgres::Config, tls: &DbTls) -> anyhow::Result<Client> {
    let (client, connection) = config.connect(tls.connector()).await.context("connect to database server")?;
    tokio::spawn(async move {
        if let Err(err) = connection.await {
            tracing::debug!(error = %err, "admin connection closed");
        }
    });
    Ok(client)
}

/// `GRANT role TO current_user`, unless the admin is a superuser. An admin with only
/// `CREATEDB CREATEROLE` (what a tenant's DBA hands the platform) must be a member of a role
/// to create a database it owns, `REASSIGN OWNED` to it, or `SET ROLE` to it; Postgres 15 lets
/// `CREATEROLE` grant that membership, 16 and later let whoever created the role (or holds it
/// `WITH ADMIN OPTION`).
pub fn grant_to_admin_sql(role: &str) -> String {
    format!(
        "DO $grant$ BEGIN IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN \
         EXECUTE format('GRANT %I TO %I', {}, current_user); END IF; END $grant$",
        domain::quote_literal(role)
    )
}

pub async fn role_exists(client: &Client, role: &str) -> anyhow::Result<bool> {
    let row = client.query_opt("SELECT 1 FROM pg_roles WHERE rolname = $1", &[&role]).await?;
    Ok(row.is_some())
}

pub async fn database_exists(client: &Client, database: &str) -> anyhow::Result<bool> {
    let row = client.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&database]).await?;
    Ok(row.is_some())
}
