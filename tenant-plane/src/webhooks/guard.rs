//! The SSRF guard for webhook deliveries. A target is checked where it matters — at connect
//! time, on the addresses actually dialled — by a DNS resolver that refuses a name if any of
//! its addresses is internal, and on every redirect by the redirect policy; IP literals (which
//! skip DNS) are checked before the request. Refused: loopback, private (10/8, 172.16/12,
//! 192.168/16), link-local and cloud metadata (169.254/16), CGNAT (100.64/10), unspecified,
//! broadcast, multicast, benchmarking and reserved ranges, IPv6 loopback, ULA (fc00::/7),
//! link-local (fe80::/10), site-local, and IPv4 embedded in IPv6 (mapped, compatible, NAT64)
//! when the embedded address is refused. Loopback can be allowed by explicit configuration
//! (tests only), and an operator can allow chosen private networks (on-prem servers of
//! tenants that keep their SMTP or storage in-house) with `TENANTRY_OUTBOUND_ALLOW_CIDRS`.

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    pin::Pin,
    sync::Arc,
};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuardError {
    #[error("only https URLs are allowed")]
    Scheme,
    #[error("the URL has no host")]
    NoHost,
    /// The address itself is kept for the server's use but not shown: it would map internal DNS.
    #[error("the target is an internal address")]
    Internal(IpAddr),
}

/// What the guard lets through.
#[derive(Debug, Clone, Default)]
pub struct GuardPolicy {
    /// Allow 127.0.0.0/8 and ::1, and plain http (tests and local development only).
    pub allow_loopback: bool,
    /// Networks allowed although internal (operator-approved on-prem servers).
    pub allowed_networks: std::sync::Arc<[ipnet::IpNet]>,
}

fn v4_refused(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (b == 18 || b == 19))
        || (a == 192 && b == 0 && c == 0)
        || a >= 240
}

fn v6_embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..5] == [0, 0, 0, 0, 0] && (s[5] == 0xffff || s[5] == 0) {
        return Some(tail); // mapped ::ffff:a.b.c.d, compatible ::a.b.c.d
    }
    if s[..4] == [0, 0, 0, 0] && s[4] == 0xffff && s[5] == 0 {
        return Some(tail); // IPv4-translated ::ffff:0:a.b.c.d
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] || s[..3] == [0x64, 0xff9b, 1] {
        return Some(tail); // NAT64, well-known and local-use prefixes
    }
    if s[0] == 0x2002 {
        // 6to4: the IPv4 address follows the prefix.
        return Some(Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8));
    }
    None
}

impl GuardPolicy {
    /// Whether an address may be dialled.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), GuardError> {
        if self.allowed_networks.iter().any(|net| net.contains(&ip)) {
            return Ok(());
        }
        let refused = match ip {
            IpAddr::V4(v4) => !(self.allow_loopback && v4.is_loopback()) && v4_refused(v4),
            IpAddr::V6(v6) => {
                if self.allow_loopback && v6.is_loopback() {
                    false
                } else if let Some(v4) = v6_embedded_v4(v6).filter(|_| !v6.is_loopback() && !v6.is_unspecified()) {
                    !(self.allow_loopback && v4.is_loopback()) && v4_refused(v4)
                } else {
                    let first = v6.segments()[0];
                    v6.is_loopback()
                        || v6.is_unspecified()
                        || v6.is_multicast()
                        || (first & 0xfe00) == 0xfc00
                        || (first & 0xffc0) == 0xfe80
                        || (first & 0xffc0) == 0xfec0
                        || first == 0x2001 && v6.segments()[1] == 0x0db8
                        // Teredo tunnels reach arbitrary IPv4 hosts.
                        || first == 0x2001 && v6.segments()[1] == 0
                }
            }
        };
        if refused { Err(GuardError::Internal(ip)) } else { Ok(()) }
    }

    /// Checks a URL before any connection: scheme, host, and the host if it is an IP literal.
    pub fn check_url(&self, url: &url::Url) -> Result<(), GuardError> {
        match url.scheme() {
            "https" => {}
            "http" if self.allow_loopback => {}
            _ => return Err(GuardError::Scheme),
        }
        match url.host() {
            None => Err(GuardError::NoHost),
            Some(url::Host::Ipv4(ip)) => self.check_ip(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => self.check_ip(IpAddr::V6(ip)),
            Some(url::Host::Domain(_)) => Ok(()),
        }
    }
}

type Lookup = dyn Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> + Send + Sync;

/// A resolver that refuses a name when any address it resolves to is refused.
#[derive(Clone)]
pub struct GuardedResolver {
    policy: GuardPolicy,
    lookup: Arc<Lookup>,
}

impl GuardedResolver {
    /// With the system resolver.
    pub fn system(policy: GuardPolicy) -> Self {
        Self::with_lookup(policy, |name| {
            Box::pin(async move {
                let addrs = tokio::net::lookup_host((name.as_str(), 0)).await?;
                Ok(addrs.map(|a| a.ip()).collect())
            })
        })
    }

