//! `tenantry migrate plan | run | status`: fleet migrations in direct mode.

use std::{
    io::{IsTerminal, Write},
    process::ExitCode,
};

use anyhow::Context;
use catalog::Catalog;
use clap::{Args, Subcommand};
use migrator::{FailurePolicy, FleetEvent, PlanOptions, RunOptions, TenantSchema};

use super::output::print;
use crate::Provisioner;

#[derive(Debug, Subcommand)]
pub enum MigrateCmd {
    /// Dry run: what a run would apply where, and the drift report. Changes nothing.
    Plan {
        /// Also read every tenant database and report where it disagrees with the ledger.
        #[arg(long)]
        live: bool,
    },
    /// Migrate the catalog, every server's template and every tenant database that is behind:
    /// a canary group first, then waves. A rerun does only what is left.
    Run(RunArgs),
    /// The drift report and the recent runs.
    Status,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Tenants migrated first (spread over the servers); any failure among them stops the run.
    #[arg(long, default_value_t = 5)]
    pub canary: usize,
    /// Tenants per wave after the canary (0: one wave).
    #[arg(long, default_value_t = 200)]
    pub wave_size: usize,
    /// Tenant databases migrated at once on one server.
    #[arg(long, default_value_t = 4)]
    pub per_server: usize,
    /// Tenant databases migrated at once overall.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// After a wave with a failure: `stop`, or `continue` with the next waves.
    #[arg(long, default_value = "stop", value_parser = parse_policy)]
    pub on_failure: FailurePolicy,
}

fn parse_policy(s: &str) -> Result<FailurePolicy, String> {
    match s {
        "stop" => Ok(FailurePolicy::Stop),
        "continue" => Ok(FailurePolicy::Continue),
        _ => Err("`stop` or `continue`".into()),
    }
}

fn schema() -> TenantSchema {
    TenantSchema::of::<migrator::tenant::TenantMigrator>()
}

