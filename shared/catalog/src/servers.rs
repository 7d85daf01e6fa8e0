//! Database servers and tenant database placements.

use chrono::Utc;
use domain::TenantId;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult, QueryFilter, Set,
    Statement,
};
use uuid::Uuid;

use crate::{
    Catalog, CatalogError, Result,
    entity::{database_server, tenant_database},
};

/// Input of [`Catalog::upsert_server`].
#[derive(Debug, Clone)]
pub struct NewServer {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub admin_user: String,
    pub admin_password_sealed: Option<String>,
    pub admin_database: String,
    pub template_database: String,
    pub capacity: i32,
}

#[derive(Debug, FromQueryResult)]
struct Count {
    n: i64,
}

impl Catalog {
    /// Registers a server by name, or updates its connection settings if it exists.
    pub async fn upsert_server(&self, id: Uuid, new: &NewServer) -> Result<database_server::Model> {
        if let Some(existing) =
            database_server::Entity::find().filter(database_server::Column::Name.eq(&new.name)).one(&self.db).await?
        {
            let mut active: database_server::ActiveModel = existing.into();
            active.host = Set(new.host.clone());
            active.port = Set(i32::from(new.port));
            active.admin_user = Set(new.admin_user.clone());
            active.admin_password_sealed = Set(new.admin_password_sealed.clone());
            active.admin_database = Set(new.admin_database.clone());
            active.template_database = Set(new.template_database.clone());
            return Ok(active.update(&self.db).await?);
        }
        Ok(database_server::ActiveModel {
            id: Set(id),
            name: Set(new.name.clone()),
            host: Set(new.host.clone()),
            port: Set(i32::from(new.port)),
            admin_user: Set(new.admin_user.clone()),
            admin_password_sealed: Set(new.admin_password_sealed.clone()),
            admin_database: Set(new.admin_database.clone()),
            template_database: Set(new.template_database.clone()),
            state: Set("active".to_owned()),
            capacity: Set(new.capacity),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn server(&self, id: Uuid) -> Result<database_server::Model> {
        database_server::Entity::find_by_id(id).one(&self.db).await?.ok_or(CatalogError::NotFound("database server"))
    }

    pub async fn servers(&self) -> Result<Vec<database_server::Model>> {
        Ok(database_server::Entity::find().all(&self.db).await?)
    }

    /// Placement policy "fewest tenants": the active server with spare capacity holding the
    /// fewest tenant databases.
    pub async fn least_loaded_server(&self) -> Result<database_server::Model> {
        let sql = "SELECT s.* FROM database_servers s \
                   LEFT JOIN tenant_databases d ON d.server_id = s.id \
                   WHERE s.state = 'active' \
                   GROUP BY s.id HAVING count(d.tenant_id) < s.capacity \
                   ORDER BY count(d.tenant_id), s.created_at LIMIT 1";
        database_server::Model::find_by_statement(Statement::from_string(DbBackend::Postgres, sql))
            .one(&self.db)
            .await?
            .ok_or(CatalogError::NotFound("database server with spare capacity"))
    }

    /// Number of tenant databases on a server.
    pub async fn tenant_count_on(&self, server_id: Uuid) -> Result<i64> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT count(*) AS n FROM tenant_databases WHERE server_id = $1",
            [server_id.into()],
        );
        Ok(Count::find_by_statement(stmt).one(&self.db).await?.map_or(0, |c| c.n))
    }

    /// Records where a tenant's database goes (the `place` step). Idempotent: an existing
    /// placement is returned unchanged.
    pub async fn place_tenant(
        &self,
        tenant: TenantId,
        server_id: Uuid,
        database_name: &str,
        role_name: &str,
    ) -> Result<tenant_database::Model> {
        if let Some(existing) = self.placement(tenant).await? {
            return Ok(existing);
        }
        Ok(tenant_database::ActiveModel {
            tenant_id: Set(tenant.as_uuid()),
            server_id: Set(server_id),
            database_name: Set(database_name.to_owned()),
            role_name: Set(role_name.to_owned()),
            schema_version: Set(None),
            migrated_at: Set(None),
            last_migration_error: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(&self.db)
        .await?)
    }

    pub async fn placement(&self, tenant: TenantId) -> Result<Option<tenant_database::Model>> {
        Ok(tenant_database::Entity::find_by_id(tenant.as_uuid()).one(&self.db).await?)
    }

    /// All placements (for fleet migrations), optionally on one server.
    pub async fn placements(&self) -> Result<Vec<tenant_database::Model>> {
        Ok(tenant_database::Entity::find().all(&self.db).await?)
    }

    /// Records the outcome of migrating a tenant database.
    pub async fn record_migration(
        &self,
        tenant: TenantId,
        schema_version: Option<&str>,
        error: Option<&str>,
    ) -> Result<()> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE tenant_databases SET \
               schema_version = COALESCE($2, schema_version), \
               migrated_at = CASE WHEN $3::text IS NULL THEN now() ELSE migrated_at END, \
               last_migration_error = $3 \
             WHERE tenant_id = $1",
            [tenant.as_uuid().into(), schema_version.map(str::to_owned).into(), error.map(str::to_owned).into()],
        );
        self.db.execute_raw(stmt).await?;
        Ok(())
    }

    /// Replaces a server's sealed admin password if it is still `old` (master-key rotation).
    pub async fn reseal_server_password(&self, id: Uuid, old: &str, new: &str) -> Result<bool> {
        let stmt = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "UPDATE database_servers SET admin_password_sealed = $3 WHERE id = $1 AND admin_password_sealed = $2",
            [id.into(), old.into(), new.into()],
        );
        Ok(self.db.execute_raw(stmt).await?.rows_affected() == 1)
    }

    pub async fn remove_placement(&self, tenant: TenantId) -> Result<()> {
        tenant_database::Entity::delete_by_id(tenant.as_uuid()).exec(&self.db).await?;
        Ok(())
    }
}
