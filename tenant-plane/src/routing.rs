//! Tenant resolution, the route cache, per-tenant pools and invalidation.

mod cache;
mod connector;
mod ctx;
mod homing;
mod host;
mod link;
mod listener;
mod pools;

pub use cache::{RouteCache, RouteError, RouteKey, TenantRoute};
pub use ctx::TenantCtx;
pub use host::normalize_host;
pub use listener::run_listener;
pub use pools::PoolRegistry;
pub use pools::{BudgetedManager, PoolStats, TenantPool};
