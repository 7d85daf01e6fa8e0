//! The steps themselves. Each one is idempotent: it checks what an earlier attempt already
//! did (by deterministic names) and does only what is missing.

use std::time::Duration;

use anyhow::{Context, bail};
use catalog::entity::{database_server, tenant_database};
use domain::{DatabaseName, RoleName, TenantId, TenantStatus, quote_ident};
use migrator::{ServerAccess, TEMPLATE_OWNER_ROLE, admin};
use secrets::{ExposeSecret, Scope, SecretError, SecretName, SecretString};
use tokio_postgres::error::SqlState;

use super::Step;
use crate::Provisioner;

/// Connections one tenant role may hold on its server; a runaway pool hits this first.
pub(crate) const ROLE_CONNECTION_LIMIT: u32 = 50;
/// `CREATE DATABASE` fails while anyone is connected to the template (a migration run); it
/// is retried this many times, at most `CLONE_RETRY_DELAY` apart.
const CLONE_RETRIES: u32 = 50;
const CLONE_RETRY_DELAY: Duration = Duration::from_millis(100);

/// The SCRAM verifier for a tenant role's password: the cheap one for the generated passwords
/// roles always get ([`secrets::scram`] says why that is safe), Postgres' usual 4096
/// iterations for anything else.
pub(crate) fn role_verifier(password: &str) -> String {
    secrets::scram::generated_password_verifier(password)
        .unwrap_or_else(|_| postgres_protocol::password::scram_sha_256(password.as_bytes()))
}

fn db_password_name() -> SecretName {
    SecretName::well_known(secrets::DB_PASSWORD)
}

impl Provisioner {
    pub(super) async fn execute(&self, step: Step, tenant: TenantId, params: &serde_json::Value) -> anyhow::Result<()> {
        match step {
            Step::Reserve => Ok(()),
            Step::Place => self.place(tenant, params).await,
            Step::CreateRole => self.create_role(tenant).await,
            Step::CreateDatabase => self.create_database(tenant).await,
            Step::Migrate => self.migrate(tenant).await,
            Step::CreateStorage => self.create_storage(tenant).await,
            Step::SeedAdmin => self.seed_admin(tenant, params, None).await,
            Step::Activate => self.activate(tenant).await,
        }
    }

    async fn place(&self, tenant: TenantId, params: &serde_json::Value) -> anyhow::Result<()> {
        if self.catalog().placement(tenant).await?.is_some() {
            return Ok(());
        }
        // Pinned to a server by name, or placed by the "fewest tenants" policy.
        let pinned = match params.get("server").and_then(serde_json::Value::as_str) {
            Some(name) => Some(self.catalog().server_by_name(name).await?.id),
            None => None,
        };
        // Stored before the role exists; an earlier attempt's password is kept.
        let scope = Scope::Tenant(tenant);
        self.secrets().ensure_scope(&scope).await.context("prepare tenant secret scope")?;
        match self.secrets().put(&scope, &db_password_name(), &secrets::random_password(), Some(0)).await {
            Ok(_) | Err(SecretError::VersionConflict { .. }) => {}
            Err(err) => return Err(err).context("store tenant database password"),
        }
        // The tenant's token-signing key (tenant auth signs with it; the JWKS publishes it).
        self.signing_keys().ensure(&scope).await.context("create tenant signing key")?;
        // The key sealing the secrets the tenant database holds (webhook and connector secrets).
        secrets::sealing::TenantKeys::new(self.secrets().clone())
            .ensure(&scope)
            .await
            .context("create tenant data key")?;
        let db = DatabaseName::for_tenant(&tenant);
        let role = RoleName::for_tenant(&tenant);
        self.catalog().place_tenant(tenant, pinned, db.as_str(), role.as_str()).await?;
        Ok(())
    }

    /// Stores a new password version, then sets it on the role; returns the version.
    pub(crate) async fn rotate_db_password(&self, tenant: TenantId) -> anyhow::Result<u32> {
        let (placement, server) = self.placed(tenant).await?;
        let scope = Scope::Tenant(tenant);
        let current = self.secrets().get(&scope, &db_password_name(), None).await.context("read current password")?;
        let password = secrets::random_password();
        let version = self
            .secrets()
            .put(&scope, &db_password_name(), &password, Some(current.version))
            .await
            .context("store new password version")?;
        let verifier = role_verifier(&password);
        let (_, pool) = self.pools().get(&server).await?;
        let client = pool.get().await.context("admin connection")?;
        client
            .batch_execute(&format!("ALTER ROLE {} WITH PASSWORD '{verifier}'", quote_ident(&placement.role_name)))
            .await
            .context("set new password on tenant role")?;
        Ok(version)
    }

