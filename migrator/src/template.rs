//! The template database: always at the newest tenant schema, cloned for every new tenant.
//!
//! Its objects are created by the `tenantry_template_owner` role (never a superuser), so that
//! a clone can hand them to the tenant's role with `REASSIGN OWNED`. Between migrations the
//! template accepts no connections, because Postgres cannot clone a database in use.

use anyhow::Context;
use domain::{quote_ident, quote_literal};
use sea_orm::Database;

use crate::{ServerAccess, TenantSchema, admin};

/// NOLOGIN role owning the template's objects.
pub const TEMPLATE_OWNER_ROLE: &str = "tenantry_template_owner";
/// NOLOGIN role owning each tenant database's `audit` schema, so that the tenant's own role
/// cannot change or delete audit rows (it only reads them and appends through a function).
pub const AUDIT_OWNER_ROLE: &str = "tenantry_audit_owner";

/// Creates the template database on `server` if missing and migrates it to the newest
/// tenant schema. Returns the schema version it is at.
pub async fn ensure_template(server: &ServerAccess, schema: TenantSchema) -> anyhow::Result<Option<String>> {
    let client = server.connect(&server.admin_database).await?;
    let template = &server.template_database;
    // One preparer per template at a time (control planes starting together, registrations
    // racing on one cluster); the others then find it made. Released with the session.
    client
        .execute("SELECT pg_advisory_lock(hashtext($1))", &[&format!("tenantry template {template}")])
        .await
        .context("lock the template database")?;
    for role in [TEMPLATE_OWNER_ROLE, AUDIT_OWNER_ROLE] {
        ensure_nologin_role(&client, role).await?;
        // Migrations run as the template owner (`SET ROLE`), and it hands the audit schema on.
        client.batch_execute(&admin::grant_to_admin_sql(role)).await.with_context(|| format!("join role {role}"))?;
    }
    harden_server(&client).await?;
    if !admin::database_exists(&client, template).await? {
        client
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(template)))
            .await
            .context("create template database")?;
        let tmpl = server.connect(template).await?;
        tmpl.batch_execute(&format!(
            "REVOKE ALL ON SCHEMA public FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA public TO {}",
            quote_ident(TEMPLATE_OWNER_ROLE)
        ))
        .await
        .context("prepare template schema")?;
    }
    let latest = (schema.latest)();
    if template_version(&client, template).await?.as_deref() == latest.as_deref() && latest.is_some() {
        return Ok(latest);
    }
    client
        .batch_execute(&format!(
            "ALTER DATABASE {} WITH IS_TEMPLATE false ALLOW_CONNECTIONS true",
            quote_ident(template)
        ))
        .await
        .context("open template for migration")?;
    let result = migrate_template(server, template, schema).await;
    client
        .batch_execute(&format!(
            "ALTER DATABASE {} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
            quote_ident(template)
        ))
        .await
        .context("close template after migration")?;
    result?;
    if let Some(version) = &latest {
        client
            .batch_execute(&format!("COMMENT ON DATABASE {} IS {}", quote_ident(template), quote_literal(version)))
            .await
            .context("record template version")?;
    }
    Ok(latest)
}

async fn ensure_nologin_role(client: &tokio_postgres::Client, role: &str) -> anyhow::Result<()> {
    if admin::role_exists(client, role).await? {
        return Ok(());
    }
    if let Err(err) = client.batch_execute(&format!("CREATE ROLE {} NOLOGIN", quote_ident(role))).await {
        // Another process may have created it concurrently.
        if !admin::role_exists(client, role).await? {
            return Err(err).with_context(|| format!("create role {role}"));
        }
    }
    Ok(())
}

async fn migrate_template(server: &ServerAccess, template: &str, schema: TenantSchema) -> anyhow::Result<()> {
    let db = Database::connect(server.migration_options(template, TEMPLATE_OWNER_ROLE)?)
        .await
        .context("connect to template")?;
    let result = (schema.up)(&db).await.context("migrate template");
    let _ = db.close().await;
    result
}

/// The schema version of `server`'s template database (`None`: missing or never migrated).
pub async fn server_template_version(server: &ServerAccess) -> anyhow::Result<Option<String>> {
    let client = server.connect(&server.admin_database).await?;
    template_version(&client, &server.template_database).await
}

/// The template's schema version, kept as the template database's comment (readable from
/// `pg_database` without connecting to the template, which would block clones).
async fn template_version(client: &tokio_postgres::Client, template: &str) -> anyhow::Result<Option<String>> {
    let row = client
        .query_opt("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1", &[&template])
        .await?;
    Ok(row.and_then(|r| r.get::<_, Option<String>>(0)))
}

/// Takes `CONNECT` and `TEMPORARY` away from `PUBLIC` on every database of the server, so that
/// a tenant role can connect to its own database and nothing else (Postgres grants both to
/// `PUBLIC` by default, `postgres` and `template1` included). Roles that need a database
/// (the catalog reader, monitoring) get an explicit grant.
async fn harden_server(client: &tokio_postgres::Client) -> anyhow::Result<()> {
    let open = client
        .query(
            "SELECT datname FROM pg_database WHERE datallowconn AND \
             (datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0))",
            &[],
        )
        .await
        .context("list databases open to PUBLIC")?;
    for row in open {
        let name: String = row.get(0);
        let revoke = format!("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC", quote_ident(&name));
        // Other processes create, drop and harden databases meanwhile: a database dropped since
        // the list needs nothing, and one whose ACL another process just changed ("tuple
        // concurrently updated") is tried once more.
        for attempt in 1..=2 {
            let Err(err) = client.batch_execute(&revoke).await else { break };
            let exists = client.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await?.is_some();
            if !exists {
                break;
            }
            if attempt == 2 {
                return Err(err).with_context(|| format!("revoke PUBLIC access to database {name}"));
            }
        }
    }
    Ok(())
}
