#!/usr/bin/env bash
# Provisioning benchmark: BENCH_TENANTS (default 100) tenants against bare CREATE DATABASE,
# and template clone against migrations (BENCH_CLONES, default 20). Writes reports/provisioning.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/lib/install.sh
export TENANTRY_TEST_PG_DIR="${TENANTRY_TEST_PG_DIR:-/var/tmp/tenantry-bench-pg-$$}"
trap 'bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1); [ -f "$TENANTRY_TEST_PG_DIR/cluster/pgdata/postmaster.pid" ] && { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$bin/pg_ctl" -D "$TENANTRY_TEST_PG_DIR/cluster/pgdata" -m immediate -w stop; else "$bin/pg_ctl" -D "$TENANTRY_TEST_PG_DIR/cluster/pgdata" -m immediate -w stop; fi; } >/dev/null 2>&1; rm -rf "$TENANTRY_TEST_PG_DIR" "$TENANTRY_TEST_PG_DIR.lock"' EXIT
cargo run -q -p provisioner --features testing --example bench_provision
