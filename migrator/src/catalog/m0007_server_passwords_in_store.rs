//! Database servers' admin passwords move to the platform's secret store (Vault or the local
//! store): the catalog records only that a server has one there. `admin_password_sealed` stays
//! for servers registered before; the control plane moves those at its next start.

const UP: &str = r#"
ALTER TABLE database_servers ADD COLUMN admin_password_stored boolean NOT NULL DEFAULT false;
ALTER TABLE database_servers ADD CONSTRAINT database_servers_one_password
    CHECK (NOT (admin_password_stored AND admin_password_sealed IS NOT NULL));
"#;

crate::sql_migration::sql_migration!(UP);
