//! `TenantSlug`: the DNS label that names a tenant in URLs (`<slug>.<base-domain>`).

use std::fmt;

/// Slugs that would collide with platform host names or confuse users.
pub const RESERVED_SLUGS: &[&str] = &[
    "www",
    "api",
    "admin",
    "app",
    "apps",
    "console",
    "control",
    "dashboard",
    "docs",
    "help",
    "mail",
    "smtp",
    "imap",
    "ftp",
    "static",
    "assets",
    "cdn",
    "status",
    "support",
    "auth",
    "login",
    "logout",
    "signup",
    "register",
    "billing",
    "system",
    "root",
    "tenantry",
    "tenant",
    "tenants",
    "internal",
    "localhost",
    "default",
    "test",
    "dev",
    "staging",
    "prod",
    "health",
    "ready",
    "metrics",
    "ns1",
    "ns2",
    "postgres",
    "template",
];

/// Why a string is not a valid slug. The message is safe to show to API callers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("slug must be 3 to 63 characters long")]
    Length,
    #[error("slug may contain only lower-case letters a-z, digits and hyphens")]
    Characters,
    #[error("slug must start with a letter and end with a letter or digit")]
    Edges,
    #[error("slug must not contain two hyphens in a row")]
    DoubleHyphen,
    #[error("slug is reserved")]
    Reserved,
}

/// A tenant's slug: a lower-case DNS label of 3–63 characters, starting with a letter, not
/// punycode (`xn--`), not reserved.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct TenantSlug(String);

impl TenantSlug {
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if !(3..=63).contains(&s.len()) {
            return Err(SlugError::Length);
        }
        if !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
            return Err(SlugError::Characters);
        }
        let first = s.as_bytes()[0];
        let last = s.as_bytes()[s.len() - 1];
        if !first.is_ascii_lowercase() || last == b'-' {
            return Err(SlugError::Edges);
        }
        // Rejects punycode (`xn--`) and other reserved ACE prefixes as well.
        if s.contains("--") {
            return Err(SlugError::DoubleHyphen);
        }
        if RESERVED_SLUGS.contains(&s) {
            return Err(SlugError::Reserved);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for TenantSlug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_labels() {
        for ok in ["acme", "acme-corp", "a1b2", "abc", &"a".repeat(63)] {
            assert!(TenantSlug::parse(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn rejects_bad_labels_with_the_right_reason() {
        assert_eq!(TenantSlug::parse("ab"), Err(SlugError::Length));
        assert_eq!(TenantSlug::parse(&"a".repeat(64)), Err(SlugError::Length));
        assert_eq!(TenantSlug::parse("Acme"), Err(SlugError::Characters));
        assert_eq!(TenantSlug::parse("ac_me"), Err(SlugError::Characters));
        assert_eq!(TenantSlug::parse("acmé"), Err(SlugError::Characters));
        assert_eq!(TenantSlug::parse("-acme"), Err(SlugError::Edges));
        assert_eq!(TenantSlug::parse("acme-"), Err(SlugError::Edges));
        assert_eq!(TenantSlug::parse("1acme"), Err(SlugError::Edges));
        assert_eq!(TenantSlug::parse("xn--acme"), Err(SlugError::DoubleHyphen));
        assert_eq!(TenantSlug::parse("www"), Err(SlugError::Reserved));
        assert_eq!(TenantSlug::parse("admin"), Err(SlugError::Reserved));
    }
}
