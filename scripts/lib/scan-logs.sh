#!/usr/bin/env bash
# Scans every test log line for every secret value the tests recorded (see
# test_support::record_secret). Fails, naming the log file, if any secret appears.
set -euo pipefail
dir="$1"
secrets=$(mktemp); trap 'rm -f "$secrets"' EXIT
cat "$dir"/*.secrets 2>/dev/null | sort -u > "$secrets" || true
# Passwords the tests type in (operators, tenant admins) are secrets too.
printf '%s\n' "correct horse battery staple" "test-bootstrap-token" >> "$secrets"
count=$(wc -l < "$secrets")
lines=$(cat "$dir"/*.log 2>/dev/null | wc -l)
if [ "$lines" -eq 0 ]; then
  echo "log scan: no test logs were written to $dir" >&2
  exit 1
fi
if grep -F -l -f "$secrets" "$dir"/*.log; then
  echo "log scan: a secret value appears in the test logs above" >&2
  exit 1
fi
echo "log scan: $lines log lines, $count secret values, no secret in any line"
