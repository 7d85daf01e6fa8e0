//! Spare databases: a few clones of each shared server's template made ahead of need, each
//! with a `NOLOGIN` role of its own that already owns the clone's objects. Provisioning claims
//! one (`create_role`) and renames the role and the database to the tenant's names — two
//! catalog updates on the server instead of a clone and an ownership hand-over — then sets the
//! role's password and login as usual. Without a ready spare it clones as before.
//!
//! `fill_spares` keeps `target` spares on every active shared platform server, drops spares that
//! are stale (cloned from an older template), on a server that takes no new tenants, or left
//! half-made by a crash. The control plane runs it every `TENANTRY_SPARE_FILL_SECS` and after
//! each provisioning; `TENANTRY_SPARE_DATABASES=0` turns the pool off.

use std::time::Duration;

use anyhow::Context;
use catalog::{PlacementMode, ServerKind, SpareDatabase, entity::database_server, entity::tenant_database};
use domain::{TenantId, quote_ident};
use migrator::TEMPLATE_OWNER_ROLE;

use crate::{
    Provisioner,
    saga::{ROLE_CONNECTION_LIMIT, restrict_database, retry_while_in_use},
};

/// Names of spare databases and their roles start with this.
pub const SPARE_PREFIX: &str = "spare_";
/// How many times (5 ms apart) a new spare waits for its set-up connection's backend to exit.
const BACKEND_EXIT_POLLS: u32 = 400;
/// A spare still `creating` after this long was left by a crash: it is dropped.
const ABANDONED_AFTER: chrono::Duration = chrono::Duration::minutes(10);

/// What a [`Provisioner::fill_spares`] round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FillReport {
    pub made: usize,
    pub dropped: usize,
    pub failed: usize,
}

impl Provisioner {
    /// Brings every server to `target` ready spares (see the module docs).
    pub async fn fill_spares(&self, target: usize) -> anyhow::Result<FillReport> {
        let mut report = FillReport::default();
        let latest = (self.schema().latest)();
        for server in self.catalog().servers().await? {
            let takes_spares = target > 0
                && server.state == "active"
                && server.kind == ServerKind::Platform.as_str()
                && server.placement == PlacementMode::Shared.as_str()
                && server.health != "failing";
            let mut ready = 0;
            for spare in self.catalog().spares_on(server.id).await? {
                let stale = match spare.state.as_str() {
                    "ready" => !takes_spares || spare.applied_versions.last() != latest.as_ref() || ready >= target,
                    "creating" => chrono::Utc::now() - spare.updated_at > ABANDONED_AFTER,
                    _ => false, // `claimed`: the claiming tenant finishes or compensates it
                };
                if stale {
                    match self.drop_spare(&server, &spare).await {
                        Ok(()) => report.dropped += 1,
                        Err(err) => {
                            tracing::warn!(server = %server.name, spare = %spare.database_name, error = %format!("{err:#}"), "could not drop a spare database");
                            report.failed += 1;
                        }
                    }
                } else if spare.state != "claimed" {
                    ready += 1;
                }
            }
            if !takes_spares {
                continue;
            }
            while ready < target {
                match self.make_spare(&server).await {
                    Ok(()) => report.made += 1,
                    Err(err) => {
                        tracing::warn!(server = %server.name, error = %format!("{err:#}"), "could not make a spare database");
                        report.failed += 1;
                        break;
                    }
                }
                ready += 1;
            }
        }
        Ok(report)
    }

    /// Clones one spare: recorded first, so a crash leaves a row to sweep, never an unknown
    /// database; a failure drops at once what was made.
    async fn make_spare(&self, server: &database_server::Model) -> anyhow::Result<()> {
        let name = format!("{SPARE_PREFIX}{}", uuid::Uuid::now_v7().simple());
        let id = self.catalog().insert_spare(server.id, &name, &name).await?;
        let made = self.build_spare(server, id, &name).await;
        if made.is_err()
            && let Err(err) = self.drop_spare_named(server, id, &name, &name).await
        {
            tracing::warn!(server = %server.name, spare = %name, error = %format!("{err:#}"), "could not drop a half-made spare; swept later");
        }
        made
    }

