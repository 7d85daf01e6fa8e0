//! The replication log of a tenant with a fallback backend, in its own database.

use storage::{Pending, ReplicationLog, StorageError};

use crate::routing::TenantPool;

pub struct DbReplicationLog {
    pool: TenantPool,
}

impl DbReplicationLog {
    pub fn new(pool: TenantPool) -> Self {
        Self { pool }
    }

    async fn client(&self) -> Result<deadpool::managed::Object<crate::routing::BudgetedManager>, StorageError> {
        self.pool.get().await.map_err(|e| StorageError::Unavailable(format!("tenant database: {e}")))
    }
}

fn db(err: tokio_postgres::Error) -> StorageError {
    StorageError::Unavailable(format!("tenant database: {err}"))
}

fn as_str(pending: Pending) -> &'static str {
    match pending {
        Pending::Put => "put",
        Pending::Delete => "delete",
    }
}

#[async_trait::async_trait]
impl ReplicationLog for DbReplicationLog {
    async fn record(&self, key: &str, pending: Pending) -> Result<(), StorageError> {
        self.client()
            .await?
            .execute(
                "INSERT INTO storage_replication (object, pending) VALUES ($1, $2) \
                 ON CONFLICT (object) DO UPDATE SET pending = $2, queued_at = now()",
                &[&key, &as_str(pending)],
            )
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn pending(&self, limit: usize) -> Result<Vec<(String, Pending)>, StorageError> {
        let rows = self
            .client()
            .await?
            .query(
                "SELECT object, pending FROM storage_replication ORDER BY queued_at, object LIMIT $1",
                &[&(limit as i64)],
            )
            .await
            .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let pending = if r.get::<_, &str>(1) == "delete" { Pending::Delete } else { Pending::Put };
                (r.get(0), pending)
            })
            .collect())
    }

    async fn done(&self, key: &str, pending: Pending) -> Result<(), StorageError> {
        self.client()
            .await?
            .execute("DELETE FROM storage_replication WHERE object = $1 AND pending = $2", &[&key, &as_str(pending)])
            .await
            .map_err(db)?;
        Ok(())
    }

    async fn queued(&self) -> Result<u64, StorageError> {
        let row = self.client().await?.query_one("SELECT count(*) FROM storage_replication", &[]).await.map_err(db)?;
        Ok(row.get::<_, i64>(0).max(0) as u64)
    }
}
