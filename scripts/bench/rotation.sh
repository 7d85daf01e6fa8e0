#!/usr/bin/env bash
# Rotation under load: master-key rewrap, database-credential and signing-key rotation of every tenant while
# a load generator calls the tenant plane; counts requests, failures and 5xx (goal: 0 and 0). Then a
# database server's admin password rotated again and again while tenants on it are served and new ones
# provisioned on it (goal: no failed request, no failed provisioning).
# ROTATION_ROUNDS (default 20) sets the length. Writes reports/rotation.md and
# reports/server-password-rotation.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
scripts/lib/install.sh --test
export TENANTRY_TEST_PG_DIR="${TENANTRY_TEST_PG_DIR:-/var/tmp/tenantry-rotation-pg-$$}"
trap 'scripts/lib/stop-test-clusters.sh "$TENANTRY_TEST_PG_DIR"' EXIT
mkdir -p reports
ROTATION_ROUNDS="${ROTATION_ROUNDS:-20}" ROTATION_REPORT="$PWD/reports/rotation.md" \
  ROTATION_SERVER_REPORT="$PWD/reports/server-password-rotation.md" \
  cargo nextest run -p tenant-plane --no-fail-fast -E \
  'test(master_key_and_credential_rotation_under_load) | test(rotating_a_servers_admin_password_under_load)'
cat reports/rotation.md reports/server-password-rotation.md
