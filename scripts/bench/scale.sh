#!/usr/bin/env bash
# The 1,000-tenant benchmark: provisioning against bare CREATE DATABASE, ready-means-ready,
# serving every tenant from one worker under wrk (round-robin, Zipf, warm, single-tenant
# baseline) against pgbench, cold first requests, a 100-request burst at one cold tenant,
# fleet migrations, sizes and restart time. On a private cluster with max_connections = 100.
# Writes reports/scale.md. BENCH_TENANTS (1000) and BENCH_LOAD_SECS (15) scale it down.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/lib/install.sh
command -v wrk >/dev/null || {
  SUDO=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends wrk
}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/tenantry-target}"
export BENCH_PG_DIR="${BENCH_PG_DIR:-/var/tmp/tenantry-scale-pg-$$}"
cleanup() {
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
  if [ -f "$BENCH_PG_DIR/pgdata/postmaster.pid" ]; then
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$BENCH_PG_DIR/pgdata" -m immediate -w stop
    else "$bin/pg_ctl" -D "$BENCH_PG_DIR/pgdata" -m immediate -w stop; fi >/dev/null 2>&1 || true
  fi
  rm -rf "$BENCH_PG_DIR"
}
trap cleanup EXIT
mkdir -p "$BENCH_PG_DIR"; chmod 755 "$BENCH_PG_DIR"
# 1,000 tenant databases take ≈ 8 GiB (≈ 8 MiB each); refuse early rather than fail at tenant 300.
need_kib=$(( ${BENCH_TENANTS:-1000} * 10 * 1024 + 2 * 1024 * 1024 ))
free_kib=$(df -Pk "$BENCH_PG_DIR" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "scale.sh: $((free_kib / 1024)) MiB free under $BENCH_PG_DIR, need $((need_kib / 1024)) MiB" >&2
  exit 1
fi
# A file-descriptor limit for 1,000 databases' worth of connections and files.
ulimit -n 65536 2>/dev/null || true
cargo run -q --release -p tenant-plane --example bench_scale
