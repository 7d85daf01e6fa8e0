//! A client certificate the platform presents to a database server that asks for one
//! (`clientcert=verify-ca` or `verify-full` in its `pg_hba.conf`): government and regulated
//! tenants often admit only connections carrying a certificate their own CA issued.
//!
//! It travels as one PEM bundle — the certificate chain, leaf first, and its private key — which
//! is how the secret store keeps it; the certificates alone are public and kept in the catalog.

use std::fmt;

use rustls::{
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    sign::CertifiedKey,
};

/// A client certificate chain and its key, checked to belong together.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ClientIdentity {
    cert_pem: String,
    key_pem: String,
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientIdentity").finish_non_exhaustive()
    }
}

/// The most PEM a client certificate chain or its key may take (input limit).
pub const MAX_IDENTITY_PEM: usize = 64 * 1024;

/// Which half of a client certificate is wrong, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    #[error("the client certificate {0}")]
    Certificate(&'static str),
    #[error("the client key {0}")]
    Key(&'static str),
}

impl ClientIdentity {
    /// A certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, PKCS#1 or SEC1).
    /// Refuses anything else, and a key that does not belong to the leaf certificate.
    pub fn new(cert_pem: &str, key_pem: &str) -> Result<Self, IdentityError> {
        if cert_pem.len() > MAX_IDENTITY_PEM {
            return Err(IdentityError::Certificate("is over 64 KiB of PEM"));
        }
        if key_pem.len() > MAX_IDENTITY_PEM {
            return Err(IdentityError::Key("is over 64 KiB of PEM"));
        }
        let identity = Self { cert_pem: cert_pem.trim().to_owned() + "\n", key_pem: key_pem.trim().to_owned() + "\n" };
        identity.certified()?;
        Ok(identity)
    }

    /// The identity in a bundle of both (as [`ClientIdentity::bundle`] writes it): the
    /// `CERTIFICATE` blocks are the chain, the other block the key.
    pub fn from_bundle(bundle: &str) -> Result<Self, IdentityError> {
        let (mut cert_pem, mut key_pem) = (String::new(), String::new());
        let mut block: Option<(bool, String)> = None;
        for line in bundle.lines() {
            let line = line.trim_end();
            if let Some(label) = line.strip_prefix("-----BEGIN ") {
                block = Some((label.starts_with("CERTIFICATE"), String::new()));
            }
            if let Some((is_cert, text)) = block.as_mut() {
                text.push_str(line);
                text.push('\n');
                if line.starts_with("-----END ") {
                    let target = if *is_cert { &mut cert_pem } else { &mut key_pem };
                    target.push_str(text);
                    block = None;
                }
            }
        }
        Self::new(&cert_pem, &key_pem)
    }

    /// Certificates then key, one PEM text: what the secret store keeps.
    pub fn bundle(&self) -> String {
        format!("{}{}", self.cert_pem, self.key_pem)
    }

    /// The certificate chain, PEM (public: the catalog shows it and reads its expiry).
    pub fn cert_pem(&self) -> &str {
        &self.cert_pem
    }

    /// The private key, PEM: a secret (for sqlx, which reads it apart from the chain, and for
    /// the CLI sending it to the control plane).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The chain and the key rustls presents.
    pub(crate) fn certified(&self) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), IdentityError> {
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(self.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|_| IdentityError::Certificate("is not PEM"))?;
        if certs.is_empty() {
            return Err(IdentityError::Certificate("holds no certificate"));
        }
        let key = PrivateKeyDer::from_pem_slice(self.key_pem.as_bytes())
            .map_err(|_| IdentityError::Key("is not a PEM private key"))?;
        let provider = crate::provider();
        let signing = provider
            .key_provider
            .load_private_key(key.clone_key())
            .map_err(|_| IdentityError::Key("is not a usable private key"))?;
        CertifiedKey::new(certs.clone(), signing)
            .keys_match()
            .map_err(|_| IdentityError::Key("does not belong to the certificate"))?;
        Ok((certs, key))
    }
}
