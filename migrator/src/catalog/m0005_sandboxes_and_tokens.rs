//! CI sandboxes (tenants that expire and are removed without a tombstone) and the control
//! plane's API tokens (for CI pipelines and scripts; `sandbox` tokens may only manage sandboxes).

const UP: &str = r#"
ALTER TABLE tenants ADD COLUMN sandbox_expires_at timestamptz;
CREATE INDEX tenants_sandbox_expiry ON tenants (sandbox_expires_at) WHERE sandbox_expires_at IS NOT NULL;

CREATE TABLE api_tokens (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- SHA-256 of the whole token; the token is shown once.
    token_hash text NOT NULL UNIQUE,
    -- The token's last characters, shown in lists to tell tokens apart.
    hint text NOT NULL,
    -- `admin`: the whole control-plane API but minting tokens; `sandbox`: sandboxes only.
    scope text NOT NULL CHECK (scope IN ('admin', 'sandbox')),
    -- The operator who made it; the token acts as (and dies with) that operator.
    operator_id uuid NOT NULL REFERENCES operators (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz
);
"#;

crate::sql_migration::sql_migration!(UP);
