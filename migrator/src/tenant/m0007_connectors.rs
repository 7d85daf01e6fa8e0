//! Connectors: the tenant's settings for third-party services. Public settings as JSON;
//! secrets as JSON of sealed values (sealed with the tenant's data key, ADR 0008).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared(UP).await?;
        Ok(())
    }
}
