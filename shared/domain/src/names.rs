//! Deterministic Postgres names for a tenant's resources, so that every provisioning step can
//! find what an earlier (possibly crashed) attempt created.

use std::fmt;

use crate::TenantId;

/// Quotes a Postgres identifier. Names built here are already restricted to `[a-z0-9_]`, but
/// quoting keeps any future name safe too.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Quotes a Postgres string literal.
pub fn quote_literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The tenant's database: `tenant_<32 hex>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatabaseName(String);

/// The tenant's login role: `tenant_<32 hex>` (same as its database, which keeps audits simple).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoleName(String);

impl DatabaseName {
    pub fn for_tenant(id: &TenantId) -> Self {
        Self(format!("tenant_{}", id.simple()))
    }
    pub fn from_catalog(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn quoted(&self) -> String {
        quote_ident(&self.0)
    }
}

impl RoleName {
    pub fn for_tenant(id: &TenantId) -> Self {
        Self(format!("tenant_{}", id.simple()))
    }
    pub fn from_catalog(s: String) -> Self {
        Self(s)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn quoted(&self) -> String {
        quote_ident(&self.0)
    }
}

impl fmt::Display for DatabaseName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_deterministic_and_quoted() {
        let id = TenantId::new();
        assert_eq!(DatabaseName::for_tenant(&id), DatabaseName::for_tenant(&id));
        assert!(RoleName::for_tenant(&id).as_str().starts_with("tenant_"));
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