    /// The tenant role's current password from the secret store.
    pub(crate) async fn db_password(&self, tenant: TenantId) -> anyhow::Result<SecretString> {
        let secret = self.secrets().get(&Scope::Tenant(tenant), &db_password_name(), None).await;
        Ok(secret.context("read tenant database password")?.value)
    }

    pub(crate) async fn placed(
        &self,
        tenant: TenantId,
    ) -> anyhow::Result<(tenant_database::Model, database_server::Model)> {
        let placement = self.catalog().placement(tenant).await?.context("tenant is not placed")?;
        let server = self.catalog().server(placement.server_id).await?;
        Ok((placement, server))
    }

    async fn create_role(&self, tenant: TenantId) -> anyhow::Result<()> {
        let (placement, server) = self.placed(tenant).await?;
        // The tenant's connections present the server's client certificate (if it asks for one).
        self.give_client_identity(tenant, &server).await?;
        let password = self.db_password(tenant).await?;
        let (_, pool) = self.pools().get(&server).await?;
        let client = pool.get().await.context("admin connection")?;
        // A spare database and its role, when one is ready, become the tenant's by renaming.
        self.take_spare(tenant, &placement, &server, &client).await?;
        ensure_tenant_role(&client, &placement.role_name, &password).await.context("create tenant role")?;
        Ok(())
    }

    async fn create_database(&self, tenant: TenantId) -> anyhow::Result<()> {
        let (placement, server) = self.placed(tenant).await?;
        let (access, pool) = self.pools().get(&server).await?;
        self.ensure_template_once(&access).await?;
        let client = pool.get().await.context("admin connection")?;
        let db = quote_ident(&placement.database_name);
        let role = quote_ident(&placement.role_name);
        if !admin::database_exists(&client, &placement.database_name).await? {
            let sql = format!(
                "CREATE DATABASE {db} OWNER {role} TEMPLATE {} STRATEGY {}",
                quote_ident(&server.template_database),
                self.inner.clone_strategy.sql()
            );
            retry_while_in_use(&client, &sql).await.context("create tenant database")?;
        }
        restrict_database(&client, &placement.database_name, &placement.role_name).await
    }

    async fn migrate(&self, tenant: TenantId) -> anyhow::Result<()> {
        let (placement, server) = self.placed(tenant).await?;
        // A spare came handed over and recorded in the ledger: nothing to do when it is current.
        if placement.schema_version.is_some() && placement.schema_version == (self.schema().latest)() {
            return Ok(());
        }
        let (access, _) = self.pools().get(&server).await?;
        let client = access.connect(&placement.database_name).await?;
        // The clone's objects belong to the template owner; hand them to the tenant's role
        // and drop the template owner's grants in this database.
        client
            .batch_execute(&format!(
                "REASSIGN OWNED BY {owner} TO {role}; DROP OWNED BY {owner}",
                owner = quote_ident(TEMPLATE_OWNER_ROLE),
                role = quote_ident(&placement.role_name)
            ))
            .await
            .context("hand schema to tenant role")?;
        // A clone of an up-to-date template needs nothing more; check on the same connection.
        let mut applied = migrator::applied_versions(&client).await?;
        if applied.last() != (self.schema().latest)().as_ref() {
            drop(client);
            let role = RoleName::from_catalog(placement.role_name.clone());
            applied =
                migrator::migrate_tenant_database(&access, &placement.database_name, &role, self.schema()).await?;
        }
        // Into the ledger: what the clone came with (no run).
        self.catalog().record_applied(tenant, &applied, None).await?;
        Ok(())
    }

    /// A connection made exactly as the tenant plane will make it: the tenant's role, its
    /// password, its database. Seed admin seeds over it, which proves the tenant reachable.
    pub(super) async fn seed_connection(&self, tenant: TenantId) -> anyhow::Result<tokio_postgres::Client> {
        let (placement, server) = self.placed(tenant).await?;
        let password = self.db_password(tenant).await?;
        let identity = self.tenant_client_identity(tenant, &server).await?;
        connect_as_tenant(&server, &placement, &password, identity.as_ref()).await
    }

