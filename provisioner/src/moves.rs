//! Moving a tenant's database to another server — to drain a server, or to give a tenant a
//! dedicated one. A `move` job, run under a lease and resumed by the worker like provisioning:
//!
//! `quiesce` → `prepare_target` → `copy` → `switch` → `drop_source`
//!
//! - **quiesce**: the tenant is `moving` (set with the job; the tenant planes answer
//!   `503 TENANT_MOVING`); after a short grace for requests in flight, its role may no longer
//!   log in on the old server and its sessions there are ended, so no write can land after the
//!   copy's snapshot.
//! - **prepare_target**: the same role (same password) and database on the new server, cloned
//!   from its template at the same schema version.
//! - **copy**: in one transaction on the new server, every table is emptied and filled with
//!   `COPY … (FORMAT binary)` from one snapshot of the old (parents before children; the
//!   audit log's hash chain arrives as it was), sequences follow, and each table's row count
//!   must match.
//! - **switch**: one catalog transaction points the placement at the new server and gives the
//!   tenant its status back; the tenant planes reconnect on the NOTIFY.
//! - **drop_source**: the old database and role go.
//!
//! A failure before the switch undoes the move — the new server's copy is dropped, the role may
//! log in on the old one again, the status comes back — and the job is `failed` as the record.
//! After the switch the tenant is served from the new server; a failed `drop_source` is
//! retried with `tenantry jobs retry`.

use std::{collections::BTreeMap, time::Duration};

use anyhow::Context;
use catalog::{JobState, entity::database_server, entity::provisioning_job, entity::tenant_database};
use domain::{TenantId, TenantStatus, quote_ident};
use futures::{SinkExt, StreamExt};
use migrator::{TEMPLATE_OWNER_ROLE, admin};
use uuid::Uuid;

use crate::{
    Actor, ProvisionError, Provisioner,
    saga::{JobRun, ensure_tenant_role, restrict_database, retry_while_in_use},
};

/// The move's steps, in order.
const STEPS: [&str; 5] = ["quiesce", "prepare_target", "copy", "switch", "drop_source"];
/// The switch's index: a failure up to and including it is undone.
const SWITCH: usize = 3;
/// Time for requests in flight on the old server to finish before its sessions are ended.
const QUIESCE_GRACE: Duration = Duration::from_millis(500);

/// What a move job carries.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct MoveParams {
    from: Uuid,
    to: Uuid,
    /// The status the tenant gets back: `active` or `suspended`.
    resume: String,
}

impl Provisioner {
    /// Moves `tenant`'s database to the server named `to` and returns once it is served from
    /// there (see the module docs). The tenant must be active or suspended and at the newest
    /// schema version; the server must take it (as a pinned tenant).
    pub async fn move_tenant(&self, tenant: TenantId, to: &str, actor: &Actor) -> Result<(), ProvisionError> {
        let placement = self.catalog().placement(tenant).await?.ok_or(catalog::CatalogError::NotFound("placement"))?;
        let target = match self.catalog().server_by_name(to).await {
            Ok(server) => server,
            Err(catalog::CatalogError::NotFound(_)) => {
                return Err(ProvisionError::Placement(format!("no database server named `{to}`")));
            }
            Err(err) => return Err(err.into()),
        };
        if target.id == placement.server_id {
            return Err(ProvisionError::Placement(format!("the tenant is already on `{to}`")));
        }
        self.catalog().check_pin(&target).await.map_err(|err| ProvisionError::Placement(err.to_string()))?;
        let latest = (self.schema().latest)();
        if placement.schema_version != latest {
            return Err(ProvisionError::Placement(format!(
                "the tenant's schema is at {}, the newest is {}: run `tenantry migrate run` first",
                placement.schema_version.as_deref().unwrap_or("none"),
                latest.as_deref().unwrap_or("none"),
            )));
        }
        let job_id = Uuid::now_v7();
        // `resume` is added by `begin_move`, from the row it locks.
        let params = serde_json::json!({ "from": placement.server_id, "to": target.id });
        let job = self.catalog().begin_move(tenant, job_id, params, self.worker_id(), self.inner.lease_ttl).await?;
        let details = serde_json::json!({ "from": placement.server_id, "to": to, "jobId": job_id });
        self.audit(actor, "tenant.move", tenant, details).await;
        self.run_move(job).await
    }

