#!/usr/bin/env bash
# Provisioning benchmark: BENCH_TENANTS (default 100) tenants against bare CREATE DATABASE,
# and template clone against migrations (BENCH_CLONES, default 20). Writes reports/provisioning.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/lib/install.sh
export TENANTRY_TEST_PG_DIR="${TENANTRY_TEST_PG_DIR:-/var/tmp/tenantry-bench-pg-$$}"
trap 'scripts/lib/stop-test-clusters.sh "$TENANTRY_TEST_PG_DIR"' EXIT
cargo run -q -p provisioner --features testing --example bench_provision
