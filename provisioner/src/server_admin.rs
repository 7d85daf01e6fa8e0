//! Registering database servers with a live check, changing and removing them, and probing
//! their health. A server is stored only after the check passed: reachable, Postgres 15 or
//! newer, an admin user that may create databases and roles, and a template database prepared
//! at the newest tenant schema (which exercises those privileges for real).

use catalog::{
    CatalogError, NewServer, PlacementMode, ServerHealth, ServerKind, ServerUpdate, entity::database_server,
};
use chrono::{DateTime, Utc};
use dbtls::{ClientIdentity, TlsMode};
use domain::quote_ident;
use migrator::ServerAccess;
use secrets::SecretString;
use uuid::Uuid;

use crate::{Actor, Provisioner};

/// Oldest Postgres major version provisioning supports (`CREATE DATABASE … STRATEGY`).
pub const MIN_SERVER_VERSION_NUM: i32 = 150_000;
/// Name of the template database on servers registered through the API or CLI.
pub const DEFAULT_TEMPLATE_DATABASE: &str = "tenantry_template";

/// A server to register.
#[derive(Debug, Clone)]
pub struct RegisterServer {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub admin_user: String,
    pub admin_password: Option<SecretString>,
    pub admin_database: String,
    /// Default [`DEFAULT_TEMPLATE_DATABASE`].
    pub template_database: Option<String>,
    pub kind: ServerKind,
    /// Default: `shared` for platform servers, `dedicated` for tenant-hosted ones.
    pub placement: Option<PlacementMode>,
    pub capacity: i32,
    /// How connections to it are protected (default `disable`).
    pub tls_mode: TlsMode,
    /// PEM CA bundle for `verify-full` (none: the host's trusted roots).
    pub tls_ca_pem: Option<String>,
    /// The client certificate to present, for a server that asks for one (TLS modes only).
    pub tls_client_identity: Option<ClientIdentity>,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerAdminError {
    /// A field is wrong before anything is tried.
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    /// The live check failed; `message` says which part.
    #[error("{message}")]
    CheckFailed { message: String },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// What a live check found.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ServerCheck {
    pub version: String,
    /// `server_version_num`, e.g. `150004` for 15.4.
    pub version_num: i32,
    /// Whether the checking connection is encrypted.
    pub tls: bool,
    pub superuser: bool,
    pub max_connections: i32,
    /// When the certificate chain the server presents expires, the soonest of leaf and
    /// intermediates (TLS modes only; `None` when it could not be read).
    pub tls_certificate_expires_at: Option<DateTime<Utc>>,
    /// When the client certificate the platform presents expires (the soonest of its chain;
    /// `None` without one).
    pub client_certificate_expires_at: Option<DateTime<Utc>>,
}

/// A server certificate expiring within this is reported in the server's health detail.
pub const CERTIFICATE_WARNING: chrono::TimeDelta = chrono::TimeDelta::days(30);

impl ServerCheck {
    /// The health this check records: `ok`, with a warning when the server's certificate or
    /// the platform's client certificate expires within [`CERTIFICATE_WARNING`] (or has:
    /// `require` connects regardless).
    pub fn health(&self) -> ServerHealth {
        let now = Utc::now();
        let warning = |what: &str, at: Option<DateTime<Utc>>| {
            at.filter(|at| *at - now < CERTIFICATE_WARNING).map(|at| {
                let date = at.format("%Y-%m-%d %H:%M UTC");
                match (at - now).num_days() {
                    _ if at <= now => format!("{what} expired on {date}"),
                    days => format!("{what} expires on {date} (in {days} days)"),
                }
            })
        };
        let warnings: Vec<String> = [
            warning("the server's TLS certificate", self.tls_certificate_expires_at),
            warning("the platform's client certificate", self.client_certificate_expires_at),
        ]
        .into_iter()
        .flatten()
        .collect();
        let detail = (!warnings.is_empty()).then(|| warnings.join("; "));
        ServerHealth {
            ok: true,
            detail,
            version: Some(self.version.clone()),
            checked_at: now,
            tls_certificate_expires_at: self.tls_certificate_expires_at,
        }
    }
}

/// When the certificate of the server `access` reaches expires; `None` for plain TCP or when
/// it cannot be read (the check itself says whether the server is usable).
async fn certificate_expiry(access: &ServerAccess) -> Option<DateTime<Utc>> {
    if access.tls().mode() == TlsMode::Disable {
        return None;
    }
    match dbtls::server_certificate_expiry(&access.host, access.port, CHECK_TIMEOUT).await {
        Ok(expiry) => expiry,
        Err(err) => {
            tracing::debug!(host = %access.host, error = %format!("{err:#}"), "could not read the server's certificate");
            None
        }
    }
}

/// How long reading a server's certificate may take.
const CHECK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ServerAdminError {
    ServerAdminError::Invalid { field, message: message.into() }
}

/// A server name: 1–63 of `a-z`, `0-9`, `-`, `_`, starting with a letter or digit.
pub fn validate_server_name(name: &str) -> Result<(), ServerAdminError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && name.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(invalid("name", "1–63 characters: a-z, 0-9, `-`, `_`, starting with a letter or digit"))
    }
}

