//! Parsing the `Host` header.

/// Why a `Host` header is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid host")]
pub struct HostError;

/// Strips the port, lower-cases, drops one trailing dot and checks the host name syntax.
/// IP literals come back unchanged (bracketed IPv6 without brackets).
pub fn normalize_host(raw: &str) -> Result<String, HostError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > 260 {
        return Err(HostError);
    }
    // `[v6]:port` or `[v6]`
    if let Some(rest) = raw.strip_prefix('[') {
        let (addr, tail) = rest.split_once(']').ok_or(HostError)?;
        if !(tail.is_empty() || tail.strip_prefix(':').is_some_and(valid_port)) {
            return Err(HostError);
        }
        return addr.parse::<std::net::Ipv6Addr>().map(|a| a.to_string()).map_err(|_| HostError);
    }
    let host = match raw.rsplit_once(':') {
        Some((host, port)) if valid_port(port) => host,
        Some(_) => return Err(HostError),
        None => raw,
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() || host.len() > 253 {
        return Err(HostError);
    }
    let labels_ok = host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    if labels_ok { Ok(host.to_ascii_lowercase()) } else { Err(HostError) }
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.parse::<u16>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_ports_case_and_trailing_dots() {
        assert_eq!(normalize_host("Acme.Example.COM:8080").unwrap(), "acme.example.com");
        assert_eq!(normalize_host("acme.example.com.").unwrap(), "acme.example.com");
        assert_eq!(normalize_host("127.0.0.1:80").unwrap(), "127.0.0.1");
        assert_eq!(normalize_host("[::1]:8081").unwrap(), "::1");
    }

    #[test]
    fn refuses_malformed_hosts() {
        for bad in ["", "a..b", "a_b.com", "-a.com", "a.com:port", "a.com:99999", "a b", "é.com", "[::1", "a.com.."] {
            assert_eq!(normalize_host(bad), Err(HostError), "{bad:?}");
        }
    }
}
