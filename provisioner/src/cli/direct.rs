//! Direct mode: commands run against the catalog with the master key, as the control plane
//! would (same library calls, same audit events, actor `cli:<user>`).

use std::process::ExitCode;

use anyhow::{Context, bail};
use catalog::{
    Catalog, JobState,
    entity::{provisioning_job, tenant},
};
use domain::{DisplayName, Email, Password, Plan, TenantId, TenantSlug, TenantStatus};
use secrets::{ExposeSecret, Keyring, SecretString};
use serde_json::json;

use super::{AuditCmd, Command, CreateArgs, GlobalArgs, JobsCmd, KeysCmd, TenantsCmd, output::print};
use crate::{Actor, CreateTenant, FirstAdmin, Provisioner, ProvisionerConfig};

async fn connect(global: &GlobalArgs) -> anyhow::Result<(Catalog, Keyring)> {
    global.secrets.validate(global.keys.dev)?;
    let source = global.keys.source()?;
    let keyring = Keyring::load(&source)?;
    let url = catalog::catalog_url(global.catalog_url.as_deref(), global.database_url.as_deref())
        .context("set TENANTRY_DATABASE_URL or TENANTRY_CATALOG_URL (or use --api)")?;
    let catalog = Catalog::connect(&url).await.context("connect to catalog")?;
    Ok((catalog, keyring))
}

