#!/usr/bin/env bash
# Runs a command against a fresh Tenantry sandbox and removes the sandbox afterwards, whatever
# the command does. For CI pipelines (see github-actions.yml next to this file).
#
#   TENANTRY_API_URL=https://control.example.com TENANTRY_API_TOKEN=tnt_… \
#     deploy/ci/sandbox-run.sh [command …]        # default command: deploy/ci/api-smoke.sh
#
# The command sees the sandbox in its environment:
#   TENANTRY_SANDBOX_SLUG, TENANTRY_SANDBOX_URL (the tenant's base URL), TENANTRY_SANDBOX_API_KEY
#   (send as x-api-key), TENANTRY_SANDBOX_ADMIN_EMAIL, TENANTRY_SANDBOX_ADMIN_PASSWORD.
# Settings: TENANTRY_BIN (the tenantry CLI; default `tenantry` on PATH), TENANTRY_SANDBOX_TTL
# (30m; the platform removes it then even if this script is killed), TENANTRY_SANDBOX_LABEL.
# The API token needs only the `sandbox` scope (console → API tokens, or POST /v1/api-tokens).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
: "${TENANTRY_API_URL:?set TENANTRY_API_URL to the control plane}"
: "${TENANTRY_API_TOKEN:?set TENANTRY_API_TOKEN to a sandbox API token}"
export TENANTRY_API_URL TENANTRY_API_TOKEN
bin="${TENANTRY_BIN:-tenantry}"
command -v jq >/dev/null || { echo "sandbox-run: jq is required" >&2; exit 2; }
[ $# -gt 0 ] || set -- "$here/api-smoke.sh"

label="${TENANTRY_SANDBOX_LABEL:-${GITHUB_RUN_ID:-ci}-$$}"
sandbox=$("$bin" sandbox up --ttl "${TENANTRY_SANDBOX_TTL:-30m}" --label "$label" --json)
slug=$(jq -r .slug <<<"$sandbox")
down() {
  "$bin" sandbox down "$slug" --json >/dev/null && echo "sandbox $slug removed" >&2 ||
    echo "sandbox $slug could not be removed now; it expires on its own" >&2
}
trap down EXIT
echo "sandbox $slug is up at $(jq -r .url <<<"$sandbox") until $(jq -r .expiresAt <<<"$sandbox")" >&2

TENANTRY_SANDBOX_SLUG="$slug" \
TENANTRY_SANDBOX_URL=$(jq -r .url <<<"$sandbox") \
TENANTRY_SANDBOX_API_KEY=$(jq -r .apiKey <<<"$sandbox") \
TENANTRY_SANDBOX_ADMIN_EMAIL=$(jq -r .admin.email <<<"$sandbox") \
TENANTRY_SANDBOX_ADMIN_PASSWORD=$(jq -r .admin.password <<<"$sandbox") \
  "$@"