    /// Runs (or resumes) a move job whose lease this worker holds.
    pub(crate) async fn run_move(&self, job: provisioning_job::Model) -> Result<(), ProvisionError> {
        let tenant = TenantId::from_uuid(job.tenant_id);
        let params: MoveParams = serde_json::from_value(job.params.clone()).context("move job parameters")?;
        let mut run = JobRun::new(self, &job);
        for (index, step) in STEPS.into_iter().enumerate() {
            if run.log.is_done(step) {
                continue;
            }
            let inputs = &params;
            let Err(error) = run.attempt(step, move || self.move_step(step, tenant, inputs)).await? else { continue };
            // Up to the switch (whose transaction either happened or not) the move can be
            // undone; `undo_move` refuses once the placement points at the new server.
            let undone = index <= SWITCH
                && match self.undo_move(tenant, &params).await {
                    Ok(()) => true,
                    Err(err) => {
                        tracing::error!(job.id = %run.job_id, error = %format!("{err:#}"), "could not undo the move");
                        false
                    }
                };
            self.catalog().finish_job(run.job_id, &run.owner, JobState::Failed, Some(&error), None).await?;
            return Err(ProvisionError::MoveFailed { job_id: run.job_id, step, error, undone });
        }
        self.catalog().finish_job(run.job_id, &run.owner, JobState::Succeeded, None, None).await?;
        tracing::info!(job.id = %run.job_id, tenant.id = %tenant, "tenant moved");
        Ok(())
    }

    /// Finishes a failed move whose switch happened (the tenant is served from the new server;
    /// what is left is dropping the old copy). A move that failed before its switch was undone:
    /// start a new one instead.
    pub(crate) async fn retry_move(&self, job_id: Uuid, actor: &Actor) -> Result<(), ProvisionError> {
        let job = self.catalog().job(job_id).await?;
        let params: MoveParams = serde_json::from_value(job.params.clone()).context("move job parameters")?;
        let placement = self.catalog().placement(TenantId::from_uuid(job.tenant_id)).await?;
        // Only forward from the switch: before it, the steps recorded as done may have been
        // undone (the new server's copy dropped), and running on from them would be wrong.
        if placement.is_none_or(|p| p.server_id != params.to) {
            return Err(catalog::CatalogError::InvalidState {
                what: "job",
                actual: "a move that was undone".into(),
                expected: "a move that failed after its switch (start a new move instead)".into(),
            }
            .into());
        }
        self.catalog().reopen_job(job_id).await?;
        self.audit(actor, "job.retry", TenantId::from_uuid(job.tenant_id), serde_json::json!({ "jobId": job_id }))
            .await;
        self.run_job(job_id).await
    }

    async fn move_step(&self, step: &str, tenant: TenantId, params: &MoveParams) -> anyhow::Result<()> {
        let placement = self.catalog().placement(tenant).await?.context("tenant is not placed")?;
        let from = self.catalog().server(params.from).await?;
        let to = self.catalog().server(params.to).await?;
        match step {
            "quiesce" => self.quiesce(&placement, &from).await,
            "prepare_target" => self.prepare_target(tenant, &placement, &to).await,
            "copy" => self.copy_tenant(&placement, &from, &to).await,
            "switch" => {
                let status: TenantStatus = params.resume.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
                Ok(self.catalog().switch_placement(tenant, params.from, params.to, status).await?)
            }
            "drop_source" => {
                self.drop_database_and_role(&from, &placement).await?;
                self.drop_client_identity(tenant, from.id).await;
                Ok(())
            }
            other => anyhow::bail!("unknown move step `{other}`"),
        }
    }

