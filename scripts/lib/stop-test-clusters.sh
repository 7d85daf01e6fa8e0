#!/usr/bin/env bash
# Stops every Postgres cluster the test-support crate started under $1 (the main one in
# cluster/ and the extra ones in extra-*/cluster/) and removes the folder with its lock files.
dir="$1"
[ -n "$dir" ] || exit 0
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
pg_ctl="${TENANTRY_PG_BIN:-$bin}/pg_ctl"
for pgdata in "$dir"/cluster/pgdata "$dir"/extra-*/cluster/pgdata; do
  [ -f "$pgdata/postmaster.pid" ] || continue
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  else
    "$pg_ctl" -D "$pgdata" -m immediate -w stop >/dev/null 2>&1 || true
  fi
done
rm -rf "$dir" "$dir.lock"
