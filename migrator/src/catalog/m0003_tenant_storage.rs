//! Each tenant's storage config: its primary backend, an optional fallback, whether objects
//! are sealed client-side; and the last health probe of its backends. Credentials are not here:
//! they sit in the tenant's secret scope (`storage/primary`, `storage/fallback`).

const UP: &str = r#"
CREATE TABLE tenant_storage (
    tenant_id uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    config jsonb NOT NULL CHECK (jsonb_typeof(config) = 'object'),
    -- `ok`, `degraded` (the fallback is taking writes) or `failing`, from the last probe.
    health text NOT NULL DEFAULT 'unknown' CHECK (health IN ('unknown', 'ok', 'degraded', 'failing')),
    health_detail text,
    checked_at timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now()
);
"#;

crate::sql_migration::sql_migration!(UP);