    /// After a grace for requests in flight, the role may not log in on the old server and
    /// its sessions there end.
    async fn quiesce(&self, placement: &tenant_database::Model, from: &database_server::Model) -> anyhow::Result<()> {
        tokio::time::sleep(QUIESCE_GRACE).await;
        let (_, pool) = self.pools().get(from).await?;
        let client = pool.get().await.context("admin connection")?;
        client
            .batch_execute(&format!("ALTER ROLE {} NOLOGIN", quote_ident(&placement.role_name)))
            .await
            .context("stop the role's logins on the old server")?;
        client
            .execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1 AND pid <> pg_backend_pid()",
                &[&placement.role_name],
            )
            .await
            .context("end the role's sessions on the old server")?;
        Ok(())
    }

    /// The role (with the password it has) and a database cloned from the new server's template.
    async fn prepare_target(
        &self,
        tenant: TenantId,
        placement: &tenant_database::Model,
        to: &database_server::Model,
    ) -> anyhow::Result<()> {
        let (access, pool) = self.pools().get(to).await?;
        self.ensure_template_once(&access).await?;
        let client = pool.get().await.context("admin connection")?;
        let password = self.db_password(tenant).await?;
        let (db, role) = (quote_ident(&placement.database_name), quote_ident(&placement.role_name));
        ensure_tenant_role(&client, &placement.role_name, &password)
            .await
            .context("create the role on the new server")?;
        if !admin::database_exists(&client, &placement.database_name).await? {
            let sql = format!(
                "CREATE DATABASE {db} OWNER {role} TEMPLATE {} STRATEGY {}",
                quote_ident(&to.template_database),
                self.inner.clone_strategy.sql()
            );
            retry_while_in_use(&client, &sql).await.context("create the database on the new server")?;
        }
        restrict_database(&client, &placement.database_name, &placement.role_name).await?;
        let clone = access.connect(&placement.database_name).await?;
        clone
            .batch_execute(&format!(
                "REASSIGN OWNED BY {owner} TO {role}; DROP OWNED BY {owner}",
                owner = quote_ident(TEMPLATE_OWNER_ROLE)
            ))
            .await
            .context("hand the new database to the role")?;
        // Before the switch: the tenant plane reads it as soon as it serves from the new server.
        self.give_client_identity(tenant, to).await
    }

    /// Copies every table and sequence from the old database to the new one (see the module
    /// docs), as the server admin (the audit log's tables belong to the platform's audit
    /// owner, the rest to the tenant's role).
    async fn copy_tenant(
        &self,
        placement: &tenant_database::Model,
        from: &database_server::Model,
        to: &database_server::Model,
    ) -> anyhow::Result<()> {
        let mut source = self.admin_in_tenant_database(from, placement).await.context("old server")?;
        let mut target = self.admin_in_tenant_database(to, placement).await.context("new server")?;
        let snapshot = source
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let tables = copy_order(&snapshot).await?;
        anyhow::ensure!(
            table_columns(&snapshot).await? == table_columns(&target).await?,
            "the tables differ between the two servers (schema versions?)"
        );
        let fill = target.transaction().await?;
        if !tables.is_empty() {
            fill.batch_execute(&format!("TRUNCATE {}", tables.join(", "))).await.context("empty the new database")?;
        }
        for table in &tables {
            let expected: i64 = snapshot.query_one(&format!("SELECT count(*) FROM {table}"), &[]).await?.get(0);
            let out = snapshot.copy_out(&format!("COPY {table} TO STDOUT (FORMAT binary)")).await?;
            let sink = fill.copy_in(&format!("COPY {table} FROM STDIN (FORMAT binary)")).await?;
            futures::pin_mut!(out, sink);
            while let Some(chunk) = out.next().await {
                sink.send(chunk?).await.with_context(|| format!("copy {table}"))?;
            }
            let copied = sink.finish().await.with_context(|| format!("copy {table}"))?;
            anyhow::ensure!(
                i64::try_from(copied)? == expected,
                "{table}: {copied} rows copied, {expected} in the old database"
            );
        }
        // `last_value` is null for a sequence never used, which the fresh clone's is too.
        let sequences = snapshot
            .query(
                &format!("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value FROM pg_sequences WHERE {USER_SCHEMAS}"),
                &[],
            )
            .await?;
        for row in sequences {
            let (name, last): (String, Option<i64>) = (row.get(0), row.get(1));
            if let Some(last) = last {
                fill.execute("SELECT setval($1::regclass, $2, true)", &[&name, &last]).await?;
            }
        }
        fill.commit().await.context("commit the copy")?;
        snapshot.commit().await?;
        Ok(())
    }

    /// An admin session in the tenant's database. A superuser may read and write every table;
    /// any other admin is granted the tenant's role first (it already holds the audit owner's,
    /// from preparing the template).
    async fn admin_in_tenant_database(
        &self,
        server: &database_server::Model,
        placement: &tenant_database::Model,
    ) -> anyhow::Result<tokio_postgres::Client> {
        let (access, pool) = self.pools().get(server).await?;
        let admin_client = pool.get().await.context("admin connection")?;
        let superuser: bool =
            admin_client.query_one("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", &[]).await?.get(0);
        if !superuser {
            let role = quote_ident(&placement.role_name);
            admin_client.batch_execute(&format!("GRANT {role} TO CURRENT_USER")).await.context("grant the role")?;
        }
        access.connect(&placement.database_name).await
    }

    /// Undoes a move that did not reach the switch: the role may log in on the old server
    /// again, the tenant gets its status back, the new server's copy goes. Each part is tried
    /// even when an earlier one failed (an unreachable new server must not keep the tenant
    /// `moving`); the first error is returned.
    async fn undo_move(&self, tenant: TenantId, params: &MoveParams) -> anyhow::Result<()> {
        let placement = self.catalog().placement(tenant).await?.context("tenant is not placed")?;
        anyhow::ensure!(placement.server_id == params.from, "the placement already moved");
        let role = quote_ident(&placement.role_name);
        let login = async {
            let from = self.catalog().server(params.from).await?;
            let (_, pool) = self.pools().get(&from).await?;
            let client = pool.get().await.context("admin connection")?;
            client
                .batch_execute(&format!("ALTER ROLE {role} LOGIN"))
                .await
                .context("let the role log in on the old server again")
        }
        .await;
        let status = async {
            let status: TenantStatus = params.resume.parse().map_err(|e| anyhow::anyhow!("{e}"))?;
            self.catalog().transition_tenant(tenant, &[TenantStatus::Moving], status, None).await?;
            anyhow::Ok(())
        }
        .await;
        let dropped = async {
            let to = self.catalog().server(params.to).await?;
            self.drop_database_and_role(&to, &placement).await
        }
        .await;
        // The new server's client certificate copy, if `prepare_target` wrote one.
        self.drop_client_identity(tenant, params.to).await;
        login.and(status).and(dropped)
    }

    async fn drop_database_and_role(
        &self,
        server: &database_server::Model,
        placement: &tenant_database::Model,
    ) -> anyhow::Result<()> {
        let (_, pool) = self.pools().get(server).await?;
        let client = pool.get().await.context("admin connection")?;
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&placement.database_name)))
            .await
            .with_context(|| format!("drop the database on `{}`", server.name))?;
        client
            .batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(&placement.role_name)))
            .await
            .with_context(|| format!("drop the role on `{}`", server.name))?;
        Ok(())
    }
}

