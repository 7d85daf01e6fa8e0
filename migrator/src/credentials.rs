//! Database servers' admin passwords, kept in the platform's secret store (Vault or the local
//! store) under the platform scope as `database-servers/<id>/admin-password`. The catalog only
//! records that a server has one there, so a catalog dump or the catalog reader's login never
//! holds a server credential, and with Vault the credential never touches the catalog at all.
//!
//! Servers registered before this kept the password sealed with the master key in the catalog;
//! [`ServerCredentials::move_sealed_into_store`] moves those (the control plane runs it at start).

use std::sync::Arc;

use anyhow::Context;
use catalog::{Catalog, entity::database_server};
use dbtls::ClientIdentity;
use secrets::{
    ExposeSecret, Keyring, Scope, SecretError, SecretName, SecretStore, SecretString, delete_if_present, put_if_changed,
};
use uuid::Uuid;

use crate::{ServerAccess, admin::server_password_context};

/// The secret holding a server's admin password (platform scope).
pub fn admin_password_secret(server: Uuid) -> SecretName {
    SecretName::parse(&format!("database-servers/{server}/admin-password")).unwrap_or_else(|_| unreachable!())
}

/// The secret holding the client certificate and key (one PEM bundle) the platform presents
/// to a server that asks for one (platform scope).
pub fn client_identity_secret(server: Uuid) -> SecretName {
    SecretName::parse(&format!("database-servers/{server}/client-identity")).unwrap_or_else(|_| unreachable!())
}

/// The secret holding a server's next admin password while a rotation sets it on the server
/// (platform scope): kept before the server changes, so a crash in between loses nothing.
pub fn pending_password_secret(server: Uuid) -> SecretName {
    SecretName::parse(&format!("database-servers/{server}/admin-password-pending")).unwrap_or_else(|_| unreachable!())
}

/// Reads and writes database servers' admin passwords.
#[derive(Clone)]
pub struct ServerCredentials {
    store: Arc<dyn SecretStore>,
    /// Opens passwords still sealed in the catalog (servers registered before the move).
    keyring: Keyring,
}

impl ServerCredentials {
    pub fn new(store: Arc<dyn SecretStore>, keyring: Keyring) -> Self {
        Self { store, keyring }
    }

    /// The admin connection settings of `server`, with its password and client certificate
    /// from the secret store.
    pub async fn access(&self, server: &database_server::Model) -> anyhow::Result<ServerAccess> {
        ServerAccess::new(server, self.password(server).await?, self.client_identity(server).await?.as_ref())
    }

    /// The client certificate `server` asks for, if it does.
    pub async fn client_identity(&self, server: &database_server::Model) -> anyhow::Result<Option<ClientIdentity>> {
        if server.tls_client_cert_pem.is_none() {
            return Ok(None);
        }
        let secret = self
            .store
            .get(&Scope::Platform, &client_identity_secret(server.id), None)
            .await
            .with_context(|| format!("read the client certificate of database server `{}`", server.name))?;
        Ok(Some(ClientIdentity::from_bundle(secret.value.expose_secret())?))
    }

    /// Stores `identity` as the client certificate the platform presents to server `id`.
    pub async fn put_client_identity(&self, id: Uuid, identity: &ClientIdentity) -> anyhow::Result<()> {
        put_if_changed(self.store.as_ref(), &Scope::Platform, &client_identity_secret(id), &identity.bundle())
            .await
            .context("store the database server's client certificate")?;
        Ok(())
    }

    /// Forgets server `id`'s client certificate.
    pub async fn forget_client_identity(&self, id: Uuid) -> anyhow::Result<()> {
        delete_if_present(self.store.as_ref(), &Scope::Platform, &client_identity_secret(id))
            .await
            .context("delete the database server's client certificate")
    }

    /// The admin password of `server` (none: it logs in without one, e.g. `trust`).
    pub async fn password(&self, server: &database_server::Model) -> anyhow::Result<Option<SecretString>> {
        let password = if server.admin_password_stored {
            let secret = self
                .store
                .get(&Scope::Platform, &admin_password_secret(server.id), None)
                .await
                .with_context(|| format!("read the admin password of database server `{}`", server.name))?;
            Some(secret.value)
        } else if let Some(sealed) = server.admin_password_sealed.as_deref() {
            Some(
                self.keyring
                    .open(&server_password_context(server.id), sealed)
                    .context("open database server admin password")?,
            )
        } else {
            None
        };
        Ok(password)
    }

    /// Stores `password` as the admin password of server `id`, unless it is already the
    /// stored one (the default server is registered again at every start).
    pub async fn put(&self, id: Uuid, password: &SecretString) -> anyhow::Result<()> {
        put_if_changed(self.store.as_ref(), &Scope::Platform, &admin_password_secret(id), password.expose_secret())
            .await
            .context("store the database server's admin password")?;
        Ok(())
    }

    /// Forgets server `id`'s admin password (the server was removed, or never registered),
    /// and a pending one and its client certificate with it.
    pub async fn forget(&self, id: Uuid) -> anyhow::Result<()> {
        self.forget_pending(id).await?;
        self.forget_client_identity(id).await?;
        delete_if_present(self.store.as_ref(), &Scope::Platform, &admin_password_secret(id))
            .await
            .context("delete the database server's admin password")
    }

    /// The password a rotation of server `id` was setting, if one was left pending.
    pub async fn pending(&self, id: Uuid) -> anyhow::Result<Option<SecretString>> {
        match self.store.get(&Scope::Platform, &pending_password_secret(id), None).await {
            Ok(secret) => Ok(Some(secret.value)),
            Err(SecretError::NotFound) => Ok(None),
            Err(err) => Err(err).context("read the pending admin password"),
        }
    }

    /// Keeps `password` as server `id`'s pending admin password.
    pub async fn put_pending(&self, id: Uuid, password: &SecretString) -> anyhow::Result<()> {
        self.store
            .put(&Scope::Platform, &pending_password_secret(id), password.expose_secret(), None)
            .await
            .context("store the pending admin password")?;
        Ok(())
    }

    /// Forgets server `id`'s pending admin password.
    pub async fn forget_pending(&self, id: Uuid) -> anyhow::Result<()> {
        delete_if_present(self.store.as_ref(), &Scope::Platform, &pending_password_secret(id))
            .await
            .context("delete the pending admin password")
    }

    /// Moves admin passwords still sealed in the catalog into the secret store; returns how
    /// many moved. Safe to run concurrently: the catalog row changes only if still sealed.
    pub async fn move_sealed_into_store(&self, catalog: &Catalog) -> anyhow::Result<usize> {
        let mut moved = 0;
        for server in catalog.servers().await? {
            let Some(sealed) = server.admin_password_sealed.as_deref() else { continue };
            let password =
                self.keyring.open(&server_password_context(server.id), sealed).context("open sealed admin password")?;
            self.put(server.id, &password).await?;
            if catalog.mark_server_password_stored(server.id, sealed).await? {
                tracing::info!(server = %server.name, "moved the database server's admin password to the secret store");
                moved += 1;
            }
        }
        Ok(moved)
    }
}
