#!/usr/bin/env bash
# Run every test: installs what is missing, then runs the workspace's tests with nextest
# against a throwaway Postgres cluster (started by the test-support crate, removed at the end),
# then the web apps' component tests and the browser end-to-end run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/lib/install.sh --test
# A clean clone (CI) gains nothing from incremental compilation, and its caches fill the disk.
[ "${CI:-}" = "true" ] && export CARGO_INCREMENTAL=0
export TENANTRY_TEST_PG_DIR="${TENANTRY_TEST_PG_DIR:-/var/tmp/tenantry-test-pg-$$}"
cleanup() {
  scripts/lib/stop-test-clusters.sh "$TENANTRY_TEST_PG_DIR"
  local bao_dir="$TENANTRY_TEST_PG_DIR.bao"
  [ -f "$bao_dir/pid" ] && kill "$(cat "$bao_dir/pid")" 2>/dev/null || true
  rm -rf "$bao_dir"
  # The logs are kept only when a run failed (for reading); a green run removes them.
  [ "${keep_logs:-}" = "1" ] || rm -rf "$TENANTRY_TEST_LOG_DIR"
}
trap cleanup EXIT
# Every test process logs JSON at debug level here and records the secrets it handled; after
# the run, no log line may contain any of them.
export TENANTRY_TEST_LOG_DIR="${TENANTRY_TEST_LOG_DIR:-$TENANTRY_TEST_PG_DIR.logs}"
rm -rf "$TENANTRY_TEST_LOG_DIR"; mkdir -p "$TENANTRY_TEST_LOG_DIR"
keep_logs=1
cargo nextest run --workspace --no-fail-fast "$@"
scripts/lib/scan-logs.sh "$TENANTRY_TEST_LOG_DIR"
keep_logs=0
# The console and the portal: type check and build, component tests, then the browser run
# against a throwaway platform serving them.
scripts/lib/web.sh
(cd web && npm test --silent)
cargo build --bins
scripts/e2e.sh
