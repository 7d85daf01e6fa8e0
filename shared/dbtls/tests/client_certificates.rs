//! Client certificates against a real Postgres that admits only connections presenting one
//! from its client CA (`test_support::mtls_cluster`, `clientcert=verify-ca`).

use dbtls::{ClientIdentity, DbTls, TlsMode};

/// The client DN the server saw, or the connection's error.
async fn client_dn(url: &str, tls: &DbTls) -> Result<Option<String>, tokio_postgres::Error> {
    let mut config: tokio_postgres::Config = url.parse()?;
    tls.configure(&mut config);
    let (client, connection) = config.connect(tls.connector()).await?;
    tokio::spawn(connection);
    let row = client.query_one("SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await?;
    Ok(row.get(0))
}

#[tokio::test]
async fn a_server_requiring_a_client_certificate_admits_its_own_and_refuses_none_or_a_foreign_one() {
    let cluster = test_support::mtls_cluster();
    let url = cluster.url("postgres");
    let ours = ClientIdentity::new(&cluster.client.cert_pem, &cluster.client.key_pem).unwrap();
    let foreign = test_support::foreign_client_cert();
    let theirs = ClientIdentity::new(&foreign.cert_pem, &foreign.key_pem).unwrap();

    let tls = DbTls::with_identity(TlsMode::VerifyFull, Some(&cluster.ca_pem), Some(&ours)).unwrap();
    assert_eq!(client_dn(&url, &tls).await.unwrap().as_deref(), Some("/CN=tenantry"));
    let tls = DbTls::with_identity(TlsMode::Require, None, Some(&ours)).unwrap();
    assert!(client_dn(&url, &tls).await.is_ok(), "require presents it too");

    // Without one the server says so; a foreign one fails the handshake (the server does not
    // know its CA).
    let tls = DbTls::new(TlsMode::VerifyFull, Some(&cluster.ca_pem)).unwrap();
    let refused = client_dn(&url, &tls).await.unwrap_err();
    let message = refused.as_db_error().map(|e| e.message().to_owned()).unwrap_or_default();
    assert!(message.contains("certificate"), "{refused:?}");
    let tls = DbTls::with_identity(TlsMode::VerifyFull, Some(&cluster.ca_pem), Some(&theirs)).unwrap();
    let refused = client_dn(&url, &tls).await.unwrap_err();
    assert!(format!("{refused:?}").contains("UnknownCA"), "{refused:?}");
}

#[test]
fn an_identity_needs_a_key_that_belongs_to_its_certificate_and_survives_its_bundle() {
    let one = test_support::foreign_client_cert();
    let other = test_support::foreign_client_cert();
    assert!(ClientIdentity::new(&one.cert_pem, &other.key_pem).is_err(), "another certificate's key");
    assert!(ClientIdentity::new("not a certificate", &one.key_pem).is_err());
    assert!(ClientIdentity::new(&one.cert_pem, "not a key").is_err());
    let identity = ClientIdentity::new(&one.cert_pem, &one.key_pem).unwrap();
    let again = ClientIdentity::from_bundle(&identity.bundle()).unwrap();
    assert_eq!(again, identity);
    assert!(!identity.cert_pem().contains("PRIVATE KEY"), "the public half holds no key");
    assert!(
        DbTls::with_identity(TlsMode::Disable, None, Some(&identity)).is_err(),
        "no client certificate without TLS"
    );
}
