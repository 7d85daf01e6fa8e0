//! Spare databases: clones of a server's template made ahead of need, claimed by provisioning.

use chrono::{DateTime, Utc};
use domain::TenantId;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Statement, TransactionTrait};
use uuid::Uuid;

use crate::{Catalog, Result};

/// One spare database and its role.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SpareDatabase {
    pub id: Uuid,
    pub server_id: Uuid,
    pub database_name: String,
    pub role_name: String,
    /// `creating`, `ready` or `claimed`.
    pub state: String,
    pub applied_versions: Vec<String>,
    pub claimed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str =
    "id, server_id, database_name, role_name, state, applied_versions, claimed_by, created_at, updated_at";

impl Catalog {
    async fn spares_where(&self, condition: &str, values: Vec<sea_orm::Value>) -> Result<Vec<SpareDatabase>> {
        let sql = format!("SELECT {COLUMNS} FROM spare_databases WHERE {condition} ORDER BY created_at");
        Ok(SpareDatabase::find_by_statement(Statement::from_sql_and_values(DbBackend::Postgres, sql, values))
            .all(&self.db)
            .await?)
    }

    /// Records a spare about to be cloned (state `creating`), before anything exists on the
    /// server, so a crash in between leaves a row to sweep rather than an unknown database.
    pub async fn insert_spare(&self, server_id: Uuid, database_name: &str, role_name: &str) -> Result<Uuid> {
        let id = Uuid::now_v7();
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO spare_databases (id, server_id, database_name, role_name, state) \
                 VALUES ($1, $2, $3, $4, 'creating')",
                [id.into(), server_id.into(), database_name.into(), role_name.into()],
            ))
            .await?;
        Ok(id)
    }

    /// The spare is cloned and handed to its role: it can be claimed.
    pub async fn mark_spare_ready(&self, id: Uuid, applied_versions: &[String]) -> Result<()> {
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "UPDATE spare_databases SET state = 'ready', applied_versions = $2, updated_at = now() \
                 WHERE id = $1 AND state = 'creating'",
                [id.into(), applied_versions.to_vec().into()],
            ))
            .await?;
        Ok(())
    }

    /// Claims a ready spare on `server_id` for `tenant` — or returns the one it already claimed
    /// (a retried step). `None`: no spare is ready.
    pub async fn claim_spare(&self, server_id: Uuid, tenant: TenantId) -> Result<Option<SpareDatabase>> {
        if let Some(claimed) = self.spare_claimed_by(tenant).await? {
            return Ok(Some(claimed));
        }
        let sql = format!(
            "UPDATE spare_databases SET state = 'claimed', claimed_by = $2, updated_at = now() \
             WHERE id = (SELECT id FROM spare_databases WHERE server_id = $1 AND state = 'ready' \
                         ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING {COLUMNS}"
        );
        Ok(SpareDatabase::find_by_statement(Statement::from_sql_and_values(
            DbBackend::Postgres,
            sql,
            [server_id.into(), tenant.as_uuid().into()],
        ))
        .one(&self.db)
        .await?)
    }

    /// The spare `tenant` claimed and has not finished renaming.
    pub async fn spare_claimed_by(&self, tenant: TenantId) -> Result<Option<SpareDatabase>> {
        Ok(self.spares_where("claimed_by = $1", vec![tenant.as_uuid().into()]).await?.into_iter().next())
    }

    /// Every spare on a server, oldest first.
    pub async fn spares_on(&self, server_id: Uuid) -> Result<Vec<SpareDatabase>> {
        self.spares_where("server_id = $1", vec![server_id.into()]).await
    }

    /// Every spare row, oldest first.
    pub async fn all_spares(&self) -> Result<Vec<SpareDatabase>> {
        self.spares_where("true", Vec::new()).await
    }

    /// A claimed spare is now the tenant's: its migrations go into the tenant's ledger and the
    /// spare's row goes, in one transaction.
    pub async fn finish_spare_claim(&self, id: Uuid, tenant: TenantId, applied_versions: &[String]) -> Result<()> {
        let txn = self.db.begin().await?;
        crate::fleet::record_applied_in(&txn, tenant, applied_versions, None).await?;
        txn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM spare_databases WHERE id = $1",
            [id.into()],
        ))
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove_spare(&self, id: Uuid) -> Result<()> {
        self.db
            .execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "DELETE FROM spare_databases WHERE id = $1",
                [id.into()],
            ))
            .await?;
        Ok(())
    }
}