    async fn build_spare(&self, server: &database_server::Model, id: uuid::Uuid, name: &str) -> anyhow::Result<()> {
        let (access, pool) = self.pools().get(server).await?;
        self.ensure_template_once(&access).await?;
        let client = pool.get().await.context("admin connection")?;
        let quoted = quote_ident(name);
        client
            .batch_execute(&format!(
                "CREATE ROLE {quoted} WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION \
                 NOBYPASSRLS CONNECTION LIMIT {ROLE_CONNECTION_LIMIT}"
            ))
            .await
            .context("create the spare's role")?;
        client.batch_execute(&migrator::admin::grant_to_admin_sql(name)).await.context("let the admin act for it")?;
        let clone = format!(
            "CREATE DATABASE {quoted} OWNER {quoted} TEMPLATE {} STRATEGY {}",
            quote_ident(&server.template_database),
            self.inner.clone_strategy.sql()
        );
        retry_while_in_use(&client, &clone).await.context("clone the template")?;
        restrict_database(&client, name, name).await?;
        let applied = {
            let spare = access.connect(name).await?;
            spare
                .batch_execute(&format!(
                    "REASSIGN OWNED BY {owner} TO {quoted}; DROP OWNED BY {owner}",
                    owner = quote_ident(TEMPLATE_OWNER_ROLE)
                ))
                .await
                .context("hand the clone to the spare's role")?;
            migrator::applied_versions(&spare).await?
        };
        // Ready only once that connection's backend is gone: a claim renames the database,
        // which Postgres refuses while anyone is connected to it.
        for _ in 0..BACKEND_EXIT_POLLS {
            let row = client
                .query_one("SELECT count(*) FROM pg_stat_activity WHERE datname = $1", &[&name])
                .await
                .context("wait for the spare's connection to close")?;
            if row.get::<_, i64>(0) == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        self.catalog().mark_spare_ready(id, &applied).await?;
        Ok(())
    }

    /// Drops a spare's database and role (whatever exists of them) and its row.
    async fn drop_spare(&self, server: &database_server::Model, spare: &SpareDatabase) -> anyhow::Result<()> {
        self.drop_spare_named(server, spare.id, &spare.database_name, &spare.role_name).await
    }

    async fn drop_spare_named(
        &self,
        server: &database_server::Model,
        id: uuid::Uuid,
        database: &str,
        role: &str,
    ) -> anyhow::Result<()> {
        let (_, pool) = self.pools().get(server).await?;
        let client = pool.get().await.context("admin connection")?;
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(database)))
            .await
            .context("drop the spare database")?;
        client
            .batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(role)))
            .await
            .context("drop the spare's role")?;
        self.catalog().remove_spare(id).await?;
        Ok(())
    }

    /// Drops every spare on `server` (before the server is removed, or when tests clean up).
    pub async fn drop_spares_on(&self, server: &database_server::Model) -> anyhow::Result<usize> {
        let spares = self.catalog().spares_on(server.id).await?;
        for spare in &spares {
            self.drop_spare(server, spare).await?;
        }
        Ok(spares.len())
    }

    /// `create_role`'s first move: turn a spare into the tenant's role and database by renaming
    /// them. Idempotent: a retry finds the spare this tenant claimed and finishes what is left.
    /// Nothing happens when the tenant's role was made without a spare, or none is ready.
    pub(crate) async fn take_spare(
        &self,
        tenant: TenantId,
        placement: &tenant_database::Model,
        server: &database_server::Model,
        client: &tokio_postgres::Client,
    ) -> anyhow::Result<()> {
        let (tenant_role, tenant_db) =
            role_and_database_exist(client, &placement.role_name, &placement.database_name).await?;
        let spare = match self.catalog().spare_claimed_by(tenant).await? {
            Some(spare) => spare,
            // The role was made without a spare by an earlier attempt.
            None if tenant_role => return Ok(()),
            None => match self.catalog().claim_spare(server.id, tenant).await? {
                Some(spare) => spare,
                None => return Ok(()),
            },
        };
        let (spare_role, spare_db) = role_and_database_exist(client, &spare.role_name, &spare.database_name).await?;
        if spare_role && !tenant_role {
            client
                .batch_execute(&format!(
                    "ALTER ROLE {} RENAME TO {}",
                    quote_ident(&spare.role_name),
                    quote_ident(&placement.role_name)
                ))
                .await
                .context("rename the spare's role")?;
        }
        if spare_db && !tenant_db {
            let rename = format!(
                "ALTER DATABASE {} RENAME TO {}",
                quote_ident(&spare.database_name),
                quote_ident(&placement.database_name)
            );
            retry_while_in_use(client, &rename).await.context("rename the spare database")?;
        }
        self.catalog().finish_spare_claim(spare.id, tenant, &spare.applied_versions).await?;
        self.inner.spares_taken.notify_one();
        Ok(())
    }

    /// Compensation's part: a spare this tenant claimed but never finished renaming is dropped.
    pub(crate) async fn drop_claimed_spare(&self, tenant: TenantId) -> anyhow::Result<()> {
        if let Some(spare) = self.catalog().spare_claimed_by(tenant).await? {
            let server = self.catalog().server(spare.server_id).await?;
            self.drop_spare(&server, &spare).await?;
        }
        Ok(())
    }
}

/// Whether `role` and `database` exist on the server, in one round trip.
async fn role_and_database_exist(
    client: &tokio_postgres::Client,
    role: &str,
    database: &str,
) -> anyhow::Result<(bool, bool)> {
    let row = client
        .query_one(
            "SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1), EXISTS (SELECT FROM pg_database WHERE datname = $2)",
            &[&role, &database],
        )
        .await
        .context("look for a role and a database")?;
    Ok((row.get(0), row.get(1)))
}

/// Keeps the spare pool filled: every `every`, and right after a provisioning took a spare,
/// until `shutdown` resolves.
pub async fn run_spare_filler(
    provisioner: Provisioner,
    target: usize,
    every: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let wake = provisioner.inner.spares_taken.clone();
    let filling = async {
        loop {
            match provisioner.fill_spares(target).await {
                Ok(report) if report != FillReport::default() => {
                    tracing::debug!(
                        made = report.made,
                        dropped = report.dropped,
                        failed = report.failed,
                        "spare databases filled"
                    );
                }
                Ok(_) => {}
                Err(err) => tracing::warn!(error = %format!("{err:#}"), "filling spare databases failed"),
            }
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                () = wake.notified() => {}
            }
        }
    };
    tokio::select! {
        () = filling => {}
        () = shutdown => {}
    }
}
