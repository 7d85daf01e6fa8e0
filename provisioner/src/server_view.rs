//! A database server as the API and the CLI show it: one type, so both print the same fields.

use catalog::{ServerSummary, entity::database_server};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A database server (its admin password is never returned).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerView {
    id: Uuid,
    name: String,
    host: String,
    port: i32,
    admin_user: String,
    admin_database: String,
    template_database: String,
    /// `platform` or `tenant_hosted`.
    kind: String,
    /// `shared` (automatic placement) or `dedicated` (only a tenant pinned to it).
    placement: String,
    /// `active` (takes new tenants) or `draining`.
    state: String,
    capacity: i32,
    /// `disable`, `require` or `verify-full`.
    tls_mode: String,
    /// Whether `verify-full` trusts a registered CA bundle (rather than the host's roots).
    tls_ca_registered: bool,
    /// When the first certificate of the registered CA bundle expires.
    tls_ca_expires_at: Option<DateTime<Utc>>,
    /// When the certificate chain the server presents expires (the soonest of leaf and
    /// intermediates), from the last successful check (TLS modes only). Within 30 days of it,
    /// `healthDetail` says so.
    tls_certificate_expires_at: Option<DateTime<Utc>>,
    /// Whether the platform presents a client certificate to it (its key is never returned).
    tls_client_certificate: bool,
    /// When that client certificate (the soonest of its chain) expires.
    tls_client_certificate_expires_at: Option<DateTime<Utc>>,
    /// Tenant databases on the server.
    tenants: i64,
    /// `unknown`, `ok` or `failing`, from the last check.
    health: String,
    health_detail: Option<String>,
    server_version: Option<String>,
    checked_at: Option<DateTime<Utc>>,
    /// When the admin password last changed through the platform (an operator's new one or a
    /// rotation); `null`: not since registration.
    admin_password_changed_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

impl ServerView {
    /// The catalog row `s`, with `tenants` tenant databases on it.
    pub fn new(s: database_server::Model, tenants: i64) -> Self {
        Self {
            id: s.id,
            name: s.name,
            host: s.host,
            port: s.port,
            admin_user: s.admin_user,
            admin_database: s.admin_database,
            template_database: s.template_database,
            kind: s.kind,
            placement: s.placement,
            state: s.state,
            capacity: s.capacity,
            tls_mode: s.tls_mode,
            tls_ca_registered: s.tls_ca_pem.is_some(),
            tls_ca_expires_at: s.tls_ca_pem.as_deref().and_then(|pem| dbtls::bundle_expiry(pem).ok().flatten()),
            tls_certificate_expires_at: s.tls_certificate_expires_at,
            tls_client_certificate: s.tls_client_cert_pem.is_some(),
            tls_client_certificate_expires_at: s
                .tls_client_cert_pem
                .as_deref()
                .and_then(|pem| dbtls::bundle_expiry(pem).ok().flatten()),
            tenants,
            health: s.health,
            health_detail: s.health_detail,
            server_version: s.server_version,
            checked_at: s.checked_at,
            admin_password_changed_at: s.admin_password_changed_at,
            created_at: s.created_at,
        }
    }
}

impl From<ServerSummary> for ServerView {
    fn from(s: ServerSummary) -> Self {
        Self::new(s.server, s.tenants)
    }
}
