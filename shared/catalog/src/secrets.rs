//! Storage of the local secret store: wrapped data keys and encrypted secret versions. The
//! catalog never sees a plaintext: encryption lives in the `secrets` crate.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, Set, Statement,
};

use crate::{
    Catalog, Result,
    entity::{secret, secret_data_key},
};

/// How many data keys a master key wraps.
#[derive(Debug, Clone, FromQueryResult)]
pub struct KekUsage {
    pub kek_id: String,
    pub data_keys: i64,
}

impl Catalog {
    pub async fn data_key(&self, scope: &str) -> Result<Option<secret_data_key::Model>> {
        Ok(secret_data_key::Entity::find_by_id(scope.to_owned()).one(&self.db).await?)
    }

    /// Stores a scope's wrapped data key unless one exists; returns the one that is stored
    /// (so concurrent first writers agree on a single data key).
    pub async fn insert_data_key(
        &self,
        scope: &str,
        wrapped_key: &str,
        kek_id: &str,
    ) -> Result<secret_data_key::Model> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO secret_data_keys (scope, wrapped_key, kek_id) VALUES ($1, $2, $3) ON CONFLICT (scope) DO NOTHING",
            [scope.into(), wrapped_key.into(), kek_id.into()],
        );
        self.db.execute_raw(stmt).await?;
        self.data_key(scope).await?.ok_or(crate::CatalogError::NotFound("data key"))
    }

    pub async fn latest_secret(&self, scope: &str, name: &str) -> Result<Option<secret::Model>> {
        Ok(secret::Entity::find()
            .filter(secret::Column::Scope.eq(scope))
            .filter(secret::Column::Name.eq(name))
            .order_by_desc(secret::Column::Version)
            .one(&self.db)
            .await?)
    }

    pub async fn secret_version(&self, scope: &str, name: &str, version: i32) -> Result<Option<secret::Model>> {
        Ok(secret::Entity::find_by_id((scope.to_owned(), name.to_owned(), version)).one(&self.db).await?)
    }

    /// Inserts a version; an existing (scope, name, version) is `Conflict` (check-and-set).
    pub async fn insert_secret(&self, scope: &str, name: &str, version: i32, ciphertext: &str) -> Result<()> {
        secret::ActiveModel {
            scope: Set(scope.to_owned()),
            name: Set(name.to_owned()),
            version: Set(version),
            ciphertext: Set(ciphertext.to_owned()),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Names of the secrets in a scope.
    pub async fn secret_names(&self, scope: &str) -> Result<Vec<String>> {
        Ok(secret::Entity::find()
            .select_only()
            .column(secret::Column::Name)
            .distinct()
            .filter(secret::Column::Scope.eq(scope))
            .order_by_asc(secret::Column::Name)
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// Deletes every version of a secret.
    pub async fn delete_secret(&self, scope: &str, name: &str) -> Result<()> {
        secret::Entity::delete_many()
            .filter(secret::Column::Scope.eq(scope))
            .filter(secret::Column::Name.eq(name))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Deletes a scope's data key and with it every secret of the scope.
    pub async fn destroy_scope(&self, scope: &str) -> Result<()> {
        secret_data_key::Entity::delete_by_id(scope.to_owned()).exec(&self.db).await?;
        Ok(())
    }

    /// Data keys not wrapped by `kek_id` (to rewrap), at most `limit`.
    pub async fn data_keys_not_wrapped_by(&self, kek_id: &str, limit: u64) -> Result<Vec<secret_data_key::Model>> {
        Ok(secret_data_key::Entity::find()
            .filter(secret_data_key::Column::KekId.ne(kek_id))
            .order_by_asc(secret_data_key::Column::Scope)
            .limit(limit)
            .all(&self.db)
            .await?)
    }

    /// Replaces a data key's wrapping if it is still `old_wrapped` (a concurrent rewrap wins once).
    pub async fn rewrap_data_key(
        &self,
        scope: &str,
        old_wrapped: &str,
        new_wrapped: &str,
        kek_id: &str,
    ) -> Result<bool> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE secret_data_keys SET wrapped_key = $3, kek_id = $4, rewrapped_at = now() \
             WHERE scope = $1 AND wrapped_key = $2",
            [scope.into(), old_wrapped.into(), new_wrapped.into(), kek_id.into()],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    /// Data keys per master key.
    pub async fn kek_usage(&self) -> Result<Vec<KekUsage>> {
        let stmt = Statement::from_string(
            DbBackend::Postgres,
            "SELECT kek_id, count(*) AS data_keys FROM secret_data_keys GROUP BY kek_id ORDER BY kek_id",
        );
        Ok(KekUsage::find_by_statement(stmt).all(&self.db).await?)
    }
}
