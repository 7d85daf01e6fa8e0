//! How the platform reaches a database server can change after registration (TLS settings,
//! admin password): `access_version` counts those changes, so every process holding admin
//! connections to it sees that they are stale, and a change notifies the tenant planes
//! (`server:<id>` on the tenant-changed channel) to reconnect that server's tenants.

const UP: &str = r#"
ALTER TABLE database_servers ADD COLUMN access_version integer NOT NULL DEFAULT 1;

-- Any change of where or how to connect counts, whoever makes it; a password change (which
-- lives in the secret store) is counted by the code that stores it.
CREATE FUNCTION tenantry_server_access_counted() RETURNS trigger AS $$
BEGIN
    IF (OLD.host, OLD.port, OLD.admin_user, OLD.admin_database, OLD.tls_mode, OLD.tls_ca_pem)
        IS DISTINCT FROM (NEW.host, NEW.port, NEW.admin_user, NEW.admin_database, NEW.tls_mode, NEW.tls_ca_pem)
    THEN
        NEW.access_version := GREATEST(NEW.access_version, OLD.access_version + 1);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER database_servers_access_counted BEFORE UPDATE ON database_servers
    FOR EACH ROW EXECUTE FUNCTION tenantry_server_access_counted();

CREATE FUNCTION tenantry_server_access_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('tenantry_tenant_changed', 'server:' || NEW.id::text);
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER database_servers_access_changed AFTER UPDATE ON database_servers
    FOR EACH ROW WHEN (OLD.access_version IS DISTINCT FROM NEW.access_version)
    EXECUTE FUNCTION tenantry_server_access_changed();
"#;

crate::sql_migration::sql_migration!(UP);
