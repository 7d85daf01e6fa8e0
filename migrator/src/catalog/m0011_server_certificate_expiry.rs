//! When the certificate a database server presents expires, as its health probe last read it:
//! an expired certificate breaks every `verify-full` connection to the server at once.

const UP: &str = r#"
ALTER TABLE database_servers ADD COLUMN tls_certificate_expires_at timestamptz;
"#;

crate::sql_migration::sql_migration!(UP);