    /// Seeds the profile and the first admin over `connection` (one from [`Self::seed_connection`],
    /// opened while the admin's password was still being hashed) or a new one.
    pub(super) async fn seed_admin(
        &self,
        tenant: TenantId,
        params: &serde_json::Value,
        connection: Option<tokio_postgres::Client>,
    ) -> anyhow::Result<()> {
        let row = self.catalog().tenant(tenant).await?;
        let email = params.get("adminEmail").and_then(|v| v.as_str()).context("job has no admin e-mail")?;
        let hash = params.get(super::ADMIN_PASSWORD_HASH).and_then(|v| v.as_str());
        let client = match connection {
            Some(client) if !client.is_closed() => client,
            _ => self.seed_connection(tenant).await?,
        };
        client
            .execute(
                "INSERT INTO tenant_profile (tenant_id, slug, display_name) VALUES ($1, $2, $3) \
                 ON CONFLICT (singleton) DO NOTHING",
                &[&tenant.as_uuid(), &row.slug, &row.display_name],
            )
            .await
            .context("seed tenant profile")?;
        // An invited owner: one open invitation, the user comes when it is accepted.
        if let Some(invitation) = params.get("adminInvitation") {
            let text = |key: &str| {
                invitation.get(key).and_then(serde_json::Value::as_str).context("bad invitation parameters")
            };
            let expires_at: chrono::DateTime<chrono::Utc> = text("expiresAt")?.parse().context("invitation expiry")?;
            client
                .execute(
                    "INSERT INTO invitations (id, email, role, token_hash, invited_by, expires_at) \
                     VALUES ($1, $2, 'owner', $3, NULL, $4) ON CONFLICT (token_hash) DO NOTHING",
                    &[&uuid::Uuid::now_v7(), &email, &text("tokenHash")?, &expires_at],
                )
                .await
                .context("seed the owner invitation")?;
            return Ok(());
        }
        let existing = client.query_opt("SELECT id FROM users WHERE email = $1", &[&email]).await?;
        let admin: uuid::Uuid = match existing {
            Some(row) => row.get(0),
            // Lost with a crashed run (recorded by the saga): no user, so no API key either.
            None if params.get(super::ADMIN_LOST).is_some() => return Ok(()),
            None => {
                let Some(hash) = hash else { bail!("job lost the admin password hash before seeding") };
                let id = uuid::Uuid::now_v7();
                client
                    .execute(
                        "INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, 'owner')",
                        &[&id, &email, &hash],
                    )
                    .await
                    .context("seed first admin")?;
                id
            }
        };
        // A sandbox's admin also gets the platform-made API key (scope `*`, expiring with it).
        if let Some(sandbox) = params.get("sandbox") {
            let text =
                |key: &str| sandbox.get(key).and_then(serde_json::Value::as_str).context("bad sandbox parameters");
            let expires_at: chrono::DateTime<chrono::Utc> = text("expiresAt")?.parse().context("sandbox expiry")?;
            client
                .execute(
                    "INSERT INTO api_keys (id, name, hint, secret_hash, scopes, created_by, expires_at) \
                     VALUES ($1, 'sandbox', $2, $3, $4, $5, $6) ON CONFLICT (secret_hash) DO NOTHING",
                    &[
                        &uuid::Uuid::now_v7(),
                        &text("apiKeyHint")?,
                        &text("apiKeyHash")?,
                        &vec![secrets::api_keys::ALL_SCOPES],
                        &admin,
                        &expires_at,
                    ],
                )
                .await
                .context("seed the sandbox's API key")?;
        }
        Ok(())
    }

    async fn activate(&self, tenant: TenantId) -> anyhow::Result<()> {
        self.catalog().transition_tenant(tenant, &[TenantStatus::Provisioning], TenantStatus::Active, None).await?;
        Ok(())
    }

