//! Refresh tokens of the tenant's users: stored as SHA-256 only, rotated on every use, grouped
//! in families so that reuse of a rotated token revokes the whole family.

const UP: &str = r#"
CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id uuid NOT NULL,
    token_hash text NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    replaced_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
"#;

crate::sql_migration::sql_migration!(UP);
