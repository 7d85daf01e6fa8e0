//! Tenant user authentication and authorization: short-lived access JWTs signed with the
//! tenant's own key (the tenant is the audience, so a token minted for tenant A is worthless
//! at tenant B), rotating refresh tokens and API keys stored hashed in the tenant's database,
//! the `Caller` extractor and the permission table enforced by `Can<P>`.

pub(crate) use secrets::api_keys;
mod caller;
pub(crate) mod permissions;
pub(crate) mod roles;
pub(crate) mod session;
pub(crate) mod throttle;
mod tokens;

pub use caller::{API_KEY_HEADER, Actor, Caller};
pub use permissions::{Can, Permission, perm};
pub use roles::Role;
pub use tokens::{ACCESS_TOKEN_LIFETIME, issue_access_token};
