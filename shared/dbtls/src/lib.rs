//! TLS to database servers. Each registered server has a mode, as libpq names them:
//!
//! - `disable`: plain TCP (a server on the same host or a private network the operator trusts);
//! - `require`: encrypted, the server's certificate not checked (protects against listeners,
//!   not against someone who can redirect the connection);
//! - `verify-full`: encrypted, the certificate chain checked against the server's registered CA
//!   bundle (or the host's trusted roots without one) and its name against the host we dial.
//!
//! [`DbTls`] configures the three clients the platform opens Postgres connections with:
//! tokio-postgres (admin, tenant and probe connections), deadpool-postgres (through the same
//! connector) and sqlx (sea-orm migrations).

use std::{
    collections::HashMap,
    fmt,
    str::FromStr,
    sync::{Arc, Mutex, OnceLock},
};

use anyhow::{Context, bail};
use rustls::{
    ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
    client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier},
    crypto::{CryptoProvider, WebPkiSupportedAlgorithms},
    pki_types::{CertificateDer, ServerName, UnixTime, pem::PemObject},
};
use sea_orm::sqlx::postgres::{PgConnectOptions, PgSslMode};
use tokio_postgres::config::SslMode;
pub use tokio_postgres_rustls::MakeRustlsConnect;

mod expiry;
mod identity;
pub use expiry::{bundle_expiry, chain_expiry, not_after, server_certificate_expiry};
pub use identity::{ClientIdentity, IdentityError, MAX_IDENTITY_PEM};

/// How connections to a database server are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum TlsMode {
    #[default]
    #[serde(rename = "disable")]
    Disable,
    #[serde(rename = "require")]
    Require,
    #[serde(rename = "verify-full")]
    VerifyFull,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Disable => "disable",
            Self::Require => "require",
            Self::VerifyFull => "verify-full",
        }
    }
}

impl FromStr for TlsMode {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "disable" => Ok(Self::Disable),
            "require" => Ok(Self::Require),
            "verify-full" => Ok(Self::VerifyFull),
            other => Err(format!("{other:?}: `disable`, `require` or `verify-full`")),
        }
    }
}

impl fmt::Display for TlsMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A mode, its CA bundle and the client certificate: what [`DbTls::with_identity`] builds from.
type Settings = (TlsMode, Option<String>, Option<ClientIdentity>);

/// A server's TLS settings, ready to connect with.
#[derive(Clone)]
pub struct DbTls {
    mode: TlsMode,
    ca_pem: Option<String>,
    identity: Option<ClientIdentity>,
    connector: MakeRustlsConnect,
}

impl fmt::Debug for DbTls {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DbTls")
            .field("mode", &self.mode)
            .field("ca", &self.ca_pem.is_some())
            .field("client_certificate", &self.identity.is_some())
            .finish()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

impl DbTls {
    /// Plain TCP (one shared value: every tenant route of a plain server holds one).
    pub fn disabled() -> Self {
        static DISABLED: OnceLock<DbTls> = OnceLock::new();
        DISABLED
            .get_or_init(|| {
                // Fails only for protocol versions ring lacks, and it has the defaults.
                Self::build(TlsMode::Disable, None, None)
                    .unwrap_or_else(|err| unreachable!("plain TLS settings: {err:#}"))
            })
            .clone()
    }

    /// Settings for `mode`; `ca_pem` (PEM certificates) is what `verify-full` trusts.
    pub fn new(mode: TlsMode, ca_pem: Option<&str>) -> anyhow::Result<Self> {
        Self::with_identity(mode, ca_pem, None)
    }

    /// Settings for `mode` that also present `identity` to a server asking for a client
    /// certificate (only over TLS: a client certificate without encryption is refused).
    pub fn with_identity(
        mode: TlsMode,
        ca_pem: Option<&str>,
        identity: Option<&ClientIdentity>,
    ) -> anyhow::Result<Self> {
        let ca_pem = ca_pem.map(str::trim).filter(|p| !p.is_empty());
        if ca_pem.is_some() && mode != TlsMode::VerifyFull {
            bail!("a CA bundle is used only with tls mode `verify-full`");
        }
        if identity.is_some() && mode == TlsMode::Disable {
            bail!("a client certificate needs tls mode `require` or `verify-full`");
        }
        if mode == TlsMode::Disable {
            return Ok(Self::disabled());
        }
        // One value per distinct setting: every tenant route of a server asks for the same one
        // (at each route load), so its CA bundle is parsed once and its TLS sessions are shared.
        static BUILT: OnceLock<Mutex<HashMap<Settings, DbTls>>> = OnceLock::new();
        let key = (mode, ca_pem.map(str::to_owned), identity.cloned());
        let built = BUILT.get_or_init(Default::default);
        if let Some(tls) = built.lock().ok().and_then(|b| b.get(&key).cloned()) {
            return Ok(tls);
        }
        let tls = Self::build(mode, ca_pem, identity)?;
        if let Ok(mut built) = built.lock() {
            // Bounded: failed registrations may each bring another bundle.
            if built.len() >= 256 {
                built.clear();
            }
            built.insert(key, tls.clone());
        }
        Ok(tls)
    }

