//! CI sandboxes: throwaway tenants cloned from the migrated template like any other, with a
//! random first admin and a platform-made API key, removed when they expire — database, role,
//! storage, secrets and catalog rows (only the audit log remembers them).

use std::time::Duration;

use catalog::entity::tenant;
use chrono::{DateTime, Utc};
use domain::{DisplayName, Email, Password, Plan, TenantId, TenantSlug};
use secrets::SecretString;

use crate::{Actor, CreateTenant, FirstAdmin, LifecycleError, ProvisionError, Provisioner, saga::SandboxSeed};

/// Shortest and longest sandbox lifetime.
pub const SANDBOX_TTL_MIN: Duration = Duration::from_secs(60);
pub const SANDBOX_TTL_MAX: Duration = Duration::from_secs(7 * 24 * 3600);

/// What `create_sandbox` is asked for.
#[derive(Debug, Clone)]
pub struct SandboxRequest {
    pub ttl: Duration,
    pub plan: Plan,
    /// Pin to a database server (by name).
    pub server: Option<String>,
    /// Shown in the display name, e.g. a CI job id.
    pub label: Option<String>,
}

/// A new sandbox and its credentials (returned once).
#[derive(Debug)]
pub struct Sandbox {
    pub tenant: tenant::Model,
    pub expires_at: DateTime<Utc>,
    pub admin_email: String,
    pub admin_password: SecretString,
    /// An API key with every permission of the admin (`x-api-key`).
    pub api_key: SecretString,
}

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("{field}: {message}")]
    Invalid { field: &'static str, message: String },
    #[error("not a sandbox")]
    NotASandbox,
    #[error(transparent)]
    Provision(#[from] ProvisionError),
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    #[error(transparent)]
    Catalog(#[from] catalog::CatalogError),
}

impl Provisioner {
    /// Provisions a sandbox; returns once it is ready, like any tenant.
    pub async fn create_sandbox(&self, req: SandboxRequest, actor: &Actor) -> Result<Sandbox, SandboxError> {
        if !(SANDBOX_TTL_MIN..=SANDBOX_TTL_MAX).contains(&req.ttl) {
            return Err(SandboxError::Invalid { field: "ttl", message: "between 1 minute and 7 days".into() });
        }
        let label = req.label.as_deref().map(str::trim).unwrap_or("");
        if label.chars().count() > 60 || label.chars().any(char::is_control) {
            return Err(SandboxError::Invalid { field: "label", message: "at most 60 printable characters".into() });
        }
        let slug = format!("sbx-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        fn invalid<E: std::fmt::Display>(field: &'static str) -> impl Fn(E) -> SandboxError {
            move |e| SandboxError::Invalid { field, message: e.to_string() }
        }
        let name = if label.is_empty() { format!("Sandbox {slug}") } else { format!("Sandbox {label}") };
        let admin_email = format!("owner@{slug}.sandbox.test");
        let admin_password = secrets::random_token(24);
        let expires_at = Utc::now() + chrono::Duration::from_std(req.ttl).unwrap_or_default();
        let tenant_id = TenantId::new();
        let (api_key, hint, hash) = secrets::api_keys::generate(tenant_id.as_uuid());
        let request = CreateTenant {
            slug: TenantSlug::parse(&slug).map_err(invalid("slug"))?,
            display_name: DisplayName::parse(&name).map_err(invalid("label"))?,
            plan: req.plan,
            admin_email: Email::parse(&admin_email).map_err(invalid("adminEmail"))?,
            admin: FirstAdmin::Password(Password::parse(&admin_password).map_err(invalid("adminPassword"))?),
            server: req.server,
            sandbox: Some(SandboxSeed { expires_at, api_key_hash: hash, api_key_hint: hint }),
        };
        let tenant = self.create_tenant_with_id(tenant_id, request, actor).await?;
        Ok(Sandbox {
            tenant,
            expires_at,
            admin_email,
            admin_password: SecretString::from(admin_password),
            api_key: SecretString::from(api_key),
        })
    }

    /// Removes a sandbox now: offboards it (database, role, storage, secrets) and deletes its
    /// catalog rows. Refuses a tenant that is not a sandbox.
    pub async fn destroy_sandbox(&self, id: TenantId, actor: &Actor) -> Result<(), SandboxError> {
        let tenant = self.catalog().tenant(id).await?;
        if tenant.sandbox_expires_at.is_none() {
            return Err(SandboxError::NotASandbox);
        }
        if tenant.status != "deleted" {
            crate::delete_tenant(self, id, actor).await?;
        }
        self.catalog().purge_sandbox(id).await?;
        self.audit(actor, "sandbox.destroy", id, serde_json::json!({ "slug": tenant.slug })).await;
        Ok(())
    }

    /// Removes every sandbox that expired before `at`; returns how many.
    pub async fn reap_sandboxes(&self, at: DateTime<Utc>) -> Result<usize, SandboxError> {
        let mut reaped = 0;
        for tenant in self.catalog().expired_sandboxes(at).await? {
            let id = TenantId::from_uuid(tenant.id);
            match self.destroy_sandbox(id, &Actor::system()).await {
                Ok(()) => reaped += 1,
                Err(err) => tracing::warn!(tenant.id = %id, error = %err, "could not remove an expired sandbox"),
            }
        }
        Ok(reaped)
    }
}

/// Removes expired sandboxes every `every` until `shutdown`.
pub async fn run_sandbox_reaper(
    provisioner: Provisioner,
    every: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    crate::run_every(every, shutdown, || async {
        match provisioner.reap_sandboxes(Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(reaped = n, "expired sandboxes removed"),
            Err(err) => tracing::warn!(error = %err, "sandbox reaper failed"),
        }
    })
    .await;
}
