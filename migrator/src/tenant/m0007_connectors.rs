//! Connectors: the tenant's settings for third-party services. Public settings as JSON;
//! secrets as JSON of sealed values (sealed with the tenant's data key, ADR 0008).

const UP: &str = r#"
CREATE TABLE connectors (
    key text PRIMARY KEY CHECK (key IN ('stripe','email','storage','push')),
    config jsonb NOT NULL,
    secrets_sealed jsonb NOT NULL DEFAULT '{}',
    updated_at timestamptz NOT NULL DEFAULT now(),
    last_test_at timestamptz,
    last_test_ok boolean,
    last_test_message text
);
"#;

crate::sql_migration::sql_migration!(UP);
