//! What an operator may do inside an active tenant's own database: invite an owner (the first
//! admin, or a new one for a tenant locked out) and read or set the tenant's branding. The
//! provisioner connects as the tenant's role, exactly as the tenant plane does, and records
//! each change in the tenant's audit log (actor `system`, id `operator:<e-mail>`) as well as
//! the control plane's.

use anyhow::Context;
use chrono::{DateTime, Utc};
use domain::{Branding, Email, TenantId, TenantStatus};
use secrets::SecretString;
use serde_json::json;

use crate::{Actor, Provisioner, saga::connect_as_tenant};

/// How long an owner invitation stays valid (as the tenant plane's invitations).
pub const OWNER_INVITATION_LIFETIME: chrono::Duration = chrono::Duration::days(7);

/// An owner invitation: the token is shown once and never stored (only its hash is).
#[derive(Debug)]
pub struct OwnerInvitation {
    pub id: uuid::Uuid,
    pub email: String,
    pub token: SecretString,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum TenantAdminError {
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
    /// Only an active tenant's database is touched.
    #[error("the tenant is {0}, not active")]
    NotActive(String),
    #[error("a user with this e-mail already exists")]
    UserExists,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Provisioner {
    async fn active_tenant_client(&self, tenant: TenantId) -> Result<tokio_postgres::Client, TenantAdminError> {
        let row = self.catalog().tenant(tenant).await?;
        if row.status != TenantStatus::Active.as_str() {
            return Err(TenantAdminError::NotActive(row.status));
        }
        let (placement, server) = self.placed(tenant).await?;
        let password = self.db_password(tenant).await?;
        let identity = self.tenant_client_identity(tenant, &server).await?;
        Ok(connect_as_tenant(&server, &placement, &password, identity.as_ref()).await?)
    }

    /// Invites `email` as an owner of the tenant, replacing any open invitation for that address.
    pub async fn invite_owner(
        &self,
        tenant: TenantId,
        email: &Email,
        actor: &Actor,
    ) -> Result<OwnerInvitation, TenantAdminError> {
        let mut client = self.active_tenant_client(tenant).await?;
        let token = secrets::random_token(32);
        let id = uuid::Uuid::now_v7();
        let txn = client.transaction().await.context("begin")?;
        if txn
            .query_opt("SELECT 1 FROM users WHERE email = $1", &[&email.as_str()])
            .await
            .context("find user")?
            .is_some()
        {
            return Err(TenantAdminError::UserExists);
        }
        txn.execute(
            "UPDATE invitations SET revoked_at = now() WHERE email = $1 AND accepted_at IS NULL AND revoked_at IS NULL",
            &[&email.as_str()],
        )
        .await
        .context("revoke open invitations")?;
        let row = txn
            .query_one(
                "INSERT INTO invitations (id, email, role, token_hash, invited_by, expires_at) \
                 VALUES ($1, $2, 'owner', $3, NULL, $4) RETURNING expires_at",
                &[&id, &email.as_str(), &secrets::sha256_hex(&token), &(Utc::now() + OWNER_INVITATION_LIFETIME)],
            )
            .await
            .context("insert invitation")?;
        let details = json!({ "email": email.as_str(), "role": "owner" });
        append_tenant_audit(&txn, actor, "user.invited", Some(("invitation", id.to_string())), &details).await?;
        txn.commit().await.context("commit")?;
        self.audit(actor, "tenant.owner_invited", tenant, details).await;
        Ok(OwnerInvitation { id, email: email.as_str().to_owned(), token: token.into(), expires_at: row.get(0) })
    }

    /// The tenant's branding, from its database.
    pub async fn tenant_branding(&self, tenant: TenantId) -> Result<Branding, TenantAdminError> {
        let client = self.active_tenant_client(tenant).await?;
        let row = client.query_one("SELECT branding FROM tenant_profile", &[]).await.context("read branding")?;
        Ok(serde_json::from_value(row.get(0)).context("stored branding")?)
    }

    /// Replaces the tenant's branding. `branding` must have been validated.
    pub async fn set_tenant_branding(
        &self,
        tenant: TenantId,
        branding: &Branding,
        actor: &Actor,
    ) -> Result<Branding, TenantAdminError> {
        let mut client = self.active_tenant_client(tenant).await?;
        let value = serde_json::to_value(branding).context("branding")?;
        let txn = client.transaction().await.context("begin")?;
        let row = txn
            .query_one("UPDATE tenant_profile SET branding = $1, updated_at = now() RETURNING branding", &[&value])
            .await
            .context("update branding")?;
        let details = json!({ "changed": ["branding"] });
        append_tenant_audit(&txn, actor, "tenant.updated", None, &details).await?;
        txn.commit().await.context("commit")?;
        self.audit(actor, "tenant.branding_set", tenant, value).await;
        Ok(serde_json::from_value(row.get(0)).context("stored branding")?)
    }
}

/// One row in the tenant's own (hash-chained) audit log, in the caller's transaction.
async fn append_tenant_audit(
    txn: &tokio_postgres::Transaction<'_>,
    actor: &Actor,
    action: &str,
    target: Option<(&str, String)>,
    metadata: &serde_json::Value,
) -> anyhow::Result<()> {
    let (target_type, target_id) = target.unzip();
    txn.execute(
        "SELECT audit.append('system', $1, $2, $3, $4, NULL, $5, $6)",
        &[&actor.name, &action, &target_type, &target_id, &actor.request_id, metadata],
    )
    .await
    .context("write the tenant's audit log")?;
    Ok(())
}
