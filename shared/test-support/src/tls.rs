//! Certificates for the TLS-only test cluster: a test CA and a server certificate it issued,
//! kept next to the cluster so every test process of a run trusts the same CA.

use std::{fs, path::Path};

use anyhow::Context;
use pgcluster::ServerTls;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

fn ca(name: &str) -> anyhow::Result<(rcgen::Certificate, KeyPair)> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.distinguished_name.push(DnType::CommonName, name);
    let key = KeyPair::generate()?;
    let cert = params.self_signed(&key)?;
    Ok((cert, key))
}

/// The CA (PEM) and the server's certificate and key, made on first use in `dir`.
pub(crate) fn test_certificates(dir: &Path) -> anyhow::Result<(String, ServerTls)> {
    let (ca_path, cert_path, key_path) = (dir.join("ca.pem"), dir.join("server-cert.pem"), dir.join("server-key.pem"));
    if let (Ok(ca_pem), Ok(cert_pem), Ok(key_pem)) =
        (fs::read_to_string(&ca_path), fs::read_to_string(&cert_path), fs::read_to_string(&key_path))
    {
        return Ok((ca_pem, ServerTls { cert_pem, key_pem, client_ca_pem: None }));
    }
    let (ca_cert, ca_key) = ca("Tenantry test CA")?;
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
    params.distinguished_name.push(DnType::CommonName, "tenantry-test-postgres");
    // Before the CA's (rcgen's default, 4096): tests tell the two expiries apart.
    params.not_after = rcgen::date_time_ymd(2100, 1, 1);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, &ca_cert, &ca_key)?;
    let server = ServerTls { cert_pem: cert.pem(), key_pem: key.serialize_pem(), client_ca_pem: None };
    fs::write(&cert_path, &server.cert_pem).context("write server certificate")?;
    fs::write(&key_path, &server.key_pem).context("write server key")?;
    // Last: its presence means the set is complete.
    fs::write(&ca_path, ca_cert.pem()).context("write CA")?;
    Ok((ca_cert.pem(), server))
}

/// A CA that issued nothing the test clusters use (to show `verify-full` refusing).
pub fn another_ca_pem() -> String {
    ca("Some other CA").map(|(cert, _)| cert.pem()).unwrap_or_else(|err| panic!("generate a CA: {err:#}"))
}

/// A client certificate and its key, PEM.
#[derive(Clone)]
pub struct ClientCert {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A client CA (PEM) and two client certificates it issued (for the user `tenantry`; the
/// cluster checks the issuer, not the name), made on first use in `dir`.
pub(crate) fn client_certificates(dir: &Path) -> anyhow::Result<(String, [ClientCert; 2])> {
    let ca_path = dir.join("client-ca.pem");
    let paths = [1, 2].map(|n| (dir.join(format!("client-{n}-cert.pem")), dir.join(format!("client-{n}-key.pem"))));
    let read = |(cert, key): &(std::path::PathBuf, std::path::PathBuf)| -> Option<ClientCert> {
        Some(ClientCert { cert_pem: fs::read_to_string(cert).ok()?, key_pem: fs::read_to_string(key).ok()? })
    };
    if let (Ok(ca_pem), Some(first), Some(second)) = (fs::read_to_string(&ca_path), read(&paths[0]), read(&paths[1])) {
        return Ok((ca_pem, [first, second]));
    }
    let (ca_cert, ca_key) = ca("Tenantry test client CA")?;
    let clients = [issue_client(&ca_cert, &ca_key)?, issue_client(&ca_cert, &ca_key)?];
    for (client, (cert, key)) in clients.iter().zip(&paths) {
        fs::write(cert, &client.cert_pem).context("write client certificate")?;
        fs::write(key, &client.key_pem).context("write client key")?;
    }
    // Last: its presence means the set is complete.
    fs::write(&ca_path, ca_cert.pem()).context("write client CA")?;
    Ok((ca_cert.pem(), clients))
}

fn issue_client(ca_cert: &rcgen::Certificate, ca_key: &KeyPair) -> anyhow::Result<ClientCert> {
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    params.distinguished_name.push(DnType::CommonName, "tenantry");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
    params.not_after = rcgen::date_time_ymd(2100, 1, 1);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, ca_cert, ca_key)?;
    Ok(ClientCert { cert_pem: cert.pem(), key_pem: key.serialize_pem() })
}

/// A client certificate from a CA no test cluster trusts (to show it refused).
pub fn foreign_client_cert() -> ClientCert {
    ca("Some other client CA")
        .and_then(|(cert, key)| issue_client(&cert, &key))
        .unwrap_or_else(|err| panic!("generate a client certificate: {err:#}"))
}
