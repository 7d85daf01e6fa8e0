//! The first catalog schema: tenants, domains, servers, placements, jobs, operators, audit,
//! and the change-notification trigger the tenant plane listens to.

const UP: &str = r#"
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    slug text NOT NULL CHECK (slug ~ '^[a-z][a-z0-9-]{1,61}[a-z0-9]$'),
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    plan text NOT NULL,
    status text NOT NULL CHECK (status IN ('provisioning','active','suspended','offboarding','deleted','failed')),
    status_reason text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    deleted_at timestamptz
);
-- A slug is unique among live tenants; a tombstone frees it.
CREATE UNIQUE INDEX tenants_live_slug ON tenants (slug) WHERE status <> 'deleted';

CREATE TABLE domains (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hostname text NOT NULL UNIQUE,
    verified boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE database_servers (
    id uuid PRIMARY KEY,
    name text NOT NULL UNIQUE,
    host text NOT NULL,
    port integer NOT NULL CHECK (port BETWEEN 1 AND 65535),
    admin_user text NOT NULL,
    admin_password_sealed text,
    admin_database text NOT NULL DEFAULT 'postgres',
    template_database text NOT NULL,
    state text NOT NULL DEFAULT 'active' CHECK (state IN ('active','draining')),
    capacity integer NOT NULL DEFAULT 5000,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenant_databases (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    server_id uuid NOT NULL REFERENCES database_servers (id),
    database_name text NOT NULL,
    role_name text NOT NULL,
    password_sealed text NOT NULL,
    schema_version text,
    migrated_at timestamptz,
    last_migration_error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (server_id, database_name)
);

CREATE TABLE provisioning_jobs (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    kind text NOT NULL CHECK (kind IN ('provision','deprovision')),
    state text NOT NULL CHECK (state IN ('pending','running','succeeded','failed','compensated')),
    current_step text,
    steps jsonb NOT NULL DEFAULT '{}',
    params jsonb NOT NULL DEFAULT '{}',
    attempts integer NOT NULL DEFAULT 0,
    last_error text,
    lease_owner text,
    lease_expires_at timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provisioning_jobs_tenant ON provisioning_jobs (tenant_id, created_at DESC);
CREATE INDEX provisioning_jobs_runnable ON provisioning_jobs (created_at) WHERE state IN ('pending','running');

CREATE TABLE operators (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    password_hash text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_login_at timestamptz
);

CREATE TABLE operator_sessions (
    token_hash text PRIMARY KEY,
    operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);

CREATE TABLE bootstrap_tokens (
    token_hash text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at timestamptz
);

CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    at timestamptz NOT NULL DEFAULT now(),
    actor text NOT NULL,
    action text NOT NULL,
    tenant_id uuid,
    details jsonb NOT NULL DEFAULT '{}',
    request_id text
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id DESC);

"#;

const TRIGGERS: &str = r#"
CREATE FUNCTION tenantry_notify_tenants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenantry_tenant_changed', COALESCE(NEW.id, OLD.id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER tenants_notify AFTER INSERT OR UPDATE OR DELETE ON tenants
    FOR EACH ROW EXECUTE FUNCTION tenantry_notify_tenants();

CREATE FUNCTION tenantry_notify_tenant_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('tenantry_tenant_changed', COALESCE(NEW.tenant_id, OLD.tenant_id)::text);
    RETURN NULL;
END $$;
CREATE TRIGGER domains_notify AFTER INSERT OR UPDATE OR DELETE ON domains
    FOR EACH ROW EXECUTE FUNCTION tenantry_notify_tenant_children();
CREATE TRIGGER tenant_databases_notify AFTER INSERT OR UPDATE OR DELETE ON tenant_databases
    FOR EACH ROW EXECUTE FUNCTION tenantry_notify_tenant_children();
"#;

crate::sql_migration::sql_migration!(UP, TRIGGERS);
