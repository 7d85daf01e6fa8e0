//! Fleet management: what kind of server each database server is and how tenants are placed on
//! it, its last health check; the per-tenant migration ledger and the fleet migration runs.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &str = r#"
ALTER TABLE database_servers
    -- `platform`: run by the system owner; `tenant_hosted`: a tenant's own server (on premises).
    ADD COLUMN kind text NOT NULL DEFAULT 'platform' CHECK (kind IN ('platform', 'tenant_hosted')),
    -- `shared`: automatic placement may put any tenant here; `dedicated`: only tenants pinned
    -- to it by name, at most one.
    ADD COLUMN placement text NOT NULL DEFAULT 'shared' CHECK (placement IN ('shared', 'dedicated')),
    -- libpq `sslmode` semantics: `disable`, `prefer`, `require`.
    ADD COLUMN tls_mode text NOT NULL DEFAULT 'disable' CHECK (tls_mode IN ('disable', 'prefer', 'require')),
    ADD COLUMN server_version text,
    ADD COLUMN health text NOT NULL DEFAULT 'unknown' CHECK (health IN ('unknown', 'ok', 'failing')),
    ADD COLUMN health_detail text,
    ADD COLUMN checked_at timestamptz;

ALTER TABLE database_servers ADD CONSTRAINT database_servers_capacity_check CHECK (capacity > 0);

-- Fleet migration runs: one row per `tenantry migrate run`. One runs at a time (a session
-- advisory lock); the heartbeat only shows it is alive, and the next run marks a run left
-- `running` by a dead process `interrupted`.
CREATE TABLE migration_runs (
    id uuid PRIMARY KEY,
    target_version text,
    state text NOT NULL CHECK (state IN ('running', 'succeeded', 'failed', 'stopped', 'interrupted')),
    options jsonb NOT NULL CHECK (jsonb_typeof(options) = 'object'),
    summary jsonb,
    started_by text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(),
    heartbeat_at timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);
CREATE INDEX migration_runs_started ON migration_runs (started_at DESC);

-- The per-tenant migration ledger: every tenant migration applied to a tenant database, when,
-- by which run (NULL: cloned with it from the template at provisioning).
CREATE TABLE tenant_migrations (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    version text NOT NULL,
    run_id uuid REFERENCES migration_runs (id) ON DELETE SET NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, version)
);

-- The last failure of a tenant in a run stays on `tenant_databases` (last_migration_error);
-- which run it was is kept next to it.
ALTER TABLE tenant_databases ADD COLUMN last_run_id uuid REFERENCES migration_runs (id) ON DELETE SET NULL;
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared(UP).await?;
        // Tenants migrated before the ledger existed: every tenant migration up to the version
        // recorded for them.
        let versions: Vec<String> = crate::tenant::migrations().iter().map(|m| m.name().to_owned()).collect();
        let list = versions.iter().map(|v| format!("('{}')", v.replace('\'', "''"))).collect::<Vec<_>>().join(",");
        if !list.is_empty() {
            db.execute_unprepared(&format!(
                "INSERT INTO tenant_migrations (tenant_id, version, applied_at) \
                 SELECT d.tenant_id, v.version, COALESCE(d.migrated_at, d.created_at) \
                 FROM tenant_databases d JOIN (VALUES {list}) AS v (version) ON v.version <= d.schema_version \
                 ON CONFLICT DO NOTHING"
            ))
            .await?;
        }
        Ok(())
    }
}
