//! The settings against a real Postgres that accepts only TLS (`test_support::tls_cluster`).

use dbtls::{DbTls, TlsMode, config_from_url};

async fn encrypted(config: tokio_postgres::Config, tls: &DbTls) -> Result<bool, tokio_postgres::Error> {
    let (client, connection) = config.connect(tls.connector()).await?;
    tokio::spawn(connection);
    client.query_one("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", &[]).await.map(|row| row.get(0))
}

#[tokio::test]
async fn a_url_with_verify_full_and_its_ca_connects_encrypted_and_plain_or_a_foreign_ca_do_not() {
    let cluster = test_support::tls_cluster();
    let dir = tempfile::tempdir().unwrap();
    let (ours, theirs) = (dir.path().join("ca.pem"), dir.path().join("other.pem"));
    std::fs::write(&ours, &cluster.ca_pem).unwrap();
    std::fs::write(&theirs, test_support::another_ca_pem()).unwrap();
    let url = |query: &str| format!("{}?application_name=dbtls-test&{query}", cluster.url("postgres"));

    let (config, tls) = config_from_url(&url(&format!("sslmode=verify-full&sslrootcert={}", ours.display()))).unwrap();
    assert_eq!(tls.mode(), TlsMode::VerifyFull);
    assert!(encrypted(config, &tls).await.unwrap());
    let (config, tls) = config_from_url(&url("sslmode=require")).unwrap();
    assert!(encrypted(config, &tls).await.unwrap());

    let (config, tls) =
        config_from_url(&url(&format!("sslmode=verify-full&sslrootcert={}", theirs.display()))).unwrap();
    let refused = encrypted(config, &tls).await.unwrap_err();
    assert!(format!("{refused:?}").to_lowercase().contains("certificate"), "{refused:?}");
    let (config, tls) = config_from_url(&url("sslmode=disable")).unwrap();
    let refused = encrypted(config, &tls).await.unwrap_err();
    let message = refused.as_db_error().map(|e| e.message().to_owned()).unwrap_or_default();
    assert!(message.contains("no encryption"), "{refused:?}");
}

#[tokio::test]
async fn the_certificate_a_server_presents_is_read_and_a_plain_server_has_none() {
    let cluster = test_support::tls_cluster();
    let url: url::Url = cluster.url("postgres").parse().unwrap();
    let (host, port) = (url.host_str().unwrap().to_owned(), url.port().unwrap());
    let timeout = std::time::Duration::from_secs(5);
    let presented = dbtls::server_certificate_expiry(&host, port, timeout).await.unwrap();
    let served = dbtls::bundle_expiry(&cluster.server_cert_pem).unwrap();
    // Fresh test certificates make the server's end (2100) differ from its CA's (4096).
    assert_eq!(presented, served, "the expiry read over the wire is the served certificate's");

    let plain: url::Url = test_support::admin_url("postgres").parse().unwrap();
    let none = dbtls::server_certificate_expiry(plain.host_str().unwrap(), plain.port().unwrap(), timeout).await;
    assert_eq!(none.unwrap(), None, "a server without TLS presents no certificate");
}