/// A CA bundle for `mode`: only with `verify-full`, at most 64 KiB, and PEM certificates.
pub(crate) fn validate_ca(mode: TlsMode, pem: &str) -> Result<(), ServerAdminError> {
    if mode != TlsMode::VerifyFull {
        return Err(invalid("caCertificate", "a CA bundle goes with tlsMode `verify-full`"));
    }
    if pem.len() > 64 * 1024 {
        return Err(invalid("caCertificate", "at most 64 KiB of PEM"));
    }
    dbtls::validate_ca_pem(pem).map_err(|err| invalid("caCertificate", format!("{err:#}")))
}

/// A client certificate goes with TLS: without encryption there is no handshake to present it in.
pub(crate) fn validate_client_certificate(mode: TlsMode) -> Result<(), ServerAdminError> {
    if mode == TlsMode::Disable {
        return Err(invalid("clientCertificate", "a client certificate goes with tlsMode `require` or `verify-full`"));
    }
    Ok(())
}

/// The plain fields of a server change: state and capacity in range.
pub(crate) fn validate_update(update: &ServerUpdate) -> Result<(), ServerAdminError> {
    if let Some(state) = &update.state
        && !matches!(state.as_str(), "active" | "draining")
    {
        return Err(invalid("state", "`active` or `draining`"));
    }
    if let Some(capacity) = update.capacity
        && !(1..=100_000).contains(&capacity)
    {
        return Err(invalid("capacity", "1–100000 tenant databases"));
    }
    Ok(())
}

impl RegisterServer {
    fn validate(&self) -> Result<PlacementMode, ServerAdminError> {
        validate_server_name(&self.name)?;
        let host_ok = !self.host.is_empty()
            && self.host.len() <= 253
            && self.host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
        if !host_ok {
            return Err(invalid("host", "a host name or IP address"));
        }
        if self.port == 0 {
            return Err(invalid("port", "1–65535"));
        }
        let template = self.template_database.as_deref().unwrap_or(DEFAULT_TEMPLATE_DATABASE);
        for (field, value) in [
            ("adminUser", self.admin_user.as_str()),
            ("adminDatabase", &self.admin_database),
            ("templateDatabase", template),
        ] {
            if value.is_empty() || value.len() > 63 || value.contains('\0') {
                return Err(invalid(field, "1–63 characters"));
            }
        }
        if !(1..=100_000).contains(&self.capacity) {
            return Err(invalid("capacity", "1–100000 tenant databases"));
        }
        if let Some(pem) = &self.tls_ca_pem {
            validate_ca(self.tls_mode, pem)?;
        }
        if self.tls_client_identity.is_some() {
            validate_client_certificate(self.tls_mode)?;
        }
        match (self.kind, self.placement) {
            (ServerKind::TenantHosted, Some(PlacementMode::Shared)) => {
                Err(invalid("placement", "a tenant-hosted server is dedicated to its tenant"))
            }
            (ServerKind::TenantHosted, _) => Ok(PlacementMode::Dedicated),
            (ServerKind::Platform, placement) => Ok(placement.unwrap_or(PlacementMode::Shared)),
        }
    }
}

