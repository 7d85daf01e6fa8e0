//! The tenant plane: resolves every request to its tenant, takes that tenant's connection
//! pool, and serves the shared tenant API from the tenant's own database.

mod audit;
mod auth;
pub mod connectors;
mod files;
mod limits;
mod modules;
mod openapi;
mod routes;
mod routing;
mod settings;
mod startup;
pub mod webhooks;

pub use auth::{Caller, Permission, Role};
pub use connectors::ConnectorSettings;
pub use limits::{PlanBudget, RateBudget, RateLimitSettings};
pub use openapi::ApiDoc;
pub use routing::{PoolRegistry, PoolStats, RouteCache, RouteKey, TenantCtx, TenantPool, TenantRoute};
pub use settings::{RoutingSettings, Settings};
pub use startup::{AppState, Application, build_state};
pub use webhooks::WebhookSettings;
