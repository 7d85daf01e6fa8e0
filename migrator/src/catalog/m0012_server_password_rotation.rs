//! Admin passwords the platform rotates itself: when a server's admin password last changed
//! (shown to operators, and what a rotation policy reads), and a narrower reconnect signal.
//! Tenant planes connect as each tenant's own role, so only a change of where or how to
//! connect (host, port, TLS) makes them reconnect a server's tenants; an admin password
//! change still counts in `access_version` (admin connections are stale) but no longer
//! closes every tenant connection on the server.

const UP: &str = r#"
ALTER TABLE database_servers ADD COLUMN admin_password_changed_at timestamptz;

DROP TRIGGER database_servers_access_changed ON database_servers;
CREATE TRIGGER database_servers_access_changed AFTER UPDATE ON database_servers
    FOR EACH ROW WHEN ((OLD.host, OLD.port, OLD.tls_mode, OLD.tls_ca_pem)
        IS DISTINCT FROM (NEW.host, NEW.port, NEW.tls_mode, NEW.tls_ca_pem))
    EXECUTE FUNCTION tenantry_server_access_changed();
"#;

crate::sql_migration::sql_migration!(UP);