/// Connects to a server as its admin and checks what provisioning needs.
pub async fn check_server(access: &ServerAccess) -> Result<ServerCheck, ServerAdminError> {
    let fail = |message: String| ServerAdminError::CheckFailed { message };
    let client = access
        .connect(&access.admin_database)
        .await
        .map_err(|err| fail(format!("cannot connect to {}:{}: {err:#}", access.host, access.port)))?;
    let row = client
        .query_one(
            "SELECT current_setting('server_version_num')::int, current_setting('server_version'), \
                    r.rolsuper, r.rolcreatedb, r.rolcreaterole, \
                    COALESCE((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), false), \
                    current_setting('max_connections')::int \
             FROM pg_roles r WHERE r.rolname = current_user",
            &[],
        )
        .await
        .map_err(|err| fail(format!("cannot inspect the server: {err}")))?;
    let check = ServerCheck {
        version_num: row.get(0),
        version: row.get(1),
        superuser: row.get(2),
        tls: row.get(5),
        max_connections: row.get(6),
        tls_certificate_expires_at: certificate_expiry(access).await,
        client_certificate_expires_at: access
            .tls()
            .client_cert_pem()
            .and_then(|pem| dbtls::bundle_expiry(pem).ok().flatten()),
    };
    let (createdb, createrole): (bool, bool) = (row.get(3), row.get(4));
    if check.version_num < MIN_SERVER_VERSION_NUM {
        return Err(fail(format!("Postgres 15 or newer is needed; the server runs {}", check.version)));
    }
    if !(check.superuser || (createdb && createrole)) {
        return Err(fail(format!(
            "the admin user `{}` needs CREATEDB and CREATEROLE (or superuser)",
            access.admin_user
        )));
    }
    Ok(check)
}

impl Provisioner {
    /// Registers a server after a live check that also prepares its template database.
    pub async fn register_server(
        &self,
        req: RegisterServer,
        actor: &Actor,
    ) -> Result<(database_server::Model, ServerCheck), ServerAdminError> {
        let placement = req.validate()?;
        match self.catalog().server_by_name(&req.name).await {
            Ok(_) => return Err(CatalogError::Conflict(format!("a server named `{}` exists", req.name)).into()),
            Err(CatalogError::NotFound(_)) => {}
            Err(err) => return Err(err.into()),
        }
        let id = Uuid::now_v7();
        let new = NewServer {
            name: req.name.clone(),
            host: req.host.clone(),
            port: req.port,
            admin_user: req.admin_user.clone(),
            admin_password_stored: req.admin_password.is_some(),
            tls_mode: req.tls_mode,
            tls_ca_pem: req.tls_ca_pem.clone(),
            tls_client_cert_pem: req.tls_client_identity.as_ref().map(|identity| identity.cert_pem().to_owned()),
            admin_database: req.admin_database.clone(),
            template_database: req.template_database.clone().unwrap_or_else(|| DEFAULT_TEMPLATE_DATABASE.to_owned()),
            capacity: req.capacity,
            kind: req.kind,
            placement,
        };
        let identity = req.tls_client_identity.as_ref();
        let access = ServerAccess::new(&unsaved_model(id, &new), req.admin_password.clone(), identity)?;
        let check = check_server(&access).await?;
        migrator::ensure_template(&access, self.schema()).await.map_err(|err| ServerAdminError::CheckFailed {
            message: format!("cannot prepare the template database: {err:#}"),
        })?;
        let health = check.health();
        // The password and the client certificate are stored before the row that points at
        // them, and forgotten again if the row is not written: nothing is left in the secret
        // store for a server not registered.
        if let Some(password) = &req.admin_password {
            self.server_credentials().put(id, password).await?;
        }
        if let Some(identity) = identity {
            self.server_credentials().put_client_identity(id, identity).await?;
        }
        let server = match self.catalog().insert_server(id, &new, &health).await {
            Ok(server) => server,
            Err(err) => {
                if let Err(forget) = self.server_credentials().forget(id).await {
                    tracing::warn!(error = %format!("{forget:#}"), "could not forget an unregistered server's password");
                }
                return Err(err.into());
            }
        };
        self.audit_server(
            actor,
            "server.register",
            &server,
            serde_json::json!({
                "kind": server.kind, "placement": server.placement,
                "tlsMode": server.tls_mode, "clientCertificate": identity.is_some(),
            }),
        )
        .await;
        Ok((server, check))
    }

