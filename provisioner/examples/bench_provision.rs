//! Provisioning benchmark (run through `scripts/bench/provision.sh`): per-tenant provisioning
//! time against a bare `CREATE DATABASE` on the same server, alternating in one run, and
//! cloning the template against migrating an empty database. Writes `reports/provisioning.md`.

#![expect(clippy::unwrap_used, clippy::print_stdout, reason = "benchmark binary")]

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use provisioner::{
    Actor, CloneStrategy, ProvisionerConfig,
    faults::Faults,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use sea_orm_migration::MigratorTrait;

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx].as_secs_f64() * 1000.0
}

fn row(name: &str, samples: &mut [Duration]) -> String {
    let total: Duration = samples.iter().sum();
    format!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
        samples.len(),
        pct(samples, 0.5),
        pct(samples, 0.95),
        pct(samples, 1.0),
        samples.len() as f64 / total.as_secs_f64()
    )
}

async fn timed<F: std::future::Future>(f: F) -> (Duration, F::Output) {
    let start = Instant::now();
    let out = f.await;
    (start.elapsed(), out)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::var("BENCH_TENANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(100);
    let m: usize = std::env::var("BENCH_CLONES").ok().and_then(|v| v.parse().ok()).unwrap_or(20);
    let platform = TestPlatform::new().await;
    let admin = test_support::admin_client("postgres").await.unwrap();
    let mut report = String::new();
    let mut dropped = Vec::new();

    for (label, strategy) in [("WAL_LOG", CloneStrategy::WalLog), ("FILE_COPY", CloneStrategy::FileCopy)] {
        let provisioner = platform
            .provisioner_with(ProvisionerConfig { clone_strategy: strategy, ..Default::default() }, Faults::none());
        // Warm-up: template creation, admin pools.
        for _ in 0..3 {
            provisioner.create_tenant(tenant_request(&unique_slug("warm")), &Actor::system()).await.unwrap();
        }
        let (mut provision, mut bare) = (Vec::new(), Vec::new());
        for _ in 0..n {
            let (t, _) =
                timed(provisioner.create_tenant(tenant_request(&unique_slug("bench")), &Actor::system())).await;
            provision.push(t);
            let name = test_support::unique_name("bare");
            let (t, r) = timed(admin.batch_execute(&format!("CREATE DATABASE \"{name}\" STRATEGY {label}"))).await;
            r.unwrap();
            bare.push(t);
            dropped.push(name);
        }
        let _ = writeln!(report, "\n### Strategy `{label}`, {n} tenants, alternating A/B\n");
        report.push_str("| operation | n | p50 ms | p95 ms | max ms | per second |\n|---|---|---|---|---|---|\n");
        report.push_str(&row("provision a tenant (API path: argon2 hash + whole saga)", &mut provision));
        report.push_str(&row("bare `CREATE DATABASE` (empty, same server)", &mut bare));
        let ratio = pct(&mut provision, 0.95) / pct(&mut bare, 0.95);
        // Where the time goes: each step's duration as recorded in the job.
        let jobs = platform.catalog.recent_jobs(Some(catalog::JobState::Succeeded), n as u64).await.unwrap();
        let mut by_step: std::collections::BTreeMap<String, Vec<Duration>> = Default::default();
        for job in &jobs {
            for (step, record) in job.steps.as_object().into_iter().flatten() {
                let ms = record.get("duration_ms").and_then(|v| v.as_u64()).unwrap_or(0);
                by_step.entry(step.clone()).or_default().push(Duration::from_millis(ms));
            }
        }
        let mut hash = Vec::new();
        for _ in 0..10 {
            let (t, _) =
                timed(async { secrets::password::hash_password("correct horse battery staple").unwrap() }).await;
            hash.push(t);
        }
        by_step.insert("(argon2id hash of the admin password, before the saga)".into(), hash);
        let _ = writeln!(report, "\np95 ratio provision / bare CREATE DATABASE: **{ratio:.2}×**\n");
        report.push_str(
            "| step (from the job record) | n | p50 ms | p95 ms | max ms | per second |\n|---|---|---|---|---|---|\n",
        );
        for (step, samples) in &mut by_step {
            report.push_str(&row(step, samples));
        }
        println!("{label}: provision p95 {:.1} ms, bare p95 {:.1} ms", pct(&mut provision, 0.95), pct(&mut bare, 0.95));
    }

    let (mut clone, mut migrate) = (Vec::new(), Vec::new());
    for _ in 0..m {
        let name = test_support::unique_name("clone");
        let (t, r) = timed(admin.batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\" STRATEGY WAL_LOG",
            platform.template_db
        )))
        .await;
        r.unwrap();
        clone.push(t);
        dropped.push(name);
        let name = test_support::unique_name("migr");
        let (t, _) = timed(async {
            admin.batch_execute(&format!("CREATE DATABASE \"{name}\" STRATEGY WAL_LOG")).await.unwrap();
            let db = sea_orm::Database::connect(test_support::admin_url(&name)).await.unwrap();
            migrator::tenant::TenantMigrator::up(&db, None).await.unwrap();
            db.close().await.unwrap();
        })
        .await;
        migrate.push(t);
        dropped.push(name);
    }
    let _ = writeln!(report, "\n### Template clone vs migrations, {m} databases, alternating\n");
    report.push_str("| operation | n | p50 ms | p95 ms | max ms | per second |\n|---|---|---|---|---|---|\n");
    report.push_str(&row("clone the migrated template (WAL_LOG)", &mut clone));
    report.push_str(&row("create empty + apply all tenant migrations", &mut migrate));

    for name in dropped {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await;
    }
    platform.cleanup().await;

    let header = format!(
        "# Provisioning benchmark\n\nGenerated by `scripts/bench/provision.sh` on {} ({} cores). Server: the test \
         cluster (fsync off) unless `TENANTRY_TEST_DATABASE_URL` names another; debug build (argon2 and AEAD are \
         optimised in dev builds). Ratios within one run are the result; absolute numbers vary by machine.\n",
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    std::fs::create_dir_all("reports").unwrap();
    std::fs::write("reports/provisioning.md", header + &report).unwrap();
    println!("wrote reports/provisioning.md");
}
