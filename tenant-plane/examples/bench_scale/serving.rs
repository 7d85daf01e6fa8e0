//! Phase 2: serving every tenant from one worker under `wrk` against `pgbench`, cold first
//! requests, and 100 concurrent first requests to one cold tenant.

use std::{
    fmt::Write as _,
    num::NonZeroUsize,
    process::Command,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicI64, Ordering},
    },
    time::{Duration, Instant},
};

use domain::TenantId;
use provisioner::{
    Actor,
    testing::{tenant_request, unique_slug},
};

use crate::{
    Bench, live_heap_kib,
    load::{WARM_UP_SECS, measure, tenant_targets, warm_loads, wrk, wrk_row},
    pg_bin,
    stats::{pct, vm_rss_kib},
    worker::{BASE_DOMAIN, BUDGET, POOL_MAX, start_worker, tenant_backends},
};

/// The report's section, and the worker's memory per cached tenant (live heap, RSS; KiB).
pub struct Serving {
    pub report: String,
    pub heap_kib_per_tenant: f64,
    pub rss_kib_per_tenant: f64,
}

/// Serves the tenants `slugs` from one worker.
pub async fn serve(bench: &Bench, slugs: &[String]) -> Serving {
    let Bench { n, load_secs, platform, admin, admin_url, cluster, http } = bench;
    let (n, load_secs) = (*n, *load_secs);
    let provisioner = platform.provisioner();
    let mut report = String::new();
    let paths: Vec<String> = slugs.iter().map(|s| format!("/t/{s}/v1/tenant")).collect();
    // Cold first requests: a fresh worker, every tenant once.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let worker = start_worker(platform, None).await;
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
    let backends_after_cold = tenant_backends(admin).await;

    let by_host = tenant_targets(slugs, true);
    let hot = std::cmp::min(50, by_host.len());
    let (baseline, warm) = warm_loads(&worker, admin_url, &by_host, hot, load_secs).await;
    // The same warm tenants named by the path instead (the router matches `/t/{slug}` first).
    let warm_by_path = measure(&worker, admin_url, &tenant_targets(&slugs[..hot], false), "rr", load_secs).await;
    let zipf = measure(&worker, admin_url, &by_host, "zipf", load_secs).await;
    let rr = measure(&worker, admin_url, &by_host, "rr", load_secs).await;
    // The worker's HTTP ceiling on this machine: the same load on an endpoint with no tenant
    // and no database (how much of it the tenant path leaves).
    let http_only = wrk(&worker.url, &[(String::new(), "/health".to_owned())], "one", load_secs, 32);

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

    // The same two loads from a worker with one HTTP thread: on two cores shared with Postgres
    // and wrk, fewer threads can serve more.
    let one_thread = start_worker(platform, NonZeroUsize::new(1)).await;
    let (baseline_one, warm_one) = warm_loads(&one_thread, admin_url, &by_host, hot, load_secs).await;
    one_thread.shutdown().await;

    // pgbench -S -M prepared on the same server, same client count.
    admin.batch_execute("CREATE DATABASE pgbench_bench").await.unwrap();
    let port = cluster.port().to_string();
    let password = url::Url::parse(admin_url).unwrap().password().unwrap().to_owned();
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
        "One tenant-plane worker with one HTTP worker thread per core (actix's default; the rows saying so: one thread), \
         connection budget {BUDGET} (of the server's 100), pool max {POOL_MAX} per tenant; `wrk -t2 -c32 -d{load_secs}s` \
         on `GET /v1/tenant` with the tenant named by the host, `<slug>.{BASE_DOMAIN}` (host routing, the production default; \
         one row names it by the path, `/t/<slug>/v1/tenant`): route cache → tenant pool → one query in the tenant's database \
         → JSON. The single \
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
    report.push_str(&wrk_row("single tenant (baseline: one pool)", &baseline));
    report.push_str(&wrk_row(&format!("{hot} warm tenants, round-robin"), &warm));
    report.push_str(&wrk_row(&format!("{hot} warm tenants, named by the path instead"), &warm_by_path));
    report.push_str(&wrk_row(&format!("all {n}, Zipf (s = 1.1)"), &zipf));
    report.push_str(&wrk_row(&format!("all {n}, round-robin"), &rr));
    report.push_str(&wrk_row("single tenant, one HTTP worker thread", &baseline_one));
    report.push_str(&wrk_row(&format!("{hot} warm tenants, one HTTP worker thread"), &warm_one));
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
         - With one HTTP worker thread: warm ÷ single **{:.2}**; single ÷ pgbench **{:.2}**; warm ÷ pgbench **{:.2}**; warm, one thread ÷ warm, {} threads: {:.2}.\n\
         - Zipf ÷ baseline: {:.2}; round-robin over all ÷ baseline: {:.2}.\n\
         - HTTP only ÷ pgbench: {:.2} (the worker's ceiling with no tenant work at all); single tenant ÷ HTTP only: {:.2}.\n\
         - Cold first request per tenant (fresh worker, each tenant once, sequential): {} — p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {cold_failures} failures; \
         {backends_after_cold} tenant backends open afterwards (budget {BUDGET}).\n\
         - 100 concurrent first requests to one cold tenant: {burst_ok}/100 answered 200 in {:.0} ms; at most **{}** connection(s) of its role on the server (pool max {POOL_MAX}).\n",
        warm.rps() / baseline.rps(),
        baseline.rps() / pgbench_tps,
        warm.rps() / pgbench_tps,
        warm_one.rps() / baseline_one.rps(),
        baseline_one.rps() / pgbench_tps,
        warm_one.rps() / pgbench_tps,
        std::thread::available_parallelism().map_or(0, NonZeroUsize::get),
        warm_one.rps() / warm.rps(),
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
    Serving {
        report,
        heap_kib_per_tenant: heap_after.saturating_sub(heap_before) as f64 / n as f64,
        rss_kib_per_tenant: rss_after.saturating_sub(rss_before) as f64 / n as f64,
    }
}