    /// Changes a server's state (`active`/`draining`), capacity or placement.
    pub async fn update_server(
        &self,
        name: &str,
        update: ServerUpdate,
        actor: &Actor,
    ) -> Result<database_server::Model, ServerAdminError> {
        validate_update(&update)?;
        let server = self.catalog().server_by_name(name).await?;
        let server = self.catalog().update_server(server.id, &update).await?;
        let details =
            serde_json::json!({ "state": update.state, "capacity": update.capacity, "placement": update.placement });
        self.audit_server(actor, "server.update", &server, details).await;
        Ok(server)
    }

    /// Removes a server that holds no tenant databases, dropping the template database the
    /// platform created on it.
    pub async fn remove_server(&self, name: &str, actor: &Actor) -> Result<(), ServerAdminError> {
        let server = self.catalog().server_by_name(name).await?;
        if self.catalog().tenant_count_on(server.id).await? > 0 {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: "holding tenant databases".into(),
                expected: "empty (offboard or move its tenants first)".into(),
            }
            .into());
        }
        // Its spare databases go with it (the spare filler leaves draining servers alone).
        if let Err(err) = self.drop_spares_on(&server).await {
            tracing::warn!(server = %server.name, error = %format!("{err:#}"), "could not drop the spare databases");
        }
        if let Ok(access) = self.server_credentials().access(&server).await
            && let Ok(client) = access.connect(&access.admin_database).await
        {
            let template = quote_ident(&server.template_database);
            // Two statements: DROP DATABASE refuses to run inside the implicit transaction of a batch.
            let unmarked = client.batch_execute(&format!("ALTER DATABASE {template} WITH IS_TEMPLATE false")).await;
            let dropped = match unmarked {
                Ok(()) => client.batch_execute(&format!("DROP DATABASE IF EXISTS {template} WITH (FORCE)")).await,
                Err(err) => Err(err),
            };
            if let Err(err) = dropped {
                tracing::warn!(server = %server.name, error = %err, "could not drop the template database");
            }
        }
        self.catalog().remove_server(server.id).await?;
        if let Err(err) = self.server_credentials().forget(server.id).await {
            tracing::warn!(server = %server.name, error = %format!("{err:#}"), "could not delete the server's admin password");
        }
        self.audit_server(actor, "server.remove", &server, serde_json::json!({})).await;
        Ok(())
    }

    /// Checks one server now and records the outcome.
    pub async fn check_registered_server(
        &self,
        server: &database_server::Model,
    ) -> anyhow::Result<(ServerHealth, Option<ServerCheck>)> {
        // A password rotation left half-way is settled first, so the check uses the one that
        // logs in (a rotation running elsewhere is left to finish).
        let settled = match self.settle_pending_password(server.clone()).await {
            Ok(settled) => Some(settled),
            Err(err) => {
                tracing::warn!(server = %server.name, error = %err, "could not settle the pending admin password");
                None
            }
        };
        let server = settled.as_ref().unwrap_or(server);
        let access = self.server_credentials().access(server).await?;
        let (health, check) = match check_server(&access).await {
            Ok(check) => (check.health(), Some(check)),
            Err(err) => (
                ServerHealth {
                    ok: false,
                    detail: Some(err.to_string()),
                    version: None,
                    checked_at: Utc::now(),
                    tls_certificate_expires_at: None,
                },
                None,
            ),
        };
        if health.ok && health.detail.is_some() && health.detail != server.health_detail {
            tracing::warn!(server = %server.name, detail = ?health.detail, "database server certificate expiring");
        }
        if server.health != if health.ok { "ok" } else { "failing" } {
            tracing::info!(server = %server.name, healthy = health.ok, detail = ?health.detail, "database server health changed");
        }
        self.catalog().record_server_health(server.id, &health).await?;
        Ok((health, check))
    }

    pub(crate) async fn audit_server(
        &self,
        actor: &Actor,
        action: &'static str,
        server: &database_server::Model,
        mut details: serde_json::Value,
    ) {
        details["server"] = server.name.clone().into();
        let event = catalog::NewAuditEvent {
            actor: actor.name.clone(),
            action,
            tenant_id: None,
            details,
            request_id: actor.request_id.clone(),
        };
        if let Err(err) = self.catalog().record_audit(event).await {
            tracing::error!(action, error = %err, "could not write audit event");
        }
    }
}

