//! The client certificate a database server asks for, as each tenant on it holds it: a copy in
//! the tenant's own secret scope (`db-client-identity/<server id>`), which the tenant plane reads
//! with the tenant's database password — it cannot read the platform scope, where the server's
//! own copy is. Written when a tenant is placed on the server (`create_role`) or moved to it
//! (`prepare_target`), and for every tenant on the server when the server's certificate changes
//! (before the change is counted, so a tenant plane reloading the route finds it).

use anyhow::Context;
use catalog::entity::database_server;
use dbtls::ClientIdentity;
use domain::TenantId;
use secrets::{ExposeSecret, Scope, SecretStore, db_client_identity, delete_if_present, put_if_changed};
use uuid::Uuid;

use crate::Provisioner;

impl Provisioner {
    /// Gives `tenant` its copy of `server`'s client certificate, if the server asks for one.
    pub(crate) async fn give_client_identity(
        &self,
        tenant: TenantId,
        server: &database_server::Model,
    ) -> anyhow::Result<()> {
        match self.server_credentials().client_identity(server).await? {
            Some(identity) => put_copy(self.secrets().as_ref(), tenant, server.id, &identity).await,
            None => Ok(()),
        }
    }

    /// `tenant`'s copy of `server`'s client certificate (none when the server asks for none).
    pub(crate) async fn tenant_client_identity(
        &self,
        tenant: TenantId,
        server: &database_server::Model,
    ) -> anyhow::Result<Option<ClientIdentity>> {
        if server.tls_client_cert_pem.is_none() {
            return Ok(None);
        }
        let secret = self
            .secrets()
            .get(&Scope::Tenant(tenant), &db_client_identity(server.id), None)
            .await
            .context("read the tenant's client certificate")?;
        Ok(Some(ClientIdentity::from_bundle(secret.value.expose_secret())?))
    }

    /// Writes `identity` into the scope of every tenant placed on server `server`.
    pub(crate) async fn share_client_identity(&self, server: Uuid, identity: &ClientIdentity) -> anyhow::Result<()> {
        for placement in self.catalog().placements().await?.into_iter().filter(|p| p.server_id == server) {
            put_copy(self.secrets().as_ref(), TenantId::from_uuid(placement.tenant_id), server, identity).await?;
        }
        Ok(())
    }

    /// Deletes the tenants' copies of server `server`'s client certificate (best effort: a
    /// copy left behind is never read, and goes with the tenant's scope).
    pub(crate) async fn unshare_client_identity(&self, server: Uuid) {
        let placements = match self.catalog().placements().await {
            Ok(placements) => placements,
            Err(err) => {
                tracing::warn!(error = %err, "could not list the tenants whose client certificate copies to delete");
                return;
            }
        };
        for placement in placements.into_iter().filter(|p| p.server_id == server) {
            self.drop_client_identity(TenantId::from_uuid(placement.tenant_id), server).await;
        }
    }

    /// Deletes `tenant`'s copy for server `server` (best effort).
    pub(crate) async fn drop_client_identity(&self, tenant: TenantId, server: Uuid) {
        let deleted =
            delete_if_present(self.secrets().as_ref(), &Scope::Tenant(tenant), &db_client_identity(server)).await;
        if let Err(err) = deleted {
            tracing::warn!(tenant.id = %tenant, error = %err, "could not delete a client certificate copy");
        }
    }
}

async fn put_copy(
    store: &dyn SecretStore,
    tenant: TenantId,
    server: Uuid,
    identity: &ClientIdentity,
) -> anyhow::Result<()> {
    put_if_changed(store, &Scope::Tenant(tenant), &db_client_identity(server), &identity.bundle())
        .await
        .context("store the tenant's client certificate")?;
    Ok(())
}
