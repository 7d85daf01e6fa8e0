#!/usr/bin/env bash
# End-to-end run of the console and the portal in the machine's Chromium.
#
# Expects a running platform with the web apps served:
#   control plane (console at /)         http://127.0.0.1:8080   TENANTRY_E2E_CONSOLE_URL
#   tenant plane (portal at each host)   http://<slug>.localhost:8081   TENANTRY_E2E_PORTAL_URL ({slug})
# and the first-run bootstrap token in a file:
#   TENANTRY_BOOTSTRAP_TOKEN_FILE=.tenantry/bootstrap.token
# (or, on a platform already set up, TENANTRY_E2E_OPERATOR_EMAIL and TENANTRY_E2E_OPERATOR_PASSWORD).
#
# TENANTRY_E2E_PREVIEW=1 serves web/dist itself with `vite preview` (console on :4173, portal on
# :4174, /v1 proxied to the planes on :8080/:8081) — for a platform whose planes do not serve
# the web apps yet.
#
# Screenshots: reports/screenshots/ (TENANTRY_E2E_SCREENSHOTS to change).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ -z "${TENANTRY_BOOTSTRAP_TOKEN_FILE:-}" && -z "${TENANTRY_E2E_OPERATOR_EMAIL:-}" ]]; then
  echo "set TENANTRY_BOOTSTRAP_TOKEN_FILE (fresh platform) or TENANTRY_E2E_OPERATOR_EMAIL/_PASSWORD" >&2
  exit 2
fi
if [[ -n "${TENANTRY_BOOTSTRAP_TOKEN_FILE:-}" ]]; then
  TENANTRY_BOOTSTRAP_TOKEN_FILE="$(realpath "$TENANTRY_BOOTSTRAP_TOKEN_FILE")"
  export TENANTRY_BOOTSTRAP_TOKEN_FILE
fi
CHROMIUM="${TENANTRY_E2E_CHROMIUM:-/usr/bin/chromium}"
if [[ ! -x "$CHROMIUM" ]]; then
  echo "no Chromium at $CHROMIUM: apt-get install -y chromium" >&2
  exit 2
fi
[[ -d node_modules ]] || npm ci --no-audit --no-fund

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

wait_for() { # url, what
  for _ in $(seq 1 100); do
    if curl -s -o /dev/null "$1"; then return 0; fi
    sleep 0.2
  done
  echo "$2 does not answer at $1" >&2
  exit 1
}

if [[ "${TENANTRY_E2E_PREVIEW:-0}" == 1 ]]; then
  [[ -f dist/console/index.html && -f dist/portal/index.html ]] || npm run build
  for port in 4173 4174; do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      echo "something already listens on 127.0.0.1:$port; stop it first" >&2
      exit 1
    fi
  done
  # node itself (not npx), so that the pid we keep is the server's and the trap stops it.
  node node_modules/vite/bin/vite.js preview --mode console >"${TMPDIR:-/tmp}/tenantry-e2e-console.log" 2>&1 &
  pids+=($!)
  node node_modules/vite/bin/vite.js preview --mode portal >"${TMPDIR:-/tmp}/tenantry-e2e-portal.log" 2>&1 &
  pids+=($!)
  export TENANTRY_E2E_CONSOLE_URL="http://127.0.0.1:4173"
  export TENANTRY_E2E_PORTAL_URL="http://{slug}.localhost:4174"
  wait_for "http://127.0.0.1:4173/" "the console preview"
  wait_for "http://127.0.0.1:4174/" "the portal preview"
fi

wait_for "${TENANTRY_E2E_CONSOLE_URL:-http://127.0.0.1:8080}/" "the console"
npx vitest run --config vitest.e2e.config.ts