    /// Drops the tenant's database (disconnecting its sessions) and role, and removes the
    /// placement. Idempotent; used by compensation and by offboarding.
    /// The tenant's space on the platform's storage backend: its folder, prefix or container,
    /// with a marker object. Tenant-hosted backends are registered (and checked) afterwards.
    async fn create_storage(&self, tenant: TenantId) -> anyhow::Result<()> {
        let Some(platform) = self.storage_platform() else {
            return Ok(());
        };
        let config = match self.catalog().storage_config(tenant.as_uuid()).await? {
            Some(record) => serde_json::from_value(record.config).context("stored storage config")?,
            None => {
                let config = storage::StorageConfig::platform_default(Some(platform));
                self.catalog().insert_storage_config(tenant.as_uuid(), serde_json::to_value(&config)?).await?;
                config
            }
        };
        if config.primary == storage::BackendSpec::Platform {
            let store = storage::connect(&config.primary, None, Some(platform), tenant.as_uuid())?;
            storage::create_space(&config.primary, store, Some(platform), tenant.as_uuid())
                .await
                .context("create the tenant's storage space")?;
        }
        Ok(())
    }

    /// Empties and removes the tenant's storage spaces. The platform's must go (an error stops
    /// offboarding, which can be run again); on a tenant-hosted backend our objects are removed
    /// when it answers, else left to the tenant (sealed ones are unreadable once the tenant's
    /// keys are destroyed) and the failure logged.
    async fn drop_tenant_storage(&self, tenant: TenantId) -> anyhow::Result<()> {
        let Some(record) = self.catalog().storage_config(tenant.as_uuid()).await? else {
            return Ok(());
        };
        let config: storage::StorageConfig = serde_json::from_value(record.config).context("stored storage config")?;
        let scope = Scope::Tenant(tenant);
        let backends = [(Some(config.primary), storage::PRIMARY_SECRET), (config.fallback, storage::FALLBACK_SECRET)];
        for (spec, secret_name) in backends {
            let Some(spec) = spec else { continue };
            let secret = if spec.needs_secret() {
                match self.secrets().get(&scope, &SecretName::well_known(secret_name), None).await {
                    Ok(v) => Some(v.value),
                    Err(SecretError::NotFound) => None,
                    Err(err) => return Err(err).context("read storage credentials"),
                }
            } else {
                None
            };
            let removed = async {
                let store = storage::connect(&spec, secret, self.storage_platform(), tenant.as_uuid())?;
                storage::remove_space(&spec, store, self.storage_platform(), tenant.as_uuid()).await
            }
            .await;
            match (removed, &spec) {
                (Ok(count), _) => {
                    tracing::info!(tenant.id = %tenant, backend = spec.kind(), objects = count, "tenant storage removed")
                }
                (Err(err), storage::BackendSpec::Platform) => {
                    return Err(anyhow::anyhow!("remove the tenant's storage space: {err}"));
                }
                (Err(err), _) => {
                    tracing::warn!(tenant.id = %tenant, backend = spec.kind(), error = %err, "tenant-hosted storage not emptied; left to the tenant")
                }
            }
        }
        self.catalog().remove_storage_config(tenant.as_uuid()).await?;
        Ok(())
    }

    /// How many files the tenant's index holds and how many objects wait on its fallback (read
    /// as the server admin).
    pub(crate) async fn tenant_storage_counts(&self, tenant: TenantId) -> anyhow::Result<(i64, i64)> {
        let (placement, server) = self.placed(tenant).await?;
        let (access, _) = self.pools().get(&server).await?;
        let client = access.connect(&placement.database_name).await?;
        let row = client
            .query_one("SELECT (SELECT count(*) FROM files), (SELECT count(*) FROM storage_replication)", &[])
            .await
            .context("count the tenant's files")?;
        Ok((row.get(0), row.get(1)))
    }

