//! Least-privilege catalog access for the tenant plane: a login role that can read what
//! serving needs — tenants, their domains and placements, tenant-scoped secrets (row-level
//! security hides platform secrets), and only the connection columns of database servers
//! (never their sealed admin passwords) — and nothing else.

use anyhow::Context;
use domain::quote_ident;
use tokio_postgres::Client;

/// NOLOGIN group role holding the read grants.
pub const CATALOG_READER_ROLE: &str = "tenantry_catalog_reader";

/// Creates or updates `login` (with `password`) as a member of the reader role, and grants the
/// reader role what it needs in the catalog database `catalog_db`. `admin` must be connected
/// to `catalog_db` as a superuser (or the catalog owner with CREATEROLE). Idempotent.
pub async fn ensure_catalog_reader(
    admin: &Client,
    catalog_db: &str,
    login: &str,
    password: &str,
) -> anyhow::Result<()> {
    let reader = quote_ident(CATALOG_READER_ROLE);
    if !crate::admin::role_exists(admin, CATALOG_READER_ROLE).await?
        && let Err(err) = admin.batch_execute(&format!("CREATE ROLE {reader} NOLOGIN")).await
        && !crate::admin::role_exists(admin, CATALOG_READER_ROLE).await?
    {
        return Err(err).context("create catalog reader role");
    }
    admin
        .batch_execute(&format!(
            "GRANT CONNECT ON DATABASE {db} TO {reader}; \
             GRANT USAGE ON SCHEMA public TO {reader}; \
             GRANT SELECT ON tenants, domains, tenant_databases, tenant_storage TO {reader}; \
             GRANT SELECT ON secret_data_keys, secrets TO {reader}; \
             GRANT SELECT (id, name, host, port, state, tls_mode, tls_ca_pem, tls_client_cert_pem) ON database_servers TO {reader}",
            db = quote_ident(catalog_db)
        ))
        .await
        .context("grant catalog read access")?;
    let verifier = postgres_protocol::password::scram_sha_256(password.as_bytes());
    let verb = if crate::admin::role_exists(admin, login).await? { "ALTER" } else { "CREATE" };
    admin
        .batch_execute(&format!(
            "{verb} ROLE {login} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT PASSWORD '{verifier}'; \
             GRANT {reader} TO {login}",
            login = quote_ident(login)
        ))
        .await
        .context("create catalog reader login")?;
    Ok(())
}
