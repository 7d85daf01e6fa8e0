//! Webhook signatures: `Tenantry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>` over
//! `"<t>.<body>"` with the endpoint's secret. Receivers recompute it and refuse a timestamp
//! older than their tolerance (5 minutes is usual), which makes a captured delivery useless
//! for replay later.

use hmac::{Hmac, Mac};
use sha2::Sha256;

pub const SIGNATURE_HEADER: &str = "tenantry-signature";

fn mac(secret: &str, timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap_or_else(|_| unreachable!());
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// The header value for `body` sent at `timestamp`.
pub fn sign(secret: &str, timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", hex::encode(mac(secret, timestamp, body).finalize().into_bytes()))
}

/// Why a signature is refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("malformed signature header")]
    Malformed,
    #[error("signature does not match")]
    Mismatch,
    #[error("timestamp outside the tolerance (replay or clock skew)")]
    Stale,
}

/// Checks a signature header as a receiver would (constant-time comparison).
pub fn verify(secret: &str, header: &str, body: &[u8], now: i64, tolerance_secs: i64) -> Result<(), VerifyError> {
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => timestamp = v.parse::<i64>().ok(),
            Some(("v1", v)) => signatures.push(hex::decode(v).map_err(|_| VerifyError::Malformed)?),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(VerifyError::Malformed)?;
    if signatures.is_empty() {
        return Err(VerifyError::Malformed);
    }
    let matches = signatures.iter().any(|sig| mac(secret, timestamp, body).verify_slice(sig).is_ok());
    if !matches {
        return Err(VerifyError::Mismatch);
    }
    if (now - timestamp).abs() > tolerance_secs {
        return Err(VerifyError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_verifies_once_and_only_in_time() {
        let header = sign("whsec_x", 1_000, b"{\"a\":1}");
        assert_eq!(verify("whsec_x", &header, b"{\"a\":1}", 1_010, 300), Ok(()));
        assert_eq!(verify("whsec_y", &header, b"{\"a\":1}", 1_010, 300), Err(VerifyError::Mismatch));
        assert_eq!(verify("whsec_x", &header, b"{\"a\":2}", 1_010, 300), Err(VerifyError::Mismatch));
        assert_eq!(verify("whsec_x", &header, b"{\"a\":1}", 1_000 + 301, 300), Err(VerifyError::Stale));
        assert_eq!(verify("whsec_x", "v1=00", b"", 0, 300), Err(VerifyError::Malformed));
        // A timestamp moved forward without re-signing does not verify.
        let moved = header.replacen("t=1000", "t=2000", 1);
        assert_eq!(verify("whsec_x", &moved, b"{\"a\":1}", 2_000, 300), Err(VerifyError::Mismatch));
    }
}
