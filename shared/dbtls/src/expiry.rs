//! When a database server's TLS certificates expire: the certificate the server presents, read
//! by a handshake of its own as the health probe makes it, and the registered CA bundle.
//!
//! An expired server certificate breaks every `verify-full` connection to the server at once,
//! its tenants' included; the probe reads the date ahead of that so operators see it coming.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use rustls::{
    ClientConfig,
    pki_types::{CertificateDer, ServerName, pem::PemObject},
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use x509_cert::{Certificate, der::Decode};

use crate::{EncryptOnly, provider};

/// Postgres' `SSLRequest`: length 8, then the code 80877103.
const SSL_REQUEST: [u8; 8] = [0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f];

/// When the DER certificate `der` stops being valid.
pub fn not_after(der: &[u8]) -> anyhow::Result<DateTime<Utc>> {
    let cert = Certificate::from_der(der).context("parse the certificate")?;
    let secs = cert.tbs_certificate.validity.not_after.to_unix_duration().as_secs();
    DateTime::from_timestamp(i64::try_from(secs)?, 0).context("the certificate's expiry is out of range")
}

/// The first expiry among the certificates of a PEM bundle; `None` when it holds none.
pub fn bundle_expiry(pem: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
    let mut first: Option<DateTime<Utc>> = None;
    for cert in CertificateDer::pem_slice_iter(pem.as_bytes()) {
        let at = not_after(&cert.context("read a PEM certificate")?)?;
        first = Some(first.map_or(at, |f| f.min(at)));
    }
    Ok(first)
}

/// The first expiry among DER certificates (a chain as a server presents it).
pub fn chain_expiry(chain: &[CertificateDer<'_>]) -> anyhow::Result<Option<DateTime<Utc>>> {
    chain.iter().try_fold(None, |first: Option<DateTime<Utc>>, cert| {
        let at = not_after(cert)?;
        Ok(Some(first.map_or(at, |f| f.min(at))))
    })
}

/// When the certificate chain the Postgres server at `host:port` presents expires — its leaf
/// or an intermediate, whichever ends first (either ending breaks `verify-full`); `None` when
/// the server does not offer TLS. Nothing is verified here, only the dates are read:
/// connections verify as their server's mode says.
pub async fn server_certificate_expiry(
    host: &str,
    port: u16,
    timeout: Duration,
) -> anyhow::Result<Option<DateTime<Utc>>> {
    let read = async {
        let mut tcp = tokio::net::TcpStream::connect((host, port)).await.context("connect")?;
        tcp.write_all(&SSL_REQUEST).await.context("ask for TLS")?;
        let mut answer = [0u8; 1];
        tcp.read_exact(&mut answer).await.context("read the answer to the TLS request")?;
        match answer[0] {
            b'S' => {}
            b'N' => return Ok(None),
            other => bail!("unexpected answer {other:#04x} to the TLS request"),
        }
        let config = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider().signature_verification_algorithms)))
            .with_no_client_auth();
        let name = ServerName::try_from(host.to_owned()).context("the server's host as a TLS name")?;
        let tls =
            tokio_rustls::TlsConnector::from(Arc::new(config)).connect(name, tcp).await.context("TLS handshake")?;
        let chain = tls.get_ref().1.peer_certificates().context("no server certificate")?;
        chain_expiry(chain)?.context("no server certificate").map(Some)
    };
    tokio::time::timeout(timeout, read).await.context("timed out")?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert_expiring(year: i32, month: u8, day: u8) -> rcgen::Certificate {
        let mut params = rcgen::CertificateParams::new(vec!["db.example".to_owned()]).unwrap();
        params.not_after = rcgen::date_time_ymd(year, month, day);
        params.self_signed(&rcgen::KeyPair::generate().unwrap()).unwrap()
    }

    #[test]
    fn a_certificates_expiry_is_read_and_a_bundle_gives_its_first() {
        let later = cert_expiring(2031, 3, 4);
        let sooner = cert_expiring(2027, 1, 2);
        let expected =
            |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        assert_eq!(not_after(later.der()).unwrap(), expected(2031, 3, 4));
        let bundle = format!("{}{}", later.pem(), sooner.pem());
        assert_eq!(bundle_expiry(&bundle).unwrap(), Some(expected(2027, 1, 2)));
        assert_eq!(bundle_expiry("").unwrap(), None);
        // A chain as a server presents it: an intermediate ending before the leaf counts.
        let chain = [later.der().clone(), sooner.der().clone()];
        assert_eq!(chain_expiry(&chain).unwrap(), Some(expected(2027, 1, 2)));
        assert_eq!(chain_expiry(&[]).unwrap(), None);
        assert!(not_after(b"not a certificate").is_err());
    }
}
