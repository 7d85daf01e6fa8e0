//! Percentiles, report rows and the process's resident memory.

use std::time::Duration;

pub fn pct(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let idx = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples[idx].as_secs_f64() * 1000.0
}

pub fn row(name: &str, samples: &mut [Duration]) -> String {
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

pub fn vm_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}
