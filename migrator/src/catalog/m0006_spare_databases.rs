//! Spare databases: tenant databases cloned ahead of need, each with a role of its own that
//! already owns its objects, so provisioning renames one instead of cloning the template.

const UP: &str = r#"
CREATE TABLE spare_databases (
    id uuid PRIMARY KEY,
    server_id uuid NOT NULL REFERENCES database_servers (id) ON DELETE CASCADE,
    database_name text NOT NULL UNIQUE,
    role_name text NOT NULL UNIQUE,
    -- `creating`: being cloned (a row left here by a crash is swept); `ready`: can be claimed;
    -- `claimed`: being renamed to the tenant's names (the row goes once that is done).
    state text NOT NULL CHECK (state IN ('creating', 'ready', 'claimed')),
    -- The tenant migrations the clone came with, oldest first.
    applied_versions text[] NOT NULL DEFAULT '{}',
    claimed_by uuid REFERENCES tenants (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX spare_databases_ready ON spare_databases (server_id, created_at) WHERE state = 'ready';
CREATE UNIQUE INDEX spare_databases_claim ON spare_databases (claimed_by) WHERE claimed_by IS NOT NULL;
"#;

crate::sql_migration::sql_migration!(UP);
