//! Rotating a database server's admin password from the platform, without a pause.
//!
//! 1. A new random password is kept as *pending* in the secret store before the server
//!    changes, so a crash after the change still knows the password that works.
//! 2. Under a session advisory lock in the admin database (one rotation per server, whichever
//!    control plane runs it), the admin's own session sets it with `ALTER ROLE CURRENT_USER`
//!    and a SCRAM verifier computed here: the password itself never reaches the server or its
//!    logs.
//! 3. A fresh login with it proves it; only then is it promoted (stored, counted in
//!    `access_version` so every process makes new admin connections with it) and the pending
//!    copy dropped. When the login fails, the old password is put back through the same
//!    session, and nothing changed.
//!
//! Sessions already logged in stay logged in (Postgres checks a password only at login), so
//! provisioning and fleet runs in flight keep their connections; tenant connections use the
//! tenants' own roles and are not touched at all. A crash between steps 2 and 3 is healed by
//! [`Provisioner::settle_pending_password`], which the health probe and the next rotation run.

use catalog::{CatalogError, ServerAccessUpdate, entity::database_server};
use dbtls::TlsMode;
use migrator::ServerAccess;
use secrets::{ExposeSecret, SecretString};
use tokio_postgres::Client;

use crate::{
    Actor, Provisioner,
    faults::FaultKind,
    server_admin::{ServerAdminError, ServerCheck, check_server, invalid},
};

/// The server whose admin URL the control plane is configured with (`TENANTRY_DATABASE_URL`),
/// registered again from it at every start.
pub const DEFAULT_SERVER_NAME: &str = "default";

/// First half of the session advisory lock held in a server's admin database while its admin
/// password changes ("tena" in ASCII); the second half is the admin login's oid, so logins
/// sharing a cluster rotate independently.
const ROTATION_LOCK_CLASS: i32 = 0x7465_6e61;

/// The fault point between setting the new password on the server and promoting it.
pub const SET_ON_SERVER: &str = "set_admin_password";

impl Provisioner {
    /// Gives server `name`'s admin user a new random password (see the module docs). Returns
    /// the server as it now is and the live check the new password passed.
    pub async fn rotate_server_password(
        &self,
        name: &str,
        actor: &Actor,
    ) -> Result<(database_server::Model, ServerCheck), ServerAdminError> {
        let server = self.catalog().server_by_name(name).await?;
        if server.name == DEFAULT_SERVER_NAME {
            return Err(invalid(
                "name",
                "the default server's admin password comes from TENANTRY_DATABASE_URL: change it on the server and in the setting",
            ));
        }
        let server = self.settle_pending_password(server).await?;
        let credentials = self.server_credentials();
        let Some(current) = credentials.password(&server).await? else {
            return Err(CatalogError::InvalidState {
                what: "server",
                actual: "logging in without a password".into(),
                expected: "an admin password to rotate".into(),
            }
            .into());
        };
        let identity = credentials.client_identity(&server).await?;
        let access = |password: &SecretString| ServerAccess::new(&server, Some(password.clone()), identity.as_ref());
        let session = locked_session(&access(&current)?).await?;
        let next = SecretString::from(secrets::random_password());
        credentials.put_pending(server.id, &next).await?;
        if let Err(err) = set_password(&session, &next).await {
            // Most likely the server refused it and kept the old password, but a connection
            // lost after the change looks the same: settling keeps whichever logs in.
            drop(session);
            self.settle_pending_password(server).await?;
            return Err(err);
        }
        if let Some(FaultKind::Crash | FaultKind::Fail) = self.inner.faults.take(SET_ON_SERVER) {
            return Err(anyhow::anyhow!("injected fault after setting the admin password on the server").into());
        }
        let check = match check_server(&access(&next)?).await {
            Ok(check) => check,
            Err(err) => {
                set_password(&session, &current).await?;
                credentials.forget_pending(server.id).await?;
                return Err(ServerAdminError::CheckFailed {
                    message: format!("the new admin password did not log in ({err}); the old one was put back"),
                });
            }
        };
        let server = self.promote_password(&server, &next, &check).await?;
        drop(session);
        let details = serde_json::json!({ "accessVersion": server.access_version });
        self.audit_server(actor, "server.rotate_password", &server, details).await;
        tracing::info!(server = %server.name, "rotated the database server's admin password");
        Ok((server, check))
    }

    /// Rotates the admin password of every platform server whose password is older than
    /// `max_age` (since it last changed, or since registration), one server at a time. Not
    /// tenant-hosted servers (the login is their owner's: rotate those on request) nor the
    /// `default` one. Returns the servers rotated; a failure is logged and left for the next
    /// pass.
    pub async fn rotate_due_server_passwords(&self, max_age: chrono::TimeDelta) -> anyhow::Result<Vec<String>> {
        let now = chrono::Utc::now();
        let mut rotated = Vec::new();
        for server in self.catalog().servers().await? {
            let changed = server.admin_password_changed_at.unwrap_or(server.created_at);
            let has_password = server.admin_password_stored || server.admin_password_sealed.is_some();
            let due = server.kind == catalog::ServerKind::Platform.as_str()
                && server.name != DEFAULT_SERVER_NAME
                && has_password
                && now - changed >= max_age;
            if !due {
                continue;
            }
            match self.rotate_server_password(&server.name, &Actor::system()).await {
                Ok(_) => rotated.push(server.name),
                Err(err) => {
                    tracing::warn!(server = %server.name, error = %err, "scheduled admin password rotation failed");
                }
            }
        }
        Ok(rotated)
    }

