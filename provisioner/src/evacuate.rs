//! Emptying a draining server: every tenant on it is moved (see [`crate::moves`]) to the
//! shared server with the fewest tenants, or to one named server, a few at a time.

use catalog::{CatalogError, PlacementMode, ServerKind};
use domain::TenantId;
use futures::StreamExt;
use uuid::Uuid;

use crate::{Actor, ProvisionError, Provisioner};

/// Moves run at once by default: each holds a snapshot on the old server and writes on the new.
pub const DEFAULT_EVACUATION_CONCURRENCY: usize = 2;

/// How an evacuation went, tenant by tenant (the CLI's and the API's answer).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct EvacuationReport {
    /// Each tenant moved, and where to.
    pub moved: Vec<MovedTenant>,
    /// Each tenant whose move failed (undone unless the error says otherwise: still served
    /// from the evacuated server).
    pub failed: Vec<FailedMove>,
    /// Tenants left where they are: not active or suspended.
    pub skipped: Vec<SkippedTenant>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct MovedTenant {
    pub slug: String,
    pub server: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FailedMove {
    pub slug: String,
    pub error: String,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SkippedTenant {
    pub slug: String,
    pub status: String,
}

impl Provisioner {
    /// Moves every active or suspended tenant off the draining server `name`, `concurrency` at a
    /// time, to `to` or else spread over the active shared servers by fewest tenants (capacity
    /// respected). Tenants that cannot be placed are reported as failed; nothing else is tried
    /// for them.
    pub async fn evacuate_server(
        &self,
        name: &str,
        to: Option<&str>,
        concurrency: usize,
        actor: &Actor,
    ) -> Result<EvacuationReport, ProvisionError> {
        let source = self.catalog().server_by_name(name).await?;
        if source.state != "draining" {
            return Err(CatalogError::InvalidState {
                what: "database server",
                actual: format!("{name} ({})", source.state),
                expected: "draining (drain it first, so no new tenant lands there meanwhile)".into(),
            }
            .into());
        }
        let mut targets = self.evacuation_targets(source.id, to).await?;
        let mut report = EvacuationReport::default();
        let mut planned = Vec::new();
        for tenant in self.catalog().fleet_tenants().await?.into_iter().filter(|t| t.server_id == source.id) {
            if tenant.status != "active" && tenant.status != "suspended" {
                report.skipped.push(SkippedTenant { slug: tenant.slug, status: tenant.status });
                continue;
            }
            match next_target(&mut targets) {
                Some(server) => planned.push((tenant.tenant_id, tenant.slug, server)),
                None => {
                    report.failed.push(FailedMove { slug: tenant.slug, error: "no server with room for it".into() })
                }
            }
        }
        let outcomes: Vec<_> = futures::stream::iter(planned)
            .map(|(tenant, slug, server)| async move {
                let moved = self.move_tenant(TenantId::from_uuid(tenant), &server, actor).await;
                (slug, server, moved)
            })
            .buffer_unordered(concurrency.max(1))
            .collect()
            .await;
        for (slug, server, moved) in outcomes {
            match moved {
                Ok(()) => report.moved.push(MovedTenant { slug, server }),
                Err(err) => report.failed.push(FailedMove { slug, error: err.to_string() }),
            }
        }
        Ok(report)
    }

    /// The servers an evacuation may fill, with the room each has left.
    async fn evacuation_targets(&self, source: Uuid, to: Option<&str>) -> Result<Vec<Target>, ProvisionError> {
        let mut targets = Vec::new();
        for summary in self.catalog().server_summaries().await? {
            let s = &summary.server;
            let wanted = match to {
                Some(name) => s.name == name,
                None => {
                    s.placement == PlacementMode::Shared.as_str()
                        && s.kind == ServerKind::Platform.as_str()
                        && s.health != "failing"
                }
            };
            if s.id == source || !wanted || s.state != "active" {
                continue;
            }
            let room = if s.placement == PlacementMode::Dedicated.as_str() {
                i64::from(summary.tenants == 0)
            } else {
                i64::from(s.capacity) - summary.tenants
            };
            targets.push(Target { name: s.name.clone(), tenants: summary.tenants, room });
        }
        if let Some(name) = to
            && targets.is_empty()
        {
            return Err(ProvisionError::Placement(format!(
                "`{name}` is not an active database server other than this one"
            )));
        }
        Ok(targets)
    }
}

struct Target {
    name: String,
    tenants: i64,
    room: i64,
}

/// The server with room holding the fewest tenants (counting those assigned so far).
fn next_target(targets: &mut [Target]) -> Option<String> {
    let target = targets.iter_mut().filter(|t| t.room > 0).min_by_key(|t| t.tenants)?;
    target.tenants += 1;
    target.room -= 1;
    Some(target.name.clone())
}