    pub(crate) async fn drop_tenant_resources(&self, tenant: TenantId) -> anyhow::Result<()> {
        self.drop_tenant_storage(tenant).await?;
        self.drop_claimed_spare(tenant).await?;
        let Some(placement) = self.catalog().placement(tenant).await? else {
            self.secrets().destroy_scope(&Scope::Tenant(tenant)).await.context("destroy tenant secrets")?;
            return Ok(());
        };
        let server = self.catalog().server(placement.server_id).await?;
        let (_, pool) = self.pools().get(&server).await?;
        let client = pool.get().await.context("admin connection")?;
        // Separate statements: DROP DATABASE cannot run inside a (multi-statement) transaction.
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&placement.database_name)))
            .await
            .context("drop tenant database")?;
        client
            .batch_execute(&format!("DROP ROLE IF EXISTS {}", quote_ident(&placement.role_name)))
            .await
            .context("drop tenant role")?;
        self.catalog().remove_placement(tenant).await?;
        // Crypto-shredding: the tenant's data key goes, so no copy of its secrets decrypts.
        self.secrets().destroy_scope(&Scope::Tenant(tenant)).await.context("destroy tenant secrets")?;
        Ok(())
    }

    /// Creates or migrates the server's template the first time this process clones from it.
    pub(crate) async fn ensure_template_once(&self, access: &ServerAccess) -> anyhow::Result<()> {
        if self.pools().template_checked(access.id) {
            return Ok(());
        }
        migrator::ensure_template(access, self.schema()).await?;
        self.pools().mark_template_checked(access.id);
        Ok(())
    }
}

/// Runs a statement that needs a database nobody is connected to (`CREATE DATABASE … TEMPLATE`,
/// `ALTER DATABASE … RENAME`), retrying while someone is (a migration run on the template, a
/// spare's last connection still closing).
pub(crate) async fn retry_while_in_use(
    client: &tokio_postgres::Client,
    sql: &str,
) -> Result<(), tokio_postgres::Error> {
    // 5 ms, doubling up to `CLONE_RETRY_DELAY`: a closing connection is gone in milliseconds,
    // a migration run on the template takes longer.
    let mut delay = Duration::from_millis(5);
    let mut tries = 0;
    loop {
        match client.batch_execute(sql).await {
            Ok(()) => return Ok(()),
            Err(err) if err.code() == Some(&SqlState::OBJECT_IN_USE) && tries < CLONE_RETRIES => {
                tries += 1;
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(CLONE_RETRY_DELAY);
            }
            Err(err) => return Err(err),
        }
    }
}

/// Only `role` may connect to `database`; databases do not inherit the template's ACL.
pub(crate) async fn restrict_database(
    client: &tokio_postgres::Client,
    database: &str,
    role: &str,
) -> anyhow::Result<()> {
    let (db, role) = (quote_ident(database), quote_ident(role));
    client
        .batch_execute(&format!(
            "ALTER DATABASE {db} OWNER TO {role}; REVOKE ALL ON DATABASE {db} FROM PUBLIC; \
             GRANT CONNECT, TEMPORARY ON DATABASE {db} TO {role}"
        ))
        .await
        .context("restrict the database to its role")?;
    Ok(())
}

/// Connects to the tenant's database as the tenant's own role.
/// Creates the tenant's login role, or brings an existing one (a renamed spare, the role on a
/// move's new server) to the attributes and password it must have, and makes the admin a member
/// of it (needed to create its database and hand it objects without superuser).
pub(crate) async fn ensure_tenant_role(
    client: &tokio_postgres::Client,
    role_name: &str,
    password: &SecretString,
) -> anyhow::Result<()> {
    // A SCRAM verifier, so the plain password never reaches the server or its logs.
    let verifier = role_verifier(password.expose_secret());
    let role = quote_ident(role_name);
    let verb = if admin::role_exists(client, role_name).await? { "ALTER" } else { "CREATE" };
    client
        .batch_execute(&format!(
            "{verb} ROLE {role} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT NOREPLICATION \
             NOBYPASSRLS CONNECTION LIMIT {ROLE_CONNECTION_LIMIT} PASSWORD '{verifier}'"
        ))
        .await?;
    client.batch_execute(&admin::grant_to_admin_sql(role_name)).await.context("let the admin act for the role")?;
    Ok(())
}

pub(crate) async fn connect_as_tenant(
    server: &database_server::Model,
    placement: &tenant_database::Model,
    password: &SecretString,
    identity: Option<&dbtls::ClientIdentity>,
) -> anyhow::Result<tokio_postgres::Client> {
    let mut config = tokio_postgres::Config::new();
    config
        .host(&server.host)
        .port(u16::try_from(server.port)?)
        .user(&placement.role_name)
        .password(password.expose_secret())
        .dbname(&placement.database_name)
        .connect_timeout(migrator::admin::CONNECT_TIMEOUT);
    let tls = migrator::admin::server_tls(server, identity)?;
    tls.configure(&mut config);
    migrator::admin::connect(&config, &tls).await.context("connect as tenant role")
}