/// A model for a server not stored yet (to open its access settings for the live check).
fn unsaved_model(id: Uuid, new: &NewServer) -> database_server::Model {
    database_server::Model {
        id,
        name: new.name.clone(),
        host: new.host.clone(),
        port: i32::from(new.port),
        admin_user: new.admin_user.clone(),
        admin_password_sealed: None,
        admin_password_stored: new.admin_password_stored,
        admin_database: new.admin_database.clone(),
        template_database: new.template_database.clone(),
        state: "active".into(),
        capacity: new.capacity,
        created_at: Utc::now(),
        kind: new.kind.as_str().into(),
        placement: new.placement.as_str().into(),
        tls_mode: new.tls_mode.as_str().into(),
        tls_ca_pem: new.tls_ca_pem.clone(),
        server_version: None,
        health: "unknown".into(),
        health_detail: None,
        checked_at: None,
        access_version: 1,
        tls_certificate_expires_at: None,
        admin_password_changed_at: None,
        tls_client_cert_pem: new.tls_client_cert_pem.clone(),
    }
}

/// Checks every registered server and records its health.
pub async fn probe_server_health(provisioner: &Provisioner) -> anyhow::Result<()> {
    for server in provisioner.catalog().servers().await? {
        if let Err(err) = provisioner.check_registered_server(&server).await {
            tracing::warn!(server = %server.name, error = %format!("{err:#}"), "database server probe failed");
        }
    }
    Ok(())
}

/// Probes every server every `every` until `shutdown`; with `rotate_after`, also rotates the
/// admin passwords older than that ([`Provisioner::rotate_due_server_passwords`]).
pub async fn run_server_prober(
    provisioner: Provisioner,
    every: std::time::Duration,
    rotate_after: Option<chrono::TimeDelta>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    crate::run_every(every, shutdown, || async {
        if let Err(err) = probe_server_health(&provisioner).await {
            tracing::warn!(error = %format!("{err:#}"), "database server probe failed");
        }
        if let Some(max_age) = rotate_after
            && let Err(err) = provisioner.rotate_due_server_passwords(max_age).await
        {
            tracing::warn!(error = %format!("{err:#}"), "scheduled admin password rotation failed");
        }
    })
    .await;
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn check_expiring(at: Option<DateTime<Utc>>) -> ServerCheck {
        ServerCheck {
            version: "15.1".into(),
            version_num: 150001,
            tls: true,
            superuser: true,
            max_connections: 100,
            tls_certificate_expires_at: at,
            client_certificate_expires_at: None,
        }
    }

    #[test]
    fn an_expiring_client_certificate_is_reported_beside_the_servers() {
        let now = Utc::now();
        let mut check = check_expiring(Some(now + TimeDelta::days(5) + TimeDelta::hours(1)));
        check.client_certificate_expires_at = Some(now - TimeDelta::days(1));
        let detail = check.health().detail.unwrap();
        assert!(detail.contains("server's TLS certificate expires on"), "{detail}");
        assert!(detail.contains("; the platform's client certificate expired on"), "{detail}");
        check.tls_certificate_expires_at = Some(now + TimeDelta::days(365));
        check.client_certificate_expires_at = Some(now + TimeDelta::days(20) + TimeDelta::hours(1));
        let detail = check.health().detail.unwrap();
        assert!(
            detail.starts_with("the platform's client certificate expires on") && detail.ends_with("(in 20 days)"),
            "{detail}"
        );
    }

    #[test]
    fn a_server_certificate_expiring_within_30_days_or_expired_is_reported_in_the_health_detail() {
        let now = Utc::now();
        let soon = now + TimeDelta::days(12) + TimeDelta::hours(1);
        let health = check_expiring(Some(soon)).health();
        assert!(health.ok, "an expiring certificate still connects");
        let detail = health.detail.unwrap();
        assert!(detail.contains("expires on") && detail.ends_with("(in 12 days)"), "{detail}");
        assert_eq!(health.tls_certificate_expires_at, Some(soon));

        let detail = check_expiring(Some(now - TimeDelta::days(1))).health().detail.unwrap();
        assert!(detail.contains("expired on"), "{detail}");
        for quiet in [Some(now + TimeDelta::days(31)), None] {
            assert_eq!(check_expiring(quiet).health().detail, None);
        }
    }
}
