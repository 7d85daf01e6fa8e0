//! TLS to database servers: the modes as libpq names them (`prefer`, which may fall back to
//! plain TCP silently, is not offered) and the CA bundle `verify-full` trusts.

const UP: &str = r#"
ALTER TABLE database_servers DROP CONSTRAINT IF EXISTS database_servers_tls_mode_check;
UPDATE database_servers SET tls_mode = 'require' WHERE tls_mode = 'prefer';
ALTER TABLE database_servers ADD CONSTRAINT database_servers_tls_mode_check
    CHECK (tls_mode IN ('disable', 'require', 'verify-full'));
-- PEM certificates; only with `verify-full` (without one, the host's trusted roots).
ALTER TABLE database_servers ADD COLUMN tls_ca_pem text
    CHECK (tls_ca_pem IS NULL OR tls_mode = 'verify-full');
"#;

crate::sql_migration::sql_migration!(UP);
