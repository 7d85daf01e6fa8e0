//! Client certificates for database servers that admit only connections presenting one
//! (`clientcert=verify-ca`/`verify-full`): the certificate chain the platform presents, public,
//! kept here (the tenant plane's catalog login reads it, and its expiry is shown); the key is in
//! the secret store. A change of it is a change of how the server is reached: counted in
//! `access_version`, and the tenant planes reconnect the server's tenants.

const UP: &str = r#"
ALTER TABLE database_servers ADD COLUMN tls_client_cert_pem text;

CREATE OR REPLACE FUNCTION tenantry_server_access_counted() RETURNS trigger AS $$
BEGIN
    IF (OLD.host, OLD.port, OLD.admin_user, OLD.admin_database, OLD.tls_mode, OLD.tls_ca_pem, OLD.tls_client_cert_pem)
        IS DISTINCT FROM (NEW.host, NEW.port, NEW.admin_user, NEW.admin_database, NEW.tls_mode, NEW.tls_ca_pem, NEW.tls_client_cert_pem)
    THEN
        NEW.access_version := GREATEST(NEW.access_version, OLD.access_version + 1);
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

DROP TRIGGER database_servers_access_changed ON database_servers;
CREATE TRIGGER database_servers_access_changed AFTER UPDATE ON database_servers
    FOR EACH ROW WHEN ((OLD.host, OLD.port, OLD.tls_mode, OLD.tls_ca_pem, OLD.tls_client_cert_pem)
        IS DISTINCT FROM (NEW.host, NEW.port, NEW.tls_mode, NEW.tls_ca_pem, NEW.tls_client_cert_pem))
    EXECUTE FUNCTION tenantry_server_access_changed();

-- The tenant plane's catalog login reads it with the other connection columns.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tenantry_catalog_reader') THEN
        GRANT SELECT (tls_client_cert_pem) ON database_servers TO tenantry_catalog_reader;
    END IF;
END $$;
"#;

crate::sql_migration::sql_migration!(UP);
