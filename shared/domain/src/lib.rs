//! Domain types shared by every crate: tenant ids, slugs, statuses, plans and the
//! validated inputs that cross an API edge. Types here parse, they don't validate in place.

mod branding;
mod names;
mod slug;
mod tenant;
mod text;

pub use branding::{Branding, BrandingError, LOGO_URL_MAX};
pub use names::{DatabaseName, RoleName, quote_ident, quote_literal};
pub use slug::{RESERVED_SLUGS, SlugError, TenantSlug};
pub use tenant::{Plan, TenantId, TenantStatus, UnknownValue};
pub use text::{DisplayName, Email, Password, TextError};