    /// Settles a rotation of `server`'s admin password that stopped half-way (a crash): when
    /// a pending password is left, whichever of it and the stored one logs in is kept (the
    /// pending one promoted), counted as a change, and the pending copy dropped. Returns the
    /// server as it now is; a rotation still running elsewhere is a conflict.
    pub async fn settle_pending_password(
        &self,
        server: database_server::Model,
    ) -> Result<database_server::Model, ServerAdminError> {
        let credentials = self.server_credentials();
        let Some(pending) = credentials.pending(server.id).await? else { return Ok(server) };
        let stored = credentials.password(&server).await?;
        let identity = credentials.client_identity(&server).await?;
        let mut found = None;
        for candidate in [stored.clone(), Some(pending.clone())] {
            let access = ServerAccess::new(&server, candidate.clone(), identity.as_ref())?;
            match locked_session(&access).await {
                Ok(session) => {
                    found = Some((candidate, access, session));
                    break;
                }
                Err(err @ ServerAdminError::Catalog(CatalogError::Conflict(_))) => return Err(err),
                Err(_) => continue,
            }
        }
        let Some((working, access, session)) = found else {
            return Err(ServerAdminError::CheckFailed {
                message: format!(
                    "neither the stored nor the pending admin password of `{}` logs in; set the working one with `tenantry servers set`",
                    server.name
                ),
            });
        };
        let same = |a: &Option<SecretString>, b: &SecretString| {
            a.as_ref().is_some_and(|a| a.expose_secret() == b.expose_secret())
        };
        let promoted = same(&working, &pending);
        // The pending password is already the stored one when a promotion stopped between the
        // secret store and the catalog: the count must still move.
        let server = if promoted || same(&stored, &pending) {
            let check = check_server(&access).await?;
            let server = self.promote_password(&server, &pending, &check).await?;
            tracing::warn!(server = %server.name, "settled an admin password rotation left half-way: the new password is kept");
            server
        } else {
            credentials.forget_pending(server.id).await?;
            tracing::warn!(server = %server.name, "settled an admin password rotation left half-way: the old password still works and stays");
            server
        };
        drop(session);
        let details = serde_json::json!({ "settled": true, "kept": if promoted { "pending" } else { "stored" } });
        self.audit_server(&Actor::system(), "server.rotate_password", &server, details).await;
        Ok(server)
    }

    /// Stores `password` as `server`'s admin password, counts the change and drops the pending
    /// copy (in that order: until the count moves, the pending copy says a change is unsettled).
    async fn promote_password(
        &self,
        server: &database_server::Model,
        password: &SecretString,
        check: &ServerCheck,
    ) -> Result<database_server::Model, ServerAdminError> {
        let credentials = self.server_credentials();
        credentials.put(server.id, password).await?;
        let tls_mode: TlsMode = server.tls_mode.parse().map_err(|err: String| anyhow::anyhow!(err))?;
        let change = ServerAccessUpdate {
            tls_mode,
            tls_ca_pem: server.tls_ca_pem.clone(),
            tls_client_cert_pem: server.tls_client_cert_pem.clone(),
            admin_password_stored: true,
            health: check.health(),
        };
        let server = self.catalog().update_server_access(server.id, &change).await?;
        credentials.forget_pending(server.id).await?;
        Ok(server)
    }
}

/// An admin session on the server holding the rotation lock; a conflict when another holds it.
async fn locked_session(access: &ServerAccess) -> Result<Client, ServerAdminError> {
    let client = access.connect(&access.admin_database).await.map_err(|err| ServerAdminError::CheckFailed {
        message: format!("cannot connect to {}:{}: {err:#}", access.host, access.port),
    })?;
    let row = client
        .query_one(
            "SELECT pg_try_advisory_lock($1, (SELECT oid::int4 FROM pg_roles WHERE rolname = current_user))",
            &[&ROTATION_LOCK_CLASS],
        )
        .await
        .map_err(|err| anyhow::anyhow!("take the rotation lock: {err}"))?;
    if !row.get::<_, bool>(0) {
        return Err(CatalogError::Conflict("the server's admin password is being changed; try again".into()).into());
    }
    Ok(client)
}

/// Sets the session user's password to `password`, as a SCRAM verifier (the usual 4096
/// iterations: an admin logs in rarely, and its password may be a person's).
async fn set_password(session: &Client, password: &SecretString) -> Result<(), ServerAdminError> {
    let verifier = postgres_protocol::password::scram_sha_256(password.expose_secret().as_bytes());
    session
        .batch_execute(&format!("ALTER ROLE CURRENT_USER PASSWORD '{verifier}'"))
        .await
        .map_err(|err| ServerAdminError::CheckFailed { message: format!("the server refused the new password: {err}") })
}
