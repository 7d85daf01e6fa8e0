//! Tenant lifecycle after provisioning: suspend, resume, delete (offboard). Each change is
//! audited; the catalog trigger notifies running tenant planes.

use catalog::{CatalogError, JobState, entity::tenant};
use domain::{TenantId, TenantStatus};

use crate::{Actor, Provisioner};

#[derive(Debug, thiserror::Error)]
pub enum LifecycleError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    /// A concurrent change won (e.g. two rotations of one tenant at once); retry.
    #[error("changed concurrently: {0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Suspends an active tenant: its requests get `403 TENANT_SUSPENDED`.
pub async fn suspend_tenant(
    provisioner: &Provisioner,
    id: TenantId,
    reason: Option<String>,
    actor: &Actor,
) -> Result<tenant::Model, LifecycleError> {
    let tenant = provisioner
        .catalog()
        .transition_tenant(id, &[TenantStatus::Active], TenantStatus::Suspended, reason.clone())
        .await?;
    provisioner.audit(actor, "tenant.suspend", id, serde_json::json!({ "reason": reason })).await;
    Ok(tenant)
}

/// Resumes a suspended tenant.
pub async fn resume_tenant(
    provisioner: &Provisioner,
    id: TenantId,
    actor: &Actor,
) -> Result<tenant::Model, LifecycleError> {
    let tenant =
        provisioner.catalog().transition_tenant(id, &[TenantStatus::Suspended], TenantStatus::Active, None).await?;
    provisioner.audit(actor, "tenant.resume", id, serde_json::json!({})).await;
    Ok(tenant)
}

/// Offboards a tenant: drops its database and role and leaves a tombstone (`deleted`).
/// A tenant whose provisioning failed is compensated instead (no tombstone: it never existed).
pub async fn delete_tenant(
    provisioner: &Provisioner,
    id: TenantId,
    actor: &Actor,
) -> Result<tenant::Model, LifecycleError> {
    let current = provisioner.catalog().tenant(id).await?;
    if current.status == TenantStatus::Failed.as_str() {
        let failed_job = provisioner
            .catalog()
            .jobs_for_tenant(id.as_uuid())
            .await?
            .into_iter()
            .find(|j| j.state == JobState::Failed.as_str());
        if let Some(job) = failed_job {
            provisioner.compensate_job(job.id, actor).await.map_err(anyhow::Error::from)?;
            let mut gone = current;
            gone.status = TenantStatus::Deleted.as_str().to_owned();
            return Ok(gone);
        }
    }
    provisioner
        .catalog()
        .transition_tenant(
            id,
            &[TenantStatus::Active, TenantStatus::Suspended, TenantStatus::Failed, TenantStatus::Offboarding],
            TenantStatus::Offboarding,
            None,
        )
        .await?;
    provisioner.drop_tenant_resources(id).await?;
    let tenant =
        provisioner.catalog().transition_tenant(id, &[TenantStatus::Offboarding], TenantStatus::Deleted, None).await?;
    provisioner.audit(actor, "tenant.delete", id, serde_json::json!({ "slug": tenant.slug })).await;
    Ok(tenant)
}

/// Rotates a tenant's database password without downtime: the new password is stored as a new
/// secret version first, then set on the role. Running tenant planes keep their open
/// connections and, on their next login, find whichever version the role accepts.
pub async fn rotate_db_credentials(
    provisioner: &Provisioner,
    id: TenantId,
    actor: &Actor,
) -> Result<u32, LifecycleError> {
    require_live(provisioner, id).await?;
    let version = provisioner.rotate_db_password(id).await.map_err(conflict_or_other)?;
    provisioner.audit(actor, "tenant.rotate_db_credentials", id, serde_json::json!({ "version": version })).await;
    Ok(version)
}

/// Adds a new signing key for the tenant: published in its JWKS at once, signing after
/// [`crate::SIGNING_KEY_PUBLISH_AHEAD`]; the previous key keeps verifying until the longest
/// token it signed has expired. Returns the new key id.
pub async fn rotate_signing_key(
    provisioner: &Provisioner,
    id: TenantId,
    actor: &Actor,
) -> Result<String, LifecycleError> {
    require_live(provisioner, id).await?;
    let scope = secrets::Scope::Tenant(id);
    let keys = provisioner.signing_keys();
    keys.ensure(&scope).await.map_err(|e| conflict_or_other(e.into()))?;
    let kid = keys.rotate(&scope).await.map_err(|e| conflict_or_other(e.into()))?;
    provisioner.audit(actor, "tenant.rotate_signing_key", id, serde_json::json!({ "kid": kid })).await;
    Ok(kid)
}

/// Credentials are rotated only for tenants that exist and are served (never for a deleted
/// tenant, whose secrets were shredded and must stay so).
async fn require_live(provisioner: &Provisioner, id: TenantId) -> Result<(), LifecycleError> {
    let tenant = provisioner.catalog().tenant(id).await?;
    if [TenantStatus::Active.as_str(), TenantStatus::Suspended.as_str()].contains(&tenant.status.as_str()) {
        return Ok(());
    }
    Err(CatalogError::InvalidState { what: "tenant", actual: tenant.status, expected: "active, suspended".into() }
        .into())
}

/// A lost check-and-set race is a conflict for the caller to retry, anything else an error.
fn conflict_or_other(err: anyhow::Error) -> LifecycleError {
    match err.chain().find_map(|e| e.downcast_ref::<secrets::SecretError>()) {
        Some(secrets::SecretError::VersionConflict { .. }) => LifecycleError::Conflict(format!("{err:#}")),
        _ => LifecycleError::Other(err),
    }
}

/// Verifies a tenant's audit-log hash chain, reading its database as the server admin (so a
/// tenant role cannot influence what is read).
pub async fn verify_audit_log(
    provisioner: &Provisioner,
    id: TenantId,
    anchor: Option<&migrator::audit_chain::Anchor>,
) -> anyhow::Result<migrator::audit_chain::ChainReport> {
    let (placement, server) = provisioner.placed(id).await?;
    let (access, _) = provisioner.pools().get(&server).await?;
    let client = access.connect(&placement.database_name).await?;
    migrator::audit_chain::verify_chain_with(&client, anchor).await
}
