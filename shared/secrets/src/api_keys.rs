//! Tenant API key format: `tk_<tenant id, 32 hex>_<secret, 43 base64url>`. The prefix names
//! the tenant, so the tenant plane can route a request on `x-api-key` alone; only the SHA-256
//! of the whole key is stored (in the tenant's database). Keys are made by the tenant plane
//! and, for sandboxes, by the provisioner.

use uuid::Uuid;

use crate::{random_token, sha256_hex};

const PREFIX: &str = "tk";
/// The scope of a platform-made key (a sandbox's): every permission its owner has.
pub const ALL_SCOPES: &str = "*";
/// Characters of the secret shown in lists, to tell keys apart.
pub const HINT_LEN: usize = 6;

/// A well-formed API key (not yet checked against the database).
pub struct ParsedKey<'a> {
    pub tenant: Uuid,
    raw: &'a str,
}

impl<'a> ParsedKey<'a> {
    pub fn parse(raw: &'a str) -> Option<Self> {
        let mut parts = raw.splitn(3, '_');
        let (prefix, tenant, secret) = (parts.next()?, parts.next()?, parts.next()?);
        let tenant_ok = tenant.len() == 32 && tenant.bytes().all(|b| b.is_ascii_hexdigit());
        let secret_ok =
            secret.len() == 43 && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if prefix != PREFIX || !tenant_ok || !secret_ok {
            return None;
        }
        Some(Self { tenant: Uuid::parse_str(tenant).ok()?, raw })
    }

    /// What the database stores.
    pub fn hash(&self) -> String {
        sha256_hex(self.raw)
    }
}

/// The tenant an `x-api-key` value names, for routing (`None` if it is not a key).
pub fn tenant_of(raw: &str) -> Option<Uuid> {
    ParsedKey::parse(raw).map(|k| k.tenant)
}

/// A new key for `tenant`: `(key, hint, hash)`.
pub fn generate(tenant: Uuid) -> (String, String, String) {
    let secret = random_token(32);
    let key = format!("{PREFIX}_{}_{secret}", tenant.simple());
    let hint = format!("{PREFIX}_…{}", &secret[..HINT_LEN]);
    let hash = sha256_hex(&key);
    (key, hint, hash)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_and_name_their_tenant() {
        let tenant = Uuid::now_v7();
        let (key, hint, hash) = generate(tenant);
        let parsed = ParsedKey::parse(&key).unwrap();
        assert_eq!(parsed.tenant, tenant);
        assert_eq!(parsed.hash(), hash);
        assert!(!hint.contains(&key[36..]), "hint reveals too much");
    }

    #[test]
    fn malformed_keys_are_refused() {
        let tenant = Uuid::now_v7().simple().to_string();
        let secret = "a".repeat(43);
        for bad in [
            String::new(),
            format!("tk_{tenant}"),
            format!("xx_{tenant}_{secret}"),
            format!("tk_{}_{secret}", &tenant[1..]),
            format!("tk_{tenant}_{}", &secret[1..]),
            format!("tk_{tenant}_{}!", &secret[1..]),
        ] {
            assert!(ParsedKey::parse(&bad).is_none(), "{bad}");
        }
    }
}
