//! Phase 1: provisioning N tenants against a bare `CREATE DATABASE`, and the first API call to
//! each as soon as provisioning returns.

use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

use provisioner::{
    Actor,
    testing::{tenant_request, unique_slug},
};

use crate::{
    Bench,
    stats::{pct, row},
    worker::start_worker,
};

/// Provisions `bench.n` tenants; returns the report's section and the tenants' slugs.
pub async fn provision(bench: &Bench) -> (String, Vec<String>) {
    let Bench { n, platform, admin, http, .. } = bench;
    let n = *n;
    let provisioner = platform.provisioner();
    let mut report = String::new();
    let worker = start_worker(platform, None).await;
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
    (report, slugs)
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
