//! `tenant_databases`: where a tenant's database lives and which role serves it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant_databases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tenant_id: Uuid,
    pub server_id: Uuid,
    pub database_name: String,
    pub role_name: String,
    /// Name of the newest tenant migration applied, once migrated.
    pub schema_version: Option<String>,
    pub migrated_at: Option<DateTimeUtc>,
    pub last_migration_error: Option<String>,
    pub created_at: DateTimeUtc,
    /// The fleet migration run that last touched this database.
    pub last_run_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
