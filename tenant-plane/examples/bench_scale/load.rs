//! Load from `wrk` and its results.

use std::{fmt::Write as _, process::Command, sync::atomic::Ordering};

use tenant_plane::PoolStats;

use crate::worker::{BASE_DOMAIN, Worker, sample_backends};

#[derive(Debug, Default)]
pub struct WrkResult {
    pub requests: u64,
    pub seconds: f64,
    pub errors: u64,
    pub non2xx: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

impl WrkResult {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
}

/// Uncounted load before the single-tenant and warm-tenant runs.
pub const WARM_UP_SECS: u64 = 3;

/// What a request asks for: its `Host` header (empty: the server's address, as wrk sends) and
/// its path.
pub type Target = (String, String);

/// `GET /v1/tenant` of each of `slugs`, the tenant named by the host (`<slug>.bench.test`, host
/// routing, the production default) or by the path (`/t/<slug>/v1/tenant`).
pub fn tenant_targets(slugs: &[String], by_host: bool) -> Vec<Target> {
    slugs
        .iter()
        .map(|slug| match by_host {
            true => (format!("{slug}.{BASE_DOMAIN}"), "/v1/tenant".to_owned()),
            false => (String::new(), format!("/t/{slug}/v1/tenant")),
        })
        .collect()
}

/// Runs wrk against `base` with targets chosen by `mode` (`one`, `rr`, `zipf`) from `targets`.
pub fn wrk(base: &str, targets: &[Target], mode: &str, seconds: u64, connections: u32) -> WrkResult {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("load.lua");
    let mut lua = String::from("local paths = {\n");
    for (host, path) in targets {
        writeln!(lua, "  {{{host:?}, {path:?}}},").unwrap();
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
  local host, path = paths[i][1], paths[i][2]
  if host == "" then return wrk.format("GET", path) end
  return wrk.format("GET", path, {{ Host = host }})
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

/// A measured load, with the most tenant backends the server had meanwhile and the worker's
/// pool counters before and after.
pub struct Measured {
    pub load: WrkResult,
    pub backends: i64,
    pub pools: (PoolStats, PoolStats),
}

impl Measured {
    pub fn rps(&self) -> f64 {
        self.load.rps()
    }
}

/// `wrk` against `worker` (see [`wrk`]), 32 connections, sampling the server's backends.
pub async fn measure(worker: &Worker, admin_url: &str, targets: &[Target], mode: &str, seconds: u64) -> Measured {
    let (stop, sampler) = sample_backends(admin_url.to_owned());
    let before = worker.state.pool_stats();
    let load = wrk(&worker.url, targets, mode, seconds, 32);
    let pools = (before, worker.state.pool_stats());
    stop.store(true, Ordering::SeqCst);
    Measured { load, backends: sampler.await.unwrap(), pools }
}

/// The two loads the targets compare, the single tenant (`targets[0]`) and the `hot` first
/// tenants round-robin, each measured warm: after an uncounted run longer than the pools'
/// active window, so neither pays for the previous load's connections.
pub async fn warm_loads(
    worker: &Worker,
    admin_url: &str,
    targets: &[Target],
    hot: usize,
    seconds: u64,
) -> (Measured, Measured) {
    let _ = wrk(&worker.url, &targets[..1], "one", WARM_UP_SECS, 32);
    let single = measure(worker, admin_url, &targets[..1], "one", seconds).await;
    let _ = wrk(&worker.url, &targets[..hot], "rr", WARM_UP_SECS, 32);
    let warm = measure(worker, admin_url, &targets[..hot], "rr", seconds).await;
    (single, warm)
}

pub fn wrk_row(name: &str, measured: &Measured) -> String {
    let Measured { load: r, backends, pools: (before, after) } = measured;
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
