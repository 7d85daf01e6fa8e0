//! The local secret store's tables: one data key per scope (a tenant, or the platform),
//! wrapped by the master key, and versioned secrets encrypted with their scope's data key.
//! Tenant database passwords move here from `tenant_databases`.

const UP: &str = r#"
CREATE TABLE secret_data_keys (
    scope text PRIMARY KEY CHECK (scope = 'platform' OR scope ~ '^tenant/[0-9a-f-]{36}$'),
    -- The data key sealed by a master key; `kek_id` names that key (rewrap moves it).
    wrapped_key text NOT NULL,
    kek_id text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    rewrapped_at timestamptz
);
CREATE INDEX secret_data_keys_kek ON secret_data_keys (kek_id);

CREATE TABLE secrets (
    scope text NOT NULL REFERENCES secret_data_keys (scope) ON DELETE CASCADE,
    name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9/_.-]{0,199}$'),
    version integer NOT NULL CHECK (version > 0),
    -- Encrypted with the scope's data key; associated data binds scope, name and version.
    ciphertext text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, name, version)
);

-- Roles other than the catalog owner (the tenant plane's reader) see tenant scopes only,
-- never platform secrets.
ALTER TABLE secret_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE secrets ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_scopes_only ON secret_data_keys FOR SELECT USING (scope LIKE 'tenant/%');
CREATE POLICY tenant_scopes_only ON secrets FOR SELECT USING (scope LIKE 'tenant/%');

ALTER TABLE tenant_databases DROP COLUMN password_sealed;
"#;

crate::sql_migration::sql_migration!(UP);
