//! The tenant plane: resolves every request to its tenant, takes that tenant's connection
//! pool, and serves the shared tenant API from the tenant's own database.

mod auth;
mod openapi;
mod routes;
mod routing;
mod settings;
mod startup;

pub use auth::Caller;
pub use openapi::ApiDoc;
pub use routing::{RouteCache, TenantCtx, TenantRoute};
pub use settings::{RoutingSettings, Settings};
pub use startup::{AppState, Application, build_state};