    /// With a given lookup (tests: names that resolve to internal addresses).
    pub fn with_lookup(
        policy: GuardPolicy,
        lookup: impl Fn(String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self { policy, lookup: Arc::new(lookup) }
    }

    /// The addresses of `name`, all of them allowed, or an error.
    pub async fn resolve_checked(&self, name: &str) -> Result<Vec<IpAddr>, Box<dyn std::error::Error + Send + Sync>> {
        let ips = (self.lookup)(name.to_owned()).await?;
        if ips.is_empty() {
            return Err(format!("{name} does not resolve").into());
        }
        for ip in &ips {
            self.policy.check_ip(*ip).map_err(|err| format!("{name} resolves to a non-public address ({err})"))?;
        }
        Ok(ips)
    }
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let this = self.clone();
        let name = name.as_str().to_owned();
        Box::pin(async move {
            let ips = this.resolve_checked(&name).await?;
            let addrs: Addrs = Box::new(ips.into_iter().map(|ip| SocketAddr::new(ip, 0)));
            Ok(addrs)
        })
    }
}

/// An HTTP client for deliveries: guarded DNS, guarded redirects (at most 3), no proxy.
pub fn client(
    policy: GuardPolicy,
    resolver: GuardedResolver,
    timeout: std::time::Duration,
) -> reqwest::Result<reqwest::Client> {
    let policy_for_redirects = policy.clone();
    let redirects = reqwest::redirect::Policy::custom(move |attempt| {
        let policy = &policy_for_redirects;
        if attempt.previous().len() >= 3 {
            attempt.error("too many redirects")
        } else if let Err(err) = policy.check_url(attempt.url()) {
            attempt.error(err)
        } else {
            attempt.follow()
        }
    });
    reqwest::Client::builder()
        .dns_resolver(Arc::new(resolver))
        .redirect(redirects)
        .no_proxy()
        .timeout(timeout)
        .connect_timeout(timeout.min(std::time::Duration::from_secs(5)))
        .user_agent("Tenantry-Webhooks/1")
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses_are_refused_and_public_ones_pass() {
        let strict = GuardPolicy::default();
        for bad in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "127.8.8.8",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:10.0.0.1",
            "::ffff:0:10.0.0.1",
            "64:ff9b:1::a00:1",
            "2002:a00:1::1",
            "2001:0:4136:e378::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "::10.0.0.1",
        ] {
            let ip: IpAddr = bad.parse().unwrap();
            assert!(strict.check_ip(ip).is_err(), "{bad} must be refused");
        }
        for good in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.216.34"] {
            assert!(strict.check_ip(good.parse().unwrap()).is_ok(), "{good} must pass");
        }
        let tests = GuardPolicy { allow_loopback: true, ..Default::default() };
        assert!(tests.check_ip("127.0.0.1".parse().unwrap()).is_ok());
        assert!(tests.check_ip("::1".parse().unwrap()).is_ok());
        assert!(tests.check_ip("10.0.0.1".parse().unwrap()).is_err(), "loopback only");
        let on_prem =
            GuardPolicy { allowed_networks: vec!["10.20.0.0/16".parse().unwrap()].into(), ..Default::default() };
        assert!(on_prem.check_ip("10.20.5.5".parse().unwrap()).is_ok(), "an approved network");
        assert!(on_prem.check_ip("10.21.0.1".parse().unwrap()).is_err(), "only that network");
        assert!(on_prem.check_ip("169.254.169.254".parse().unwrap()).is_err());
    }

    #[test]
    fn urls_need_https_and_a_public_literal() {
        let strict = GuardPolicy::default();
        let url = |s: &str| url::Url::parse(s).unwrap();
        assert_eq!(strict.check_url(&url("http://example.com/")), Err(GuardError::Scheme));
        assert!(strict.check_url(&url("https://example.com/hook")).is_ok());
        assert!(strict.check_url(&url("https://[::1]/")).is_err());
        assert!(strict.check_url(&url("https://169.254.169.254/latest/meta-data")).is_err());
        assert!(strict.check_url(&url("ftp://example.com/")).is_err());
    }

    #[tokio::test]
    async fn a_name_resolving_to_an_internal_address_is_refused() {
        let resolver = GuardedResolver::with_lookup(GuardPolicy::default(), |name| {
            Box::pin(async move {
                Ok(match name.as_str() {
                    "internal.test" => vec!["10.1.2.3".parse().unwrap()],
                    "mixed.test" => vec!["93.184.216.34".parse().unwrap(), "192.168.0.5".parse().unwrap()],
                    _ => vec!["93.184.216.34".parse().unwrap()],
                })
            })
        });
        assert!(resolver.resolve_checked("internal.test").await.is_err());
        assert!(resolver.resolve_checked("mixed.test").await.is_err(), "one internal address is enough");
        assert!(resolver.resolve_checked("example.test").await.is_ok());
    }
}
