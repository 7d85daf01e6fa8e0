//! Tenant user authentication: short-lived access JWTs signed with the tenant's own key (the
//! tenant is the audience, so a token minted for tenant A is worthless at tenant B), rotating
//! refresh tokens stored hashed in the tenant's database, and the `Caller` extractor.

mod caller;
mod tokens;

pub use caller::Caller;
pub use tokens::{ACCESS_TOKEN_LIFETIME, issue_access_token};
