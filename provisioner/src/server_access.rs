//! Changing how the platform reaches a registered database server: its TLS mode and CA bundle
//! (a server moving to TLS, a renewed CA), the client certificate it asks for, and its admin
//! password (rotated by its owner). The new settings must pass the live check first; when they
//! do not, nothing changes. The change bumps the server's `access_version`: admin pools made
//! under the old one are replaced, and after a TLS or client-certificate change the tenant
//! planes reconnect the server's tenants (NOTIFY `server:<id>`).

use catalog::{ServerAccessUpdate, ServerUpdate, entity::database_server};
use dbtls::{ClientIdentity, TlsMode};
use migrator::ServerAccess;
use secrets::SecretString;

use crate::{
    Actor, Provisioner,
    server_admin::{
        ServerAdminError, ServerCheck, check_server, validate_ca, validate_client_certificate, validate_update,
    },
};

/// A change of how the platform connects to a server; `None` keeps what it has.
#[derive(Debug, Clone, Default)]
pub struct ServerAccessChange {
    pub tls_mode: Option<TlsMode>,
    /// `Some(None)` removes the CA bundle (`verify-full` then trusts the host's roots).
    /// `None` keeps it while the mode stays `verify-full`; any other mode has none.
    pub ca_certificate: Option<Option<String>>,
    /// The admin user's new password (already set on the server by its owner).
    pub admin_password: Option<SecretString>,
    /// `Some(None)` stops presenting a client certificate; `None` keeps the one it has.
    pub client_identity: Option<Option<ClientIdentity>>,
}

impl ServerAccessChange {
    /// The TLS settings the server would have.
    fn tls(&self, server: &database_server::Model) -> Result<(TlsMode, Option<String>), ServerAdminError> {
        let current: TlsMode = server.tls_mode.parse().map_err(|err: String| anyhow::anyhow!(err))?;
        let mode = self.tls_mode.unwrap_or(current);
        let ca = match &self.ca_certificate {
            Some(ca) => ca.clone(),
            None if mode == TlsMode::VerifyFull => server.tls_ca_pem.clone(),
            None => None,
        };
        if let Some(pem) = &ca {
            validate_ca(mode, pem)?;
        }
        Ok((mode, ca))
    }
}

impl Provisioner {
    /// Changes a server: its state, capacity and placement as [`Provisioner::update_server`],
    /// and how it is reached. Returns the live check's findings when the way in changed.
    pub async fn change_server(
        &self,
        name: &str,
        update: ServerUpdate,
        access: ServerAccessChange,
        actor: &Actor,
    ) -> Result<(database_server::Model, Option<ServerCheck>), ServerAdminError> {
        validate_update(&update)?;
        let mut server = self.catalog().server_by_name(name).await?;
        let (tls_mode, tls_ca_pem) = access.tls(&server)?;
        let tls_changed = tls_mode.as_str() != server.tls_mode || tls_ca_pem != server.tls_ca_pem;
        let credentials = self.server_credentials();
        let current_identity = credentials.client_identity(&server).await?;
        let identity = access.client_identity.clone().unwrap_or_else(|| current_identity.clone());
        let identity_changed = identity != current_identity;
        if identity.is_some() {
            validate_client_certificate(tls_mode)?;
        }
        let mut check = None;
        if tls_changed || identity_changed || access.admin_password.is_some() {
            let password = match &access.admin_password {
                Some(password) => Some(password.clone()),
                None => credentials.password(&server).await?,
            };
            let mut candidate = server.clone();
            candidate.tls_mode = tls_mode.as_str().to_owned();
            candidate.tls_ca_pem.clone_from(&tls_ca_pem);
            candidate.tls_client_cert_pem = identity.as_ref().map(|i| i.cert_pem().to_owned());
            let found = check_server(&ServerAccess::new(&candidate, password, identity.as_ref())?).await?;
            // Stored before the row counts the change: a reader that sees the new version
            // finds the new password and certificate (which the check just proved), and so
            // does every tenant on the server (its copy is in its own scope).
            if let Some(password) = &access.admin_password {
                credentials.put(server.id, password).await?;
            }
            if identity_changed && let Some(identity) = &identity {
                credentials.put_client_identity(server.id, identity).await?;
                self.share_client_identity(server.id, identity).await?;
            }
            let change = ServerAccessUpdate {
                tls_mode,
                tls_ca_pem,
                tls_client_cert_pem: candidate.tls_client_cert_pem.clone(),
                admin_password_stored: access.admin_password.is_some(),
                health: found.health(),
            };
            server = self.catalog().update_server_access(server.id, &change).await?;
            if identity_changed && identity.is_none() {
                credentials.forget_client_identity(server.id).await?;
                self.unshare_client_identity(server.id).await;
            }
            check = Some(found);
        }
        let plain = update.state.is_some() || update.capacity.is_some() || update.placement.is_some();
        if plain {
            server = self.catalog().update_server(server.id, &update).await?;
        }
        if plain || check.is_some() {
            let details = serde_json::json!({
                "state": update.state, "capacity": update.capacity, "placement": update.placement,
                "tlsMode": tls_changed.then(|| server.tls_mode.clone()),
                "caCertificate": tls_changed.then(|| server.tls_ca_pem.is_some()),
                "clientCertificate": identity_changed.then(|| server.tls_client_cert_pem.is_some()),
                "adminPasswordChanged": access.admin_password.is_some(),
            });
            self.audit_server(actor, "server.update", &server, details).await;
        }
        Ok((server, check))
    }
}
