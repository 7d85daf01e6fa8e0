//! Access control: tenant policy and branding, user names and login lockout, invitations and
//! API keys. Secrets (invitation tokens, API keys) are stored as SHA-256 only: they carry 256
//! bits of randomness, so a fast hash is enough and a lookup is one index probe.

const UP: &str = r#"
ALTER TABLE tenant_profile
    ADD COLUMN branding jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN signup_policy text NOT NULL DEFAULT 'invite_only' CHECK (signup_policy IN ('invite_only','open')),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

ALTER TABLE users
    ADD COLUMN name text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    ADD COLUMN failed_logins integer NOT NULL DEFAULT 0,
    ADD COLUMN locked_until timestamptz,
    ADD COLUMN last_login_at timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

CREATE TABLE invitations (
    id uuid PRIMARY KEY,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner','admin','staff','viewer')),
    token_hash text NOT NULL UNIQUE,
    invited_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    accepted_at timestamptz,
    revoked_at timestamptz
);
-- One open invitation per address: inviting again replaces it.
CREATE UNIQUE INDEX invitations_open_email ON invitations (email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- The first characters of the secret part, shown in lists so people can tell keys apart.
    hint text NOT NULL,
    secret_hash text NOT NULL UNIQUE,
    scopes text[] NOT NULL,
    created_by uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz,
    last_used_at timestamptz,
    revoked_at timestamptz
);
"#;

crate::sql_migration::sql_migration!(UP);
