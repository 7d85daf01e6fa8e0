//! `database_servers`: Postgres clusters tenant databases are placed on.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "database_servers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub host: String,
    pub port: i32,
    pub admin_user: String,
    /// Servers registered before admin passwords moved to the secret store: sealed with the
    /// keyring (context `server/<id>/admin-password`), moved at the control plane's next start.
    pub admin_password_sealed: Option<String>,
    /// The admin password is in the secret store (platform scope,
    /// `database-servers/<id>/admin-password`).
    pub admin_password_stored: bool,
    pub admin_database: String,
    /// Migrated template that tenant databases are cloned from.
    pub template_database: String,
    /// `active` (takes new tenants) or `draining`.
    pub state: String,
    pub capacity: i32,
    pub created_at: DateTimeUtc,
    /// `platform` or `tenant_hosted` (a tenant's own server).
    pub kind: String,
    /// `shared` (automatic placement) or `dedicated` (only tenants pinned to it, at most one).
    pub placement: String,
    /// `disable`, `require` or `verify-full` (libpq `sslmode`; see the `dbtls` crate).
    pub tls_mode: String,
    /// PEM CA bundle trusted with `verify-full` (none: the host's trusted roots).
    pub tls_ca_pem: Option<String>,
    /// `server_version` from the last check.
    pub server_version: Option<String>,
    /// `unknown`, `ok` or `failing`, from the last check.
    pub health: String,
    pub health_detail: Option<String>,
    pub checked_at: Option<DateTimeUtc>,
    /// Counts changes of how the platform connects to it (address, TLS, admin credentials):
    /// admin connections made under an older count are stale.
    pub access_version: i32,
    /// When the certificate the server presents expires, from the last successful check
    /// (none: plain TCP, or not read yet).
    pub tls_certificate_expires_at: Option<DateTimeUtc>,
    /// When the admin password last changed through the platform (an operator's new one, or
    /// a rotation); none: not since registration.
    pub admin_password_changed_at: Option<DateTimeUtc>,
    /// The client certificate chain (PEM) presented to a server that asks for one; its key is
    /// in the secret store (`database-servers/<id>/client-identity`).
    pub tls_client_cert_pem: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