/// Schemas holding the tenant's objects (`public` and the audit log's), as a `WHERE` clause
/// on a view with a `schemaname` column.
const USER_SCHEMAS: &str = "schemaname NOT IN ('pg_catalog', 'information_schema') AND schemaname NOT LIKE 'pg\\_%'";

/// The tenant's tables, schema-qualified and quoted (without the migration ledger, which the
/// template brings), parents before the tables whose foreign keys point at them.
async fn copy_order(client: &tokio_postgres::Transaction<'_>) -> anyhow::Result<Vec<String>> {
    let rows = client
        .query(
            &format!(
                "SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind::text \
                 FROM pg_class c JOIN (SELECT oid, nspname AS schemaname, nspname FROM pg_namespace) n \
                   ON n.oid = c.relnamespace \
                 WHERE {USER_SCHEMAS} AND c.relkind IN ('r', 'p') \
                   AND NOT (n.nspname = 'public' AND c.relname = 'seaql_migrations') ORDER BY 2"
            ),
            &[],
        )
        .await?;
    let mut parents: BTreeMap<u32, (String, Vec<u32>)> = BTreeMap::new();
    for row in &rows {
        let (oid, name, kind): (u32, String, String) = (row.get(0), row.get(1), row.get(2));
        anyhow::ensure!(kind == "r", "partitioned table {name} is not supported by moves");
        parents.insert(oid, (name, Vec::new()));
    }
    let edges = client.query("SELECT conrelid, confrelid FROM pg_constraint WHERE contype = 'f'", &[]).await?;
    for edge in &edges {
        let (child, parent): (u32, u32) = (edge.get(0), edge.get(1));
        if child != parent
            && let Some((_, list)) = parents.get_mut(&child)
        {
            list.push(parent);
        }
    }
    let mut ordered = Vec::with_capacity(parents.len());
    while !parents.is_empty() {
        let ready: Vec<u32> = parents
            .iter()
            .filter(|(_, (_, ps))| ps.iter().all(|p| !parents.contains_key(p)))
            .map(|(oid, _)| *oid)
            .collect();
        anyhow::ensure!(!ready.is_empty(), "foreign keys form a cycle among the tenant's tables");
        for oid in ready {
            if let Some((name, _)) = parents.remove(&oid) {
                ordered.push(name);
            }
        }
    }
    Ok(ordered)
}

/// Every table's columns and types, to compare the two databases before copying.
async fn table_columns(client: &impl tokio_postgres::GenericClient) -> anyhow::Result<Vec<(String, String)>> {
    let rows = client
        .query(
            &format!(
                "SELECT n.nspname || '.' || c.relname, \
                        string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum) \
                 FROM pg_class c JOIN (SELECT oid, nspname AS schemaname, nspname FROM pg_namespace) n \
                   ON n.oid = c.relnamespace \
                 JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped \
                 WHERE {USER_SCHEMAS} AND c.relkind = 'r' AND NOT (n.nspname = 'public' AND c.relname = 'seaql_migrations') \
                 GROUP BY 1 ORDER BY 1"
            ),
            &[],
        )
        .await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}
