#!/usr/bin/env bash
# Rotation under load: master-key rewrap, database-credential and signing-key rotation of every tenant while
# a load generator calls the tenant plane; counts requests, failures and 5xx (goal: 0 and 0).
# ROTATION_ROUNDS (default 20) sets the length. Writes reports/rotation.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/lib/install.sh --test
export TENANTRY_TEST_PG_DIR="${TENANTRY_TEST_PG_DIR:-/var/tmp/tenantry-rotation-pg-$$}"
trap 'scripts/lib/stop-test-clusters.sh "$TENANTRY_TEST_PG_DIR"' EXIT
mkdir -p reports
ROTATION_ROUNDS="${ROTATION_ROUNDS:-20}" ROTATION_REPORT="$PWD/reports/rotation.md" \
  cargo nextest run -p tenant-plane --no-fail-fast master_key_and_credential_rotation_under_load
cat reports/rotation.md
