//! The 1,000-tenant benchmark (run through `scripts/bench/scale.sh`; writes `reports/scale.md`).
//!
//! On a private Postgres cluster with `max_connections = 100`, in one run:
//! 1. provisioning N tenants against a bare `CREATE DATABASE` (alternating), and the first API
//!    call to each tenant as soon as provisioning returns ("ready means ready");
//! 2. serving all N from one tenant-plane worker (in this process) under `wrk`: a single-tenant
//!    baseline, the 50 hottest tenants, round-robin and Zipf over all, against
//!    `pgbench -S -M prepared`; backends sampled all along; cold first requests; 100
//!    concurrent first requests to one cold tenant;
//! 3. a fleet migration (an additive migration over N databases), a run with nothing to do,
//!    one broken tenant, and a rerun;
//! 4. sizes at N databases, Postgres restart time, worker memory per cached tenant.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "benchmark binary"
)]

use std::{
    fmt::Write as _,
    net::TcpListener,
    path::PathBuf,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::TenantId;
use migrator::{FailurePolicy, RunOptions, TenantSchema};
use pgcluster::{ClusterConfig, PgCluster};
use provisioner::{
    Actor,
    testing::{TestPlatform, tenant_request, unique_slug},
};
use sea_orm_migration::prelude::*;
use tenant_plane::{PoolStats, RateLimitSettings, RoutingSettings};

/// The worker runs in this process: the same allocator as the `tenant-plane` binary, counting
/// the bytes live on the heap (RSS says little once freed pages are kept for reuse).
#[global_allocator]
static ALLOCATOR: cap::Cap<mimalloc::MiMalloc> = cap::Cap::new(mimalloc::MiMalloc, usize::MAX);

fn live_heap_kib() -> u64 {
    (ALLOCATOR.allocated() / 1024) as u64
}

/// The tenant migrations plus an additive one, as a new release would bring.
struct WithNewColumn;

struct AddColumn;

impl MigrationName for AddColumn {
    fn name(&self) -> &str {
        "m9000_bench_add_column"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for AddColumn {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("ALTER TABLE notes ADD COLUMN bench_flag boolean").await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl MigratorTrait for WithNewColumn {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = migrator::tenant::migrations();
        all.push(Box::new(AddColumn));
        all
    }
}

fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx].as_secs_f64() * 1000.0
}

fn row(name: &str, samples: &mut [Duration]) -> String {
    let total: Duration = samples.iter().sum();
    format!(
        "| {name} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
        samples.len(),
        pct(samples, 0.5),
        pct(samples, 0.95),
        pct(samples, 0.99),
        pct(samples, 1.0),
        samples.len() as f64 / total.as_secs_f64()
    )
}

fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A tenant-plane worker in this process, stopped when dropped.
struct Worker {
    url: String,
    state: tenant_plane::AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: Option<tokio::task::JoinHandle<()>>,
}

const BUDGET: usize = 60;
const POOL_MAX: usize = 5;

async fn start_worker(platform: &TestPlatform) -> Worker {
    let routing = RoutingSettings {
        base_domain: "bench.test".into(),
        path_routing: true,
        default_tenant: None,
        max_db_connections: BUDGET,
        tenant_pool_max: POOL_MAX,
        pool_idle_secs: 300,
        route_ttl_secs: 300,
    };
    let limits = RateLimitSettings {
        auth_per_minute: std::num::NonZeroU32::new(100_000).unwrap(),
        api: "100000000/300".parse().unwrap(),
        api_plans: Vec::new(),
    };
    let catalog = catalog::Catalog::connect(&platform.reader_url).await.unwrap();
    let store: Arc<dyn secrets::SecretStore> =
        Arc::new(secrets::LocalStore::new(catalog.clone(), platform.keyring.clone()));
    let state = tenant_plane::AppState::new(catalog, store, platform.reader_url.clone(), routing).with_limits(&limits);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let app = tenant_plane::Application::from_listener(listener, state.clone());
    let done = tokio::spawn(async move {
        let _ = app
            .run_until(async {
                let _ = rx.await;
            })
            .await;
    });
    for _ in 0..200 {
        if state.is_listening() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Worker { url, state, stop: Some(tx), done: Some(done) }
}

impl Worker {
    async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(done) = self.done.take() {
            let _ = done.await;
        }
    }
}

/// Tenant-role backends on the server (roles `tenant_…`).
async fn tenant_backends(admin: &tokio_postgres::Client) -> i64 {
    admin.query_one("SELECT count(*) FROM pg_stat_activity WHERE usename LIKE 'tenant\\_%'", &[]).await.unwrap().get(0)
}

/// Samples tenant backends every 50 ms until stopped; returns the maximum seen.
fn sample_backends(url: String) -> (Arc<AtomicBool>, tokio::task::JoinHandle<i64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let task = tokio::spawn(async move {
        let admin = test_support::admin_client_at(&url).await.unwrap();
        let mut max = 0;
        while !flag.load(Ordering::SeqCst) {
            max = std::cmp::max(max, tenant_backends(&admin).await);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        max
    });
    (stop, task)
}

#[derive(Debug, Default)]
struct WrkResult {
    requests: u64,
    seconds: f64,
    errors: u64,
    non2xx: u64,
    p50_ms: f64,
    p99_ms: f64,
}

impl WrkResult {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Runs wrk against `base` with paths chosen by `mode` (`one`, `rr`, `zipf`) from `paths`.
/// Uncounted load before the single-tenant and warm-tenant runs.
const WARM_UP_SECS: u64 = 3;

fn wrk(base: &str, paths: &[String], mode: &str, seconds: u64, connections: u32) -> WrkResult {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.lua");
    let mut lua = String::from("local paths = {\n");
    for p in paths {
        writeln!(lua, "  {p:?},").unwrap();
    }
    lua.push_str("}\n");
    write!(
        lua,
        r#"local mode = "{mode}"
local cdf = {{}}
local counter = 0
function init(args)
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
  counter = math.random(#paths)
  local total = 0
  for k = 1, #paths do total = total + 1 / (k ^ 1.1); cdf[k] = total end
  for k = 1, #paths do cdf[k] = cdf[k] / total end
end
function request()
  local i = 1
  if mode == "rr" then
    counter = counter + 1
    i = (counter % #paths) + 1
  elseif mode == "zipf" then
    local r = math.random()
    local lo, hi = 1, #paths
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < r then lo = mid + 1 else hi = mid end
    end
    i = lo
  end
  return wrk.format("GET", paths[i])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.stderr:write(string.format("WRK %d %d %d %d %.3f %.3f\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"#
    )
    .unwrap();
    std::fs::write(&script, lua).unwrap();
    let out = Command::new("wrk")
        .args(["-t2", &format!("-c{connections}"), &format!("-d{seconds}s"), "-s"])
        .arg(&script)
        .arg(base)
        .output()
        .expect("run wrk (apt-get install wrk)");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let line = stderr.lines().find(|l| l.starts_with("WRK ")).unwrap_or_else(|| panic!("wrk: {stderr}"));
    let f: Vec<f64> = line[4..].split_whitespace().map(|v| v.parse().unwrap()).collect();
    WrkResult {
        requests: f[0] as u64,
        seconds: f[1] / 1e6,
        errors: f[2] as u64,
        non2xx: f[3] as u64,
        p50_ms: f[4],
        p99_ms: f[5],
    }
}

fn wrk_row(name: &str, r: &WrkResult, backends: i64, pools: (PoolStats, PoolStats)) -> String {
    let (before, after) = pools;
    format!(
        "| {name} | {:.0} | {:.2} | {:.2} | {} | {} | {backends} | {} | {} | {} |\n",
        r.rps(),
        r.p50_ms,
        r.p99_ms,
        r.errors,
        r.non2xx,
        after.opened - before.opened,
        after.budget_waits - before.budget_waits,
        after.reclaimed - before.reclaimed,
    )
}

/// Where a provisioning's time goes: each saga step's recorded duration over the benchmark's
/// jobs, for the tenants that took a spare (even numbers) and those that cloned (odd), and what
/// is left of the whole (job bookkeeping between steps; the argon2id hash where the steps before
/// `seed_admin` finish before it).
async fn step_breakdown(catalog_url: &str, from_spare: &[Duration], by_clone: &[Duration]) -> String {
    let catalog = test_support::admin_client_at(catalog_url).await.unwrap();
    let rows = catalog
        .query(
            "SELECT s.key, substring(t.slug, 2, 4)::int % 2 = 0, avg((s.value->>'duration_ms')::float8) \
             FROM provisioning_jobs j JOIN tenants t ON t.id = j.tenant_id CROSS JOIN LATERAL jsonb_each(j.steps) s \
             WHERE t.slug ~ '^s[0-9]{4}-' AND substring(t.slug, 2, 4)::int % 4 < 2 AND j.kind = 'provision' \
             GROUP BY 1, 2 ORDER BY 1",
            &[],
        )
        .await
        .unwrap();
    let mut steps: std::collections::BTreeMap<String, [f64; 2]> = Default::default();
    for row in &rows {
        let spare: bool = row.get(1);
        steps.entry(row.get(0)).or_default()[usize::from(!spare)] = row.get(2);
    }
    let mut out = String::from(
        "\nWhere the time goes (mean of each step's recorded duration, the same jobs; admin password set):\n\n\
         | step | from a spare, ms | by cloning, ms |\n|---|---|---|\n",
    );
    let mut sums = [0.0; 2];
    for (step, means) in &steps {
        writeln!(out, "| {step} | {:.1} | {:.1} |", means[0], means[1]).unwrap();
        sums[0] += means[0];
        sums[1] += means[1];
    }
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64() * 1e3 / v.len().max(1) as f64;
    writeln!(
        out,
        "| the rest (job rows, audit, waiting for the argon2id hash) | {:.1} | {:.1} |\n",
        mean(from_spare) - sums[0],
        mean(by_clone) - sums[1]
    )
    .unwrap();
    out
}

fn pg_bin(name: &str) -> PathBuf {
    pgcluster::find_bin_dir().unwrap().join(name)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_TENANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let load_secs: u64 = std::env::var("BENCH_LOAD_SECS").ok().and_then(|v| v.parse().ok()).unwrap_or(15);
    let root = PathBuf::from(std::env::var("BENCH_PG_DIR").expect("BENCH_PG_DIR"));
    let config = |port| ClusterConfig { root: root.clone(), port, durable: false, max_connections: 100, tls: None };
    // The test-support crate reads the server from TENANTRY_TEST_DATABASE_URL: start the
    // cluster, then run this program again with it set.
    if std::env::var_os("TENANTRY_TEST_DATABASE_URL").is_none() {
        let cluster = PgCluster::start(&config(pgcluster::free_port().unwrap())).unwrap();
        let status = Command::new(std::env::current_exe().unwrap())
            .env("TENANTRY_TEST_DATABASE_URL", cluster.url("postgres"))
            .env("BENCH_PG_PORT", cluster.port().to_string())
            .status()
            .unwrap();
        let _ = cluster.stop();
        std::process::exit(status.code().unwrap_or(1));
    }
    let port: u16 = std::env::var("BENCH_PG_PORT").unwrap().parse().unwrap();
    let cluster = PgCluster::existing(&root, port).unwrap();
    let admin_url = cluster.url("postgres");
    let admin = test_support::admin_client_at(&admin_url).await.unwrap();
    let version: String = admin.query_one("SHOW server_version", &[]).await.unwrap().get(0);
    let platform = TestPlatform::new().await;
    let provisioner = platform.provisioner();
    let http = reqwest::Client::new();
    let mut report = String::new();
    let started = chrono::Utc::now();
    writeln!(
        report,
        "# Scale benchmark: {n} tenants\n\nGenerated by `scripts/bench/scale.sh` on {} ({} cores). One private Postgres {version} cluster \
         (`max_connections = 100`, fsync off) for everything; the tenant-plane worker runs in the benchmark process (release build), \
         `wrk` and `pgbench` as separate processes on the same machine. Ratios within this run are the result; absolute numbers vary by machine.\n",
        started.format("%Y-%m-%d %H:%M UTC"),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    )
    .unwrap();

    // 1. Provisioning against bare CREATE DATABASE, and the first API call.
    let worker = start_worker(&platform).await;
    for _ in 0..3 {
        provisioner.create_tenant(tenant_request(&unique_slug("warm")), &Actor::system()).await.unwrap();
    }
    let (mut provision, mut bare, mut first_call) = (Vec::new(), Vec::new(), Vec::new());
    // Every other tenant takes a spare database made just before (outside the timing, as the
    // control plane's filler does between requests); the others clone the template.
    let (mut from_spare, mut by_clone, mut make_spare) = (Vec::new(), Vec::new(), Vec::new());
    // Every other pair invites its first admin (the console wizard's default) instead of
    // setting a password: no argon2id hash at all.
    let (mut spare_invited, mut clone_invited) = (Vec::new(), Vec::new());
    let mut slugs = Vec::with_capacity(n);
    let mut first_failures = 0;
    let phase = Instant::now();
    for i in 0..n {
        let slug = format!("s{i:04}-{}", &uuid::Uuid::new_v4().simple().to_string()[..6]);
        let spare = i % 2 == 0;
        if spare {
            let t = Instant::now();
            assert_eq!(provisioner.fill_spares(1).await.unwrap().made, 1);
            make_spare.push(t.elapsed());
        }
        let invited = (i / 2) % 2 == 1;
        let mut request = tenant_request(&slug);
        if invited {
            request.admin = provisioner::FirstAdmin::invitation().1;
        }
        let t = Instant::now();
        provisioner.create_tenant(request, &Actor::system()).await.unwrap();
        let took = t.elapsed();
        provision.push(took);
        match (spare, invited) {
            (true, false) => from_spare.push(took),
            (true, true) => spare_invited.push(took),
            (false, false) => by_clone.push(took),
            (false, true) => clone_invited.push(took),
        }
        let t = Instant::now();
        let res = http.get(format!("{}/t/{slug}/v1/tenant", worker.url)).send().await;
        first_call.push(t.elapsed());
        if !res.is_ok_and(|r| r.status().is_success()) {
            first_failures += 1;
        }
        slugs.push(slug);
        let bare_db = format!("bare_{i}");
        let t = Instant::now();
        admin.batch_execute(&format!("CREATE DATABASE {bare_db}")).await.unwrap();
        bare.push(t.elapsed());
        admin.batch_execute(&format!("DROP DATABASE {bare_db}")).await.unwrap();
        if (i + 1) % 100 == 0 {
            eprintln!("provisioned {}/{n}", i + 1);
        }
    }
    let phase = phase.elapsed();
    let ratio = pct(&mut provision, 0.95) / pct(&mut bare, 0.95);
    let spare_ratio = pct(&mut from_spare, 0.95) / pct(&mut bare, 0.95);
    let clone_ratio = pct(&mut by_clone, 0.95) / pct(&mut bare, 0.95);
    let spare_invited_ratio = pct(&mut spare_invited, 0.95) / pct(&mut bare, 0.95);
    let clone_invited_ratio = pct(&mut clone_invited, 0.95) / pct(&mut bare, 0.95);
    writeln!(report, "## Provisioning {n} tenants\n").unwrap();
    writeln!(
        report,
        "Sequential, alternating with a bare `CREATE DATABASE` (dropped again, outside the timing) on the same server; the \
         tenant path is the API's minus HTTP: the whole saga (reserve → place → role → database → migrate check → storage none \
         → seed admin → activate, with its real connect as the tenant's role), the argon2id hash of the admin password \
         computed on another thread meanwhile and awaited by seed admin. \
         Every other tenant takes a spare database (renamed with its role; the spare made just before, outside the timing, as \
         the control plane's filler does between requests); the others find no spare and clone the migrated template. Every \
         other pair invites its first admin instead (the console wizard's default: no password, so no argon2id hash).\n"
    )
    .unwrap();
    report.push_str(
        "| operation | n | p50 ms | p95 ms | p99 ms | max ms | per second |\n|---|---|---|---|---|---|---|\n",
    );
    report.push_str(&row("provision a tenant (all)", &mut provision));
    report.push_str(&row("… from a spare database, admin password set", &mut from_spare));
    report.push_str(&row("… from a spare database, admin invited", &mut spare_invited));
    report.push_str(&row("… by cloning the template (no spare ready), admin password set", &mut by_clone));
    report.push_str(&row("… by cloning the template, admin invited", &mut clone_invited));
    report.push_str(&row("make a spare database (filler, off the request path)", &mut make_spare));
    report.push_str(&row("bare `CREATE DATABASE`", &mut bare));
    report.push_str(&row("first API call after provisioning (`GET /t/<slug>/v1/tenant`)", &mut first_call));
    writeln!(
        report,
        "\n- p95 provision from a spare ÷ p95 bare `CREATE DATABASE`: **{spare_ratio:.2}×** with the admin's password \
         set, **{spare_invited_ratio:.2}×** with the admin invited (target ≤ 3×); by cloning: {clone_ratio:.2}× and \
         {clone_invited_ratio:.2}×; all: {ratio:.2}×; p95 of all {:.0} ms (target < 1 s).\n\
         - First API call right after provisioning returned: **{first_failures} failures of {n}**.\n\
         - Whole phase {:.0} s: {:.1} tenants provisioned per second one at a time (with the bare creates and drops in between).\n",
        pct(&mut provision, 0.95),
        phase.as_secs_f64(),
        n as f64 / provision.iter().sum::<Duration>().as_secs_f64()
    )
    .unwrap();
    report.push_str(&step_breakdown(&platform.catalog_url, &from_spare, &by_clone).await);
    let mean = |v: &[Duration]| v.iter().sum::<Duration>().as_secs_f64() * 1e3 / v.len().max(1) as f64;
    writeln!(
        report,
        "Mean of the whole with the admin invited instead: {:.1} ms from a spare, {:.1} ms by cloning (with a password: \
         {:.1} and {:.1}); the difference is what of the argon2id hash the steps before seed admin do not cover.\n",
        mean(&spare_invited),
        mean(&clone_invited),
        mean(&from_spare),
        mean(&by_clone)
    )
    .unwrap();
    worker.shutdown().await;

    // 2. Serving from one worker.
    let paths: Vec<String> = slugs.iter().map(|s| format!("/t/{s}/v1/tenant")).collect();
    // Cold first requests: a fresh worker, every tenant once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let worker = start_worker(&platform).await;
    let rss_before = vm_rss_kib();
    let heap_before = live_heap_kib();
    let mut cold = Vec::with_capacity(n);
    let mut cold_failures = 0;
    for path in &paths {
        let t = Instant::now();
        let ok = http.get(format!("{}{path}", worker.url)).send().await.is_ok_and(|r| r.status().is_success());
        cold.push(t.elapsed());
        cold_failures += usize::from(!ok);
    }
    let rss_after = vm_rss_kib();
    let heap_after = live_heap_kib();
    let backends_after_cold = tenant_backends(&admin).await;

    // The two loads the targets compare are measured warm: each after an uncounted run longer
    // than the pools' active window, so neither pays for the previous phase's connections.
    let _ = wrk(&worker.url, &paths[..1], "one", WARM_UP_SECS, 32);
    let (stop, sampler) = sample_backends(admin_url.clone());
    let baseline_pools_before = worker.state.pool_stats();
    let baseline = wrk(&worker.url, &paths[..1], "one", load_secs, 32);
    let baseline_pools = (baseline_pools_before, worker.state.pool_stats());
    stop.store(true, Ordering::SeqCst);
    let baseline_backends = sampler.await.unwrap();
    let hot = std::cmp::min(50, paths.len());
    let _ = wrk(&worker.url, &paths[..hot], "rr", WARM_UP_SECS, 32);
    let (stop, sampler) = sample_backends(admin_url.clone());
    let warm_pools_before = worker.state.pool_stats();
    let warm = wrk(&worker.url, &paths[..hot], "rr", load_secs, 32);
    let warm_pools = (warm_pools_before, worker.state.pool_stats());
    stop.store(true, Ordering::SeqCst);
    let warm_backends = sampler.await.unwrap();
    let (stop, sampler) = sample_backends(admin_url.clone());
    let zipf_pools_before = worker.state.pool_stats();
    let zipf = wrk(&worker.url, &paths, "zipf", load_secs, 32);
    let zipf_pools = (zipf_pools_before, worker.state.pool_stats());
    stop.store(true, Ordering::SeqCst);
    let zipf_backends = sampler.await.unwrap();
    let (stop, sampler) = sample_backends(admin_url.clone());
    let rr_pools_before = worker.state.pool_stats();
    let rr = wrk(&worker.url, &paths, "rr", load_secs, 32);
    let rr_pools = (rr_pools_before, worker.state.pool_stats());
    stop.store(true, Ordering::SeqCst);
    let rr_backends = sampler.await.unwrap();
    // The worker's HTTP ceiling on this machine: the same load on an endpoint with no tenant
    // and no database (how much of it the tenant path leaves).
    let http_only = wrk(&worker.url, &["/health".to_owned()], "one", load_secs, 32);

    // 100 concurrent first requests to one cold tenant.
    let burst_slug = unique_slug("burst");
    let burst = provisioner.create_tenant(tenant_request(&burst_slug), &Actor::system()).await.unwrap();
    let burst_role = domain::RoleName::for_tenant(&TenantId::from_uuid(burst.id)).as_str().to_owned();
    let max_seen = Arc::new(AtomicI64::new(0));
    let watching = Arc::new(AtomicBool::new(true));
    let watcher = {
        let (max_seen, watching, url, role) =
            (max_seen.clone(), watching.clone(), admin_url.clone(), burst_role.clone());
        tokio::spawn(async move {
            let admin = test_support::admin_client_at(&url).await.unwrap();
            while watching.load(Ordering::SeqCst) {
                let n: i64 = admin
                    .query_one("SELECT count(*) FROM pg_stat_activity WHERE usename = $1", &[&role])
                    .await
                    .unwrap()
                    .get(0);
                max_seen.fetch_max(n, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    let burst_url = format!("{}/t/{burst_slug}/v1/tenant", worker.url);
    let t = Instant::now();
    let answers = futures::future::join_all((0..100).map(|_| http.get(&burst_url).send())).await;
    let burst_time = t.elapsed();
    tokio::time::sleep(Duration::from_millis(100)).await;
    watching.store(false, Ordering::SeqCst);
    watcher.await.unwrap();
    let burst_ok = answers.iter().filter(|r| r.as_ref().is_ok_and(|r| r.status().is_success())).count();
    worker.shutdown().await;

    // pgbench -S -M prepared on the same server, same client count.
    admin.batch_execute("CREATE DATABASE pgbench_bench").await.unwrap();
    let port = cluster.port().to_string();
    let password = url::Url::parse(&admin_url).unwrap().password().unwrap().to_owned();
    let pgbench = |args: &[&str]| {
        let out = Command::new(pg_bin("pgbench"))
            .args(["-h", "127.0.0.1", "-p", &port, "-U", "postgres"])
            .args(args)
            .arg("pgbench_bench")
            .env("PGPASSWORD", &password)
            .output()
            .unwrap();
        assert!(out.status.success(), "pgbench: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    pgbench(&["-i", "-q", "-s", "10"]);
    let out = pgbench(&["-S", "-M", "prepared", "-c", "32", "-j", "2", "-T", &load_secs.to_string()]);
    let pgbench_tps: f64 = out
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("pgbench tps");
    admin.batch_execute("DROP DATABASE pgbench_bench").await.unwrap();

    writeln!(report, "## Serving {n} tenants from one worker\n").unwrap();
    writeln!(
        report,
        "One tenant-plane worker, connection budget {BUDGET} (of the server's 100), pool max {POOL_MAX} per tenant; `wrk -t2 -c32 -d{load_secs}s` \
         on `GET /t/<slug>/v1/tenant` (route cache → tenant pool → one query in the tenant's database → JSON); the single \
         tenant and the warm tenants each after an uncounted {WARM_UP_SECS} s run of the same load (longer than the pools' \
         2 s active window), the others cold from the previous phase. \
         \"backends\" is the most tenant-role connections seen on the server, sampled every 50 ms; \"opened\" the connections \
         the worker opened during the run (each a SCRAM login), \"budget waits\" the times a pool found the budget exhausted, \
         \"reclaimed\" the idle connections closed to free it.\n"
    )
    .unwrap();
    report.push_str(
        "| load | requests/s | p50 ms | p99 ms | socket errors | non-2xx | max backends | opened | budget waits | reclaimed |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
    );
    report.push_str(&wrk_row("single tenant (baseline: one pool)", &baseline, baseline_backends, baseline_pools));
    report.push_str(&wrk_row(&format!("{hot} warm tenants, round-robin"), &warm, warm_backends, warm_pools));
    report.push_str(&wrk_row(&format!("all {n}, Zipf (s = 1.1)"), &zipf, zipf_backends, zipf_pools));
    report.push_str(&wrk_row(&format!("all {n}, round-robin"), &rr, rr_backends, rr_pools));
    writeln!(
        report,
        "| `GET /health` (the same worker, HTTP only: no tenant, no database) | {:.0} | {:.2} | {:.2} | {} | {} | | | | |",
        http_only.rps(),
        http_only.p50_ms,
        http_only.p99_ms,
        http_only.errors,
        http_only.non2xx
    )
    .unwrap();
    writeln!(report, "| `pgbench -S -M prepared -c32 -j2` (raw Postgres) | {pgbench_tps:.0} | | | | | | | | |\n")
        .unwrap();
    writeln!(
        report,
        "- Warm tenants ÷ single-tenant baseline: **{:.2}** (target ≥ 0.90). Single tenant ÷ pgbench: **{:.2}**; warm tenants ÷ pgbench: **{:.2}** (target ≥ 0.50).\n\
         - Zipf ÷ baseline: {:.2}; round-robin over all ÷ baseline: {:.2}.\n\
         - HTTP only ÷ pgbench: {:.2} (the worker's ceiling with no tenant work at all); single tenant ÷ HTTP only: {:.2}.\n\
         - Cold first request per tenant (fresh worker, each tenant once, sequential): {} — p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {cold_failures} failures; \
         {backends_after_cold} tenant backends open afterwards (budget {BUDGET}).\n\
         - 100 concurrent first requests to one cold tenant: {burst_ok}/100 answered 200 in {:.0} ms; at most **{}** connection(s) of its role on the server (pool max {POOL_MAX}).\n",
        warm.rps() / baseline.rps(),
        baseline.rps() / pgbench_tps,
        warm.rps() / pgbench_tps,
        zipf.rps() / baseline.rps(),
        rr.rps() / baseline.rps(),
        http_only.rps() / pgbench_tps,
        baseline.rps() / http_only.rps(),
        n,
        pct(&mut cold, 0.5),
        pct(&mut cold, 0.99),
        pct(&mut cold, 1.0),
        burst_time.as_secs_f64() * 1000.0,
        max_seen.load(Ordering::SeqCst),
    )
    .unwrap();

    // 3. Fleet migration.
    let schema = TenantSchema::of::<WithNewColumn>();
    let options = RunOptions {
        canary: 5,
        wave_size: 250,
        per_server: 12,
        concurrency: 12,
        on_failure: FailurePolicy::Continue,
        started_by: "bench".into(),
    };
    let t = Instant::now();
    let first =
        migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema, options.clone(), &|_| {})
            .await
            .unwrap();
    let first_time = t.elapsed();
    let t = Instant::now();
    let idle = migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema, options.clone(), &|_| {})
        .await
        .unwrap();
    let idle_time = t.elapsed();
    // One broken tenant: a conflicting column, then the next migration.
    struct WithTwo;
    struct AddSecond;
    impl MigrationName for AddSecond {
        fn name(&self) -> &str {
            "m9001_bench_second_column"
        }
    }
    #[async_trait::async_trait]
    impl MigrationTrait for AddSecond {
        async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
            manager.get_connection().execute_unprepared("ALTER TABLE notes ADD COLUMN bench_second int").await?;
            Ok(())
        }
    }
    #[async_trait::async_trait]
    impl MigratorTrait for WithTwo {
        fn migrations() -> Vec<Box<dyn MigrationTrait>> {
            let mut all = WithNewColumn::migrations();
            all.push(Box::new(AddSecond));
            all
        }
    }
    let victim = platform.catalog.tenant_by_slug(&slugs[n / 2]).await.unwrap();
    let victim_db = domain::DatabaseName::for_tenant(&TenantId::from_uuid(victim.id)).as_str().to_owned();
    test_support::admin_client_at(&cluster.url(&victim_db))
        .await
        .unwrap()
        .batch_execute("ALTER TABLE notes ADD COLUMN bench_second text")
        .await
        .unwrap();
    let schema_two = TenantSchema::of::<WithTwo>();
    let t = Instant::now();
    let broken =
        migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema_two, options.clone(), &|_| {})
            .await
            .unwrap();
    let broken_time = t.elapsed();
    let t = Instant::now();
    let rerun = migrator::run_fleet(&platform.catalog, &platform.server_credentials(), schema_two, options, &|_| {})
        .await
        .unwrap();
    let rerun_time = t.elapsed();
    writeln!(report, "## Fleet migration over {} tenant databases\n", first.tenants).unwrap();
    writeln!(
        report,
        "`migrator::run_fleet` (what `tenantry migrate run` calls): canary 5, waves of 250, 12 at a time on the one server, policy `continue`.\n"
    )
    .unwrap();
    report.push_str("| run | time s | pending | migrated | failed | state |\n|---|---|---|---|---|---|\n");
    for (name, time, r) in [
        ("additive migration (`ADD COLUMN`)", first_time, &first),
        ("nothing to do", idle_time, &idle),
        ("next migration, one tenant sabotaged", broken_time, &broken),
        ("rerun", rerun_time, &rerun),
    ] {
        writeln!(
            report,
            "| {name} | {:.2} | {} | {} | {} | {} |",
            time.as_secs_f64(),
            r.pending,
            r.migrated,
            r.failed.len(),
            r.state
        )
        .unwrap();
    }
    let failed_is_victim = broken.failed.len() == 1 && broken.failed[0].tenant_id == victim.id;
    writeln!(
        report,
        "\n- Targets: the additive run ≤ 60 s, the idle run ≤ 5 s. The sabotaged tenant was the only failure: **{failed_is_victim}**; \
         the rerun retried only it and migrated {} others.\n",
        rerun.migrated
    )
    .unwrap();

    // 4. Sizes and restart.
    let catalog_size: i64 =
        admin.query_one("SELECT pg_database_size($1)", &[&platform.catalog_db]).await.unwrap().get(0);
    let row = admin
        .query_one(
            "SELECT count(*), avg(pg_database_size(datname))::bigint, sum(pg_database_size(datname))::bigint \
             FROM pg_database WHERE datname LIKE 'tenant\\_%'",
            &[],
        )
        .await
        .unwrap();
    let (dbs, avg_size, total_size): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
    drop(admin);
    let _ = platform.catalog.connection().clone().close().await;
    let t = Instant::now();
    cluster.stop().unwrap();
    let stop_time = t.elapsed();
    let t = Instant::now();
    let _restarted = PgCluster::start(&config(cluster.port())).unwrap();
    let start_time = t.elapsed();
    writeln!(report, "## At {dbs} tenant databases\n").unwrap();
    writeln!(
        report,
        "| what | value |\n|---|---|\n\
         | catalog database | {:.1} MiB |\n\
         | disk per tenant database (average) | {:.2} MiB |\n\
         | all tenant databases | {:.2} GiB |\n\
         | Postgres fast shutdown | {:.2} s |\n\
         | Postgres start until it accepts connections | {:.2} s |\n\
         | tenant-plane worker memory per cached tenant (live heap growth over the cold pass ÷ {n}) | {:.1} KiB |\n\
         | the same from RSS (freed pages kept by the allocator hide most of it) | {:.1} KiB |\n",
        catalog_size as f64 / 1_048_576.0,
        avg_size as f64 / 1_048_576.0,
        total_size as f64 / 1_073_741_824.0,
        stop_time.as_secs_f64(),
        start_time.as_secs_f64(),
        heap_after.saturating_sub(heap_before) as f64 / n as f64,
        rss_after.saturating_sub(rss_before) as f64 / n as f64,
    )
    .unwrap();
    let out =
        std::env::var("BENCH_REPORT").unwrap_or_else(|_| format!("{}/../reports/scale.md", env!("CARGO_MANIFEST_DIR")));
    std::fs::write(&out, &report).unwrap();
    println!("{report}");
}