    fn build(mode: TlsMode, ca_pem: Option<&str>, identity: Option<&ClientIdentity>) -> anyhow::Result<Self> {
        let ca_pem = ca_pem.map(str::to_owned);
        let builder = ClientConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .context("TLS protocol versions")?;
        let verifying = match mode {
            TlsMode::VerifyFull => builder.with_root_certificates(roots(ca_pem.as_deref())?),
            // Never used to verify: with `disable` no handshake happens at all.
            TlsMode::Require | TlsMode::Disable => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider().signature_verification_algorithms))),
        };
        let config = match identity {
            Some(identity) => {
                let (certs, key) = identity.certified()?;
                verifying.with_client_auth_cert(certs, key).context("the client certificate")?
            }
            None => verifying.with_no_client_auth(),
        };
        Ok(Self { mode, ca_pem, identity: identity.cloned(), connector: MakeRustlsConnect::new(config) })
    }

    pub fn mode(&self) -> TlsMode {
        self.mode
    }

    /// The client certificate chain presented, if any (PEM).
    pub fn client_cert_pem(&self) -> Option<&str> {
        self.identity.as_ref().map(ClientIdentity::cert_pem)
    }

    /// The connector to pass to `tokio_postgres::Config::connect` or deadpool-postgres, after
    /// [`DbTls::configure`].
    pub fn connector(&self) -> MakeRustlsConnect {
        self.connector.clone()
    }

    /// Sets the `sslmode` of a tokio-postgres configuration.
    pub fn configure(&self, config: &mut tokio_postgres::Config) {
        config.ssl_mode(match self.mode {
            TlsMode::Disable => SslMode::Disable,
            TlsMode::Require | TlsMode::VerifyFull => SslMode::Require,
        });
    }

    /// The same settings for sqlx (sea-orm migrations).
    pub fn configure_sqlx(&self, options: PgConnectOptions) -> PgConnectOptions {
        let options = match &self.identity {
            Some(identity) => {
                options.ssl_client_cert_from_pem(identity.cert_pem()).ssl_client_key_from_pem(identity.key_pem())
            }
            None => options,
        };
        match self.mode {
            TlsMode::Disable => options.ssl_mode(PgSslMode::Disable),
            TlsMode::Require => options.ssl_mode(PgSslMode::Require),
            TlsMode::VerifyFull => {
                let options = options.ssl_mode(PgSslMode::VerifyFull);
                match &self.ca_pem {
                    Some(pem) => options.ssl_root_cert_from_pem(pem.as_bytes().to_vec()),
                    None => options,
                }
            }
        }
    }
}

/// The registered CA bundle, or the host's trusted roots.
fn roots(ca_pem: Option<&str>) -> anyhow::Result<RootCertStore> {
    let mut roots = RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem.as_bytes())
                .collect::<Result<_, _>>()
                .context("the CA bundle is not PEM certificates")?;
            if certs.is_empty() {
                bail!("the CA bundle holds no certificate");
            }
            for cert in certs {
                roots.add(cert).context("the CA bundle holds an unusable certificate")?;
            }
        }
        None => {
            // Read once per process: the host's store is a few hundred files.
            static NATIVE: OnceLock<RootCertStore> = OnceLock::new();
            roots = NATIVE
                .get_or_init(|| {
                    let mut native = RootCertStore::empty();
                    native.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
                    native
                })
                .clone();
            if roots.is_empty() {
                bail!("no CA bundle given and no trusted roots found on this host");
            }
        }
    }
    Ok(roots)
}

