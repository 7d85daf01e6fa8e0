#!/usr/bin/env bash
# The browser end-to-end run: starts a throwaway platform (`tenantry dev` with its own data
# directory and ports, serving the built console and portal), drives it with Playwright in the
# machine's Chromium (web/e2e), and stops it. Screenshots land in reports/screenshots/.
# Expects the binaries built (cargo build --bins) and web/dist built (scripts/lib/web.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
data_dir=$(mktemp -d /var/tmp/tenantry-e2e.XXXXXX)
chmod 755 "$data_dir"  # the embedded Postgres runs as `postgres` when we are root
cp_port="${TENANTRY_E2E_CP_PORT:-18080}"; tp_port="${TENANTRY_E2E_TP_PORT:-18081}"; pg_port="${TENANTRY_E2E_PG_PORT:-54339}"
log="$data_dir/platform.log"
TENANTRY_DATA_DIR="$data_dir" "$target/debug/tenantry" dev \
  --pg-port "$pg_port" --control-plane-addr "127.0.0.1:$cp_port" --tenant-plane-addr "127.0.0.1:$tp_port" \
  >"$log" 2>&1 &
platform=$!
stop() {
  kill -TERM "$platform" 2>/dev/null || true
  wait "$platform" 2>/dev/null || true
  rm -rf "$data_dir"
}
trap stop EXIT
for _ in $(seq 1 300); do
  [ -s "$data_dir/bootstrap.token" ] && curl -sf -o /dev/null "http://127.0.0.1:$tp_port/health" && break
  if ! kill -0 "$platform" 2>/dev/null; then cat "$log" >&2; echo "the platform did not start" >&2; exit 1; fi
  sleep 0.2
done
curl -sf -o /dev/null "http://127.0.0.1:$cp_port/" || { echo "the control plane serves no console (web/dist built?)" >&2; exit 1; }
operator_email="ops-e2e@example.com" operator_password="e2e operator passphrase $RANDOM$RANDOM"
TENANTRY_BOOTSTRAP_TOKEN_FILE="$data_dir/bootstrap.token" \
TENANTRY_E2E_SETUP_EMAIL="$operator_email" TENANTRY_E2E_SETUP_PASSWORD="$operator_password" \
TENANTRY_E2E_CONSOLE_URL="http://127.0.0.1:$cp_port" \
TENANTRY_E2E_PORTAL_URL="http://{slug}.localhost:$tp_port" \
  web/e2e/run.sh

# The CI pipeline of deploy/ci against this platform: the operator mints a sandbox token; the
# pipeline brings a sandbox up with the CLI, smokes its API and tears it down.
cp="http://127.0.0.1:$cp_port"
session=$(curl -sSf "$cp/v1/auth/login" -H 'content-type: application/json' \
  -d "$(jq -nc --arg e "$operator_email" --arg p "$operator_password" '{email: $e, password: $p}')" | jq -r .token)
ci_token=$(curl -sSf "$cp/v1/api-tokens" -H "authorization: Bearer $session" -H 'content-type: application/json' \
  -d '{"name":"e2e pipeline","scope":"sandbox"}' | jq -r .token)
TENANTRY_API_URL="$cp" TENANTRY_API_TOKEN="$ci_token" TENANTRY_BIN="$target/debug/tenantry" TENANTRY_SANDBOX_TTL=10m \
  deploy/ci/sandbox-run.sh
left=$(TENANTRY_API_URL="$cp" TENANTRY_API_TOKEN="$ci_token" "$target/debug/tenantry" sandbox list --json | jq '.items | length')
[ "$left" = "0" ] || { echo "e2e: $left sandbox(es) left after the pipeline" >&2; exit 1; }
echo "e2e: the sandbox pipeline passed and left no sandbox"