pub async fn run(
    catalog: &Catalog,
    provisioner: &Provisioner,
    cmd: MigrateCmd,
    json: bool,
) -> anyhow::Result<ExitCode> {
    match cmd {
        MigrateCmd::Plan { live } => {
            let plan = migrator::plan_fleet(
                catalog,
                provisioner.server_credentials(),
                schema(),
                PlanOptions { live, ..PlanOptions::default() },
            )
            .await
            .context("plan (if the catalog is behind, `tenantry migrate run` migrates it first)")?;
            if json {
                print(&serde_json::to_value(&plan)?, true)?;
            } else {
                println!("target {}", plan.target_version.as_deref().unwrap_or("-"));
                for s in &plan.servers {
                    let template = s.template_error.as_deref().map_or_else(
                        || s.template_version.clone().unwrap_or_else(|| "(none)".into()),
                        |e| format!("UNREADABLE: {e}"),
                    );
                    println!(
                        "server {} ({}, {}): template {template}; {} tenants, {} behind",
                        s.name, s.state, s.health, s.tenants, s.pending
                    );
                }
                for t in &plan.tenants {
                    println!(
                        "  {} on {}: {}{}{}",
                        t.slug,
                        t.server,
                        if t.pending.is_empty() { "nothing to apply".into() } else { t.pending.join(", ") },
                        t.last_error.as_deref().map(|e| format!("; last error: {e}")).unwrap_or_default(),
                        if t.ledger_mismatch { "; LEDGER DISAGREES WITH THE DATABASE" } else { "" },
                    );
                }
                print_drift(&plan.drift);
            }
            Ok(ExitCode::SUCCESS)
        }
        MigrateCmd::Status => {
            let plan =
                migrator::plan_fleet(catalog, provisioner.server_credentials(), schema(), PlanOptions::default())
                    .await?;
            let runs = catalog.migration_runs(10).await?;
            if json {
                print(&serde_json::json!({ "drift": plan.drift, "runs": runs }), true)?;
            } else {
                print_drift(&plan.drift);
                for r in runs {
                    println!(
                        "run {} {} by {} at {} → {}",
                        r.id,
                        r.state,
                        r.started_by,
                        r.started_at.format("%Y-%m-%d %H:%M:%S"),
                        r.target_version.unwrap_or_default()
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        MigrateCmd::Run(args) => {
            migrator::migrate_catalog(catalog).await.context("migrate catalog")?;
            let options = RunOptions {
                canary: args.canary,
                wave_size: args.wave_size,
                per_server: args.per_server,
                concurrency: args.concurrency,
                on_failure: args.on_failure,
                started_by: format!("cli:{}", whoami()),
            };
            let progress = Progress::new(json);
            let summary = migrator::run_fleet(catalog, provisioner.server_credentials(), schema(), options, &|e| {
                progress.show(e)
            })
            .await?;
            // Migrated tenants provisioned before data keys existed get theirs (idempotent).
            let data_keys = secrets::sealing::TenantKeys::new(provisioner.secrets().clone());
            let migrated = progress.migrated.lock().map(|m| m.clone()).unwrap_or_default();
            for tenant in migrated {
                let scope = secrets::Scope::Tenant(domain::TenantId::from_uuid(tenant));
                if let Err(err) = data_keys.ensure(&scope).await {
                    eprintln!("could not ensure the data key of tenant {tenant}: {err:#}");
                }
            }
            Ok(if summary.state == "succeeded" { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}

fn whoami() -> String {
    std::env::var("USER").unwrap_or_else(|_| "unknown".into())
}

fn print_drift(d: &migrator::DriftReport) {
    println!(
        "{} tenants: {} up to date, {} behind, {} failed last time{}",
        d.tenants,
        d.up_to_date,
        d.behind,
        d.failed,
        if d.ledger_mismatches > 0 {
            format!(", {} disagree with the ledger", d.ledger_mismatches)
        } else {
            String::new()
        }
    );
    for (version, n) in &d.versions {
        println!("  {n:>6} at {version}");
    }
}

/// Prints run events: JSON lines with `--json`; otherwise a progress line on a terminal's
/// stderr and a summary on stdout.
struct Progress {
    json: bool,
    tty: bool,
    state: std::sync::Mutex<(usize, usize, usize)>,
    /// Tenants the run migrated.
    migrated: std::sync::Mutex<Vec<uuid::Uuid>>,
}

impl Progress {
    fn new(json: bool) -> Self {
        Self {
            json,
            tty: std::io::stderr().is_terminal(),
            state: std::sync::Mutex::new((0, 0, 0)),
            migrated: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn show(&self, event: &FleetEvent) {
        if let FleetEvent::Tenant { tenant_id, error: None, .. } = event
            && let Ok(mut migrated) = self.migrated.lock()
        {
            migrated.push(*tenant_id);
        }
        if self.json {
            if let Ok(line) = serde_json::to_string(event) {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{line}");
                let _ = out.flush();
            }
            return;
        }
        let Ok(mut state) = self.state.lock() else { return };
        let (total, done, failed) = &mut *state;
        match event {
            FleetEvent::Template { server, version, error } => match error {
                Some(e) => println!("template on {server}: FAILED: {e}"),
                None => println!("template on {server}: {}", version.as_deref().unwrap_or("-")),
            },
            FleetEvent::RunStarted { run_id, target_version, tenants, pending, waves } => {
                *total = *pending;
                println!(
                    "run {run_id}: {pending} of {tenants} tenants behind {}, {waves} waves",
                    target_version.as_deref().unwrap_or("-")
                );
            }
            FleetEvent::Tenant { slug, server, error, .. } => {
                *done += 1;
                if let Some(e) = error {
                    *failed += 1;
                    eprintln!("{}FAILED {slug} on {server}: {e}", if self.tty { "\r\x1b[K" } else { "" });
                }
                if self.tty {
                    let width = 30;
                    let filled = (*done * width).checked_div(*total).unwrap_or(width).min(width);
                    eprint!("\r[{}{}] {done}/{total}, {failed} failed", "#".repeat(filled), ".".repeat(width - filled));
                }
            }
            FleetEvent::WaveFinished { name, succeeded, failed, .. } => {
                if self.tty {
                    eprintln!();
                }
                println!("{name}: {succeeded} migrated, {failed} failed");
            }
            FleetEvent::WaveStarted { .. } => {}
            FleetEvent::RunFinished { summary } => {
                println!(
                    "run {} {}: {} migrated, {} failed, {} not tried, in {} ms",
                    summary.run_id,
                    summary.state,
                    summary.migrated,
                    summary.failed.len(),
                    summary.not_tried,
                    summary.duration_ms
                );
            }
        }
    }
}
