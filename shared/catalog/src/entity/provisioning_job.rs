//! `provisioning_jobs`: one saga run (provision or deprovision) with per-step state and a lease.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "provisioning_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// No foreign key: the job outlives a compensated tenant as its record.
    pub tenant_id: Uuid,
    pub kind: String,
    /// `pending | running | succeeded | failed | compensated`
    pub state: String,
    pub current_step: Option<String>,
    /// `{ "<step>": { "state", "attempts", "error", "at" } }`
    pub steps: Json,
    /// Inputs the steps need (e.g. the first admin's e-mail and password hash).
    pub params: Json,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
