#!/usr/bin/env bash
# Run the platform locally with embedded defaults: a private Postgres cluster in .tenantry/,
# a generated development master key, control plane on :8080, tenant plane on :8081.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/lib/install.sh
cargo build --bins
scripts/lib/web.sh   # the console (served at :8080) and the portal (at every tenant host)
exec "${CARGO_TARGET_DIR:-target}/debug/tenantry" dev "$@"