/// The TLS settings of a libpq-style URL: `sslmode` (`disable` when absent; `prefer` is
/// refused, as it may silently fall back to plain TCP) and, for `verify-full`, `sslrootcert`
/// (a PEM file; without it the host's trusted roots).
pub fn url_tls(url: &url::Url) -> anyhow::Result<(TlsMode, Option<String>)> {
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let mode = match param("sslmode") {
        None => TlsMode::Disable,
        Some(mode) => mode.parse().map_err(anyhow::Error::msg).context("sslmode in the database URL")?,
    };
    let ca = match param("sslrootcert") {
        Some(path) if mode == TlsMode::VerifyFull => {
            let pem = std::fs::read_to_string(&path).with_context(|| format!("read sslrootcert {path}"))?;
            validate_ca_pem(&pem)?;
            Some(pem)
        }
        Some(_) => bail!("sslrootcert goes with sslmode=verify-full"),
        None => None,
    };
    Ok((mode, ca))
}

/// The client certificate of a libpq-style URL: `sslcert` and `sslkey` (PEM files), both or
/// neither, and only with TLS.
pub fn url_identity(url: &url::Url) -> anyhow::Result<Option<ClientIdentity>> {
    let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
    let read = |path: String| std::fs::read_to_string(&path).with_context(|| format!("read {path}"));
    match (param("sslcert"), param("sslkey")) {
        (None, None) => Ok(None),
        (Some(cert), Some(key)) => Ok(Some(ClientIdentity::new(&read(cert)?, &read(key)?)?)),
        _ => bail!("sslcert and sslkey go together"),
    }
}

/// A tokio-postgres configuration and its TLS settings from a libpq-style URL (for
/// connections made outside sea-orm, such as the tenant plane's catalog `LISTEN`): `sslmode`
/// and `sslrootcert` as [`url_tls`] reads them, every other parameter as tokio-postgres does.
pub fn config_from_url(url: &str) -> anyhow::Result<(tokio_postgres::Config, DbTls)> {
    let mut parsed = url::Url::parse(url).context("parse the database URL")?;
    let (mode, ca) = url_tls(&parsed)?;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != "sslmode" && k != "sslrootcert")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    parsed.set_query(None);
    if !kept.is_empty() {
        parsed.query_pairs_mut().extend_pairs(kept);
    }
    let mut config: tokio_postgres::Config = parsed.as_str().parse().context("the database URL")?;
    let tls = DbTls::new(mode, ca.as_deref())?;
    tls.configure(&mut config);
    Ok((config, tls))
}

/// Checks that a PEM CA bundle parses (for registration input).
pub fn validate_ca_pem(pem: &str) -> anyhow::Result<()> {
    roots(Some(pem)).map(|_| ())
}

/// `require`: the handshake is verified (the server holds the key of the certificate it
/// sent), the certificate itself is not.
#[derive(Debug)]
struct EncryptOnly(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_print_as_libpq_names_them() {
        for mode in [TlsMode::Disable, TlsMode::Require, TlsMode::VerifyFull] {
            assert_eq!(mode.as_str().parse::<TlsMode>(), Ok(mode));
        }
        assert!("prefer".parse::<TlsMode>().is_err());
        assert!("verify_full".parse::<TlsMode>().is_err());
    }

    #[test]
    fn a_url_keeps_its_other_parameters_and_refuses_prefer() {
        let (config, tls) =
            config_from_url("postgres://u:p@127.0.0.1:5433/cat?sslmode=require&application_name=tp").unwrap();
        assert_eq!(tls.mode(), TlsMode::Require);
        assert_eq!(config.get_application_name(), Some("tp"));
        assert_eq!(config.get_ssl_mode(), SslMode::Require);
        let (config, tls) = config_from_url("postgres://u:p@127.0.0.1:5433/cat").unwrap();
        assert_eq!((tls.mode(), config.get_ssl_mode()), (TlsMode::Disable, SslMode::Disable));
        assert!(config_from_url("postgres://u@h/db?sslmode=prefer").is_err());
        assert!(config_from_url("postgres://u@h/db?sslmode=require&sslrootcert=/x.pem").is_err());
        assert!(config_from_url("postgres://u@h/db?sslmode=verify-full&sslrootcert=/no/such.pem").is_err());
    }

    #[test]
    fn a_ca_bundle_must_be_certificates_and_goes_with_verify_full_only() {
        assert!(validate_ca_pem("not a certificate").is_err());
        assert!(validate_ca_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").is_err());
        let pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(DbTls::new(TlsMode::Require, Some(pem)).is_err());
        assert!(DbTls::new(TlsMode::Disable, None).is_ok());
    }
}