pub async fn run(global: &GlobalArgs, command: Command) -> anyhow::Result<ExitCode> {
    let (catalog, keyring) = connect(global).await?;
    let store = global.secrets.open(&catalog, &keyring).await?;
    // The platform's storage as the control plane has it (TENANTRY_STORAGE…), so tenants made
    // and removed here get and lose their storage space too.
    let storage = storage::Platform::from_env().map_err(anyhow::Error::msg)?;
    let config = ProvisionerConfig { secrets: Some(store), storage, ..ProvisionerConfig::default() };
    let provisioner = Provisioner::new(catalog.clone(), keyring.clone(), config);
    let actor = Actor::cli();
    match command {
        Command::Tenants(cmd) => tenants(global, &provisioner, &actor, cmd).await,
        Command::Migrate(cmd) => super::migrate::run(&catalog, &provisioner, cmd, global.json).await,
        Command::Jobs(cmd) => jobs(global, &provisioner, &actor, cmd).await,
        Command::Sandbox(cmd) => {
            print(&super::sandbox::direct(&provisioner, &actor, cmd).await?, global.json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Servers(cmd) => {
            print(&super::servers::direct(&provisioner, &actor, cmd).await?, global.json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(KeysCmd::Status) => super::keys::status(&catalog, &keyring, global.json).await,
        Command::Keys(KeysCmd::Rewrap) => {
            super::keys::rewrap(&catalog, &keyring, provisioner.server_credentials(), &actor, global.json).await
        }
        Command::Audit(AuditCmd::Verify { tenant, anchor }) => {
            let t = resolve(&catalog, &tenant).await?;
            let report = crate::verify_audit_log(&provisioner, TenantId::from_uuid(t.id), anchor.as_ref()).await?;
            if global.json {
                print(&serde_json::to_value(&report)?, true)?;
            } else if let Some(broken) = &report.broken {
                println!("audit log of {} is BROKEN at row {}: {}", t.slug, broken.seq, broken.reason);
            } else {
                println!("audit log of {} is intact: {} rows", t.slug, report.rows_checked);
                if let (Some(seq), Some(hash)) = (report.last_seq, &report.last_hash) {
                    println!("anchor for next time (keep it outside the database): {seq}:{hash}");
                }
            }
            Ok(if report.is_intact() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::Dev(_) => bail!("`dev` is not a catalog command"),
    }
}

async fn resolve(catalog: &Catalog, key: &str) -> anyhow::Result<tenant::Model> {
    match key.parse::<TenantId>() {
        Ok(id) => Ok(catalog.tenant(id).await?),
        Err(_) => Ok(catalog.tenant_by_slug(key).await.with_context(|| format!("no live tenant `{key}`"))?),
    }
}

/// The request, and the first admin's invitation token when they are invited.
fn create_request(args: &CreateArgs) -> anyhow::Result<(CreateTenant, Option<SecretString>)> {
    let (token, admin) = match admin_password(args)? {
        Some(password) => (None, FirstAdmin::Password(Password::parse(&password).context("admin password")?)),
        None => {
            let (token, admin) = FirstAdmin::invitation();
            (Some(token), admin)
        }
    };
    let request = CreateTenant {
        slug: TenantSlug::parse(&args.slug).context("slug")?,
        display_name: DisplayName::parse(&args.name).context("name")?,
        plan: args.plan.parse::<Plan>().context("plan")?,
        admin_email: Email::parse(&args.admin_email).context("admin e-mail")?,
        admin,
        server: args.server.clone(),
        sandbox: None,
    };
    Ok((request, token))
}

/// The admin password from the flag/env or standard input; `None` with `--invite-admin`.
pub(super) fn admin_password(args: &CreateArgs) -> anyhow::Result<Option<String>> {
    if args.invite_admin {
        return Ok(None);
    }
    if let Some(p) = &args.admin_password {
        return Ok(Some(p.expose_secret().to_owned()));
    }
    if args.admin_password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        return Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned()));
    }
    bail!(
        "give the admin password with TENANTRY_ADMIN_PASSWORD, --admin-password or --admin-password-stdin, \
         or --invite-admin"
    )
}

fn tenant_json(t: &tenant::Model) -> serde_json::Value {
    json!({
        "id": t.id, "slug": t.slug, "displayName": t.display_name, "plan": t.plan, "status": t.status,
        "statusReason": t.status_reason, "createdAt": t.created_at, "deletedAt": t.deleted_at,
    })
}

fn job_json(j: &provisioning_job::Model) -> serde_json::Value {
    json!({
        "id": j.id, "tenantId": j.tenant_id, "kind": j.kind, "state": j.state, "currentStep": j.current_step,
        "attempts": j.attempts, "lastError": j.last_error, "createdAt": j.created_at, "steps": j.steps,
    })
}

async fn tenants(global: &GlobalArgs, p: &Provisioner, actor: &Actor, cmd: TenantsCmd) -> anyhow::Result<ExitCode> {
    let catalog = p.catalog();
    let value = match cmd {
        TenantsCmd::Create(args) => {
            let (request, token) = create_request(&args)?;
            let expires_at = match &request.admin {
                FirstAdmin::Invitation { expires_at, .. } => Some(*expires_at),
                FirstAdmin::Password(_) => None,
            };
            let mut value = tenant_json(&p.create_tenant(request, actor).await?);
            if let (Some(token), Some(expires_at)) = (token, expires_at) {
                value["adminInvitation"] =
                    json!({ "email": args.admin_email, "token": token.expose_secret(), "expiresAt": expires_at });
            }
            value
        }
        TenantsCmd::List { limit, cursor, status } => {
            let status = status.map(|s| s.parse::<TenantStatus>()).transpose()?;
            let page = catalog.list_tenants(cursor, limit.clamp(1, 1000), status).await?;
            json!({ "items": page.items.iter().map(tenant_json).collect::<Vec<_>>(), "nextCursor": page.next_cursor })
        }
        TenantsCmd::Show { tenant } => {
            let t = resolve(catalog, &tenant).await?;
            let mut value = tenant_json(&t);
            if let Some(placement) = catalog.placement(TenantId::from_uuid(t.id)).await? {
                value["database"] = json!({
                    "name": placement.database_name, "role": placement.role_name, "serverId": placement.server_id,
                    "schemaVersion": placement.schema_version, "lastMigrationError": placement.last_migration_error,
                });
            }
            value
        }
        TenantsCmd::Suspend { tenant, reason } => {
            let t = resolve(catalog, &tenant).await?;
            tenant_json(&crate::suspend_tenant(p, TenantId::from_uuid(t.id), reason, actor).await?)
        }
        TenantsCmd::Move { tenant, to } => {
            let t = resolve(catalog, &tenant).await?;
            p.move_tenant(TenantId::from_uuid(t.id), &to, actor).await?;
            tenant_json(&catalog.tenant(TenantId::from_uuid(t.id)).await?)
        }
        TenantsCmd::Resume { tenant } => {
            let t = resolve(catalog, &tenant).await?;
            tenant_json(&crate::resume_tenant(p, TenantId::from_uuid(t.id), actor).await?)
        }
        TenantsCmd::RotateDbCredentials { tenant, all } => {
            let targets = match tenant {
                Some(key) => vec![resolve(catalog, &key).await?],
                None if all => catalog.list_tenants(None, 100_000, Some(TenantStatus::Active)).await?.items,
                None => bail!("name a tenant or pass --all"),
            };
            let mut rotated = Vec::new();
            for t in targets {
                let version = crate::rotate_db_credentials(p, TenantId::from_uuid(t.id), actor).await?;
                rotated.push(json!({ "id": t.id, "slug": t.slug, "version": version }));
            }
            json!({ "items": rotated })
        }
        TenantsCmd::RotateSigningKey { tenant } => {
            let t = resolve(catalog, &tenant).await?;
            let kid = crate::rotate_signing_key(p, TenantId::from_uuid(t.id), actor).await?;
            json!({ "id": t.id, "slug": t.slug, "kid": kid })
        }
        TenantsCmd::Delete { tenant, confirm } => {
            let t = resolve(catalog, &tenant).await?;
            if confirm != t.slug {
                bail!("--confirm must repeat the tenant's slug `{}`", t.slug);
            }
            tenant_json(&crate::delete_tenant(p, TenantId::from_uuid(t.id), actor).await?)
        }
    };
    print(&value, global.json)?;
    Ok(ExitCode::SUCCESS)
}

async fn jobs(global: &GlobalArgs, p: &Provisioner, actor: &Actor, cmd: JobsCmd) -> anyhow::Result<ExitCode> {
    let catalog = p.catalog();
    let value = match cmd {
        JobsCmd::List { state, tenant } => {
            let jobs = match tenant {
                Some(key) => catalog.jobs_for_tenant(resolve(catalog, &key).await?.id).await?,
                None => {
                    let state = state
                        .map(|s| {
                            [
                                JobState::Pending,
                                JobState::Running,
                                JobState::Succeeded,
                                JobState::Failed,
                                JobState::Compensated,
                            ]
                            .into_iter()
                            .find(|st| st.as_str() == s)
                            .context("unknown job state")
                        })
                        .transpose()?;
                    catalog.recent_jobs(state, 100).await?
                }
            };
            json!({ "items": jobs.iter().map(job_json).collect::<Vec<_>>() })
        }
        JobsCmd::Retry { job } => {
            p.retry_job(job, actor).await?;
            job_json(&catalog.job(job).await?)
        }
        JobsCmd::Compensate { job } => {
            p.compensate_job(job, actor).await?;
            job_json(&catalog.job(job).await?)
        }
    };
    print(&value, global.json)?;
    Ok(ExitCode::SUCCESS)
}
