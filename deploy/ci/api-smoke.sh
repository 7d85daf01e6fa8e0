#!/usr/bin/env bash
# A smoke test of one tenant's API with curl: health, the API key, the admin's sign-in and
# session, users, invitations, an API key made and revoked, the audit log. Run by
# sandbox-run.sh (which sets the TENANTRY_SANDBOX_* variables) or by hand against any tenant.
set -euo pipefail
url="${TENANTRY_SANDBOX_URL:?}"; key="${TENANTRY_SANDBOX_API_KEY:?}"
email="${TENANTRY_SANDBOX_ADMIN_EMAIL:?}"; password="${TENANTRY_SANDBOX_ADMIN_PASSWORD:?}"

# call METHOD PATH EXPECTED_STATUS [JSON] [HEADER]: prints the body; fails on another status.
call() {
  local method=$1 path=$2 expected=$3 body=${4:-} header=${5:-} out status
  out=$(mktemp)
  local args=(-sS -o "$out" -w '%{http_code}' -X "$method" "$url$path")
  [ -n "$body" ] && args+=(-H 'content-type: application/json' --data "$body")
  [ -n "$header" ] && args+=(-H "$header")
  status=$(curl "${args[@]}")
  if [ "$status" != "$expected" ]; then
    echo "api-smoke: $method $path answered $status, expected $expected: $(cat "$out")" >&2
    rm -f "$out"; exit 1
  fi
  cat "$out"; rm -f "$out"
}
step() { printf 'api-smoke: %s\n' "$1" >&2; }

step "health";                 call GET /health 200 >/dev/null
step "the API key reads users"; call GET /v1/users 200 '' "x-api-key: $key" | jq -e '.items | length == 1' >/dev/null
step "a wrong key is refused";  call GET /v1/users 401 '' "x-api-key: ${key%?}x" >/dev/null
step "the admin signs in"
token=$(call POST /v1/auth/login 200 "$(jq -nc --arg e "$email" --arg p "$password" '{email: $e, password: $p}')" | jq -r .accessToken)
step "who am I";               call GET /v1/me 200 '' "authorization: Bearer $token" | jq -e --arg e "$email" '.email == $e' >/dev/null
step "invite a user"
call POST /v1/invitations 201 '{"email":"qa@example.com","role":"staff"}' "authorization: Bearer $token" >/dev/null
step "make and revoke an API key"
id=$(call POST /v1/api-keys 201 '{"name":"smoke","scopes":["users.read"]}' "authorization: Bearer $token" | jq -r .id)
call DELETE "/v1/api-keys/$id" 204 '' "authorization: Bearer $token" >/dev/null
step "the audit log has it";   call GET /v1/audit-logs 200 '' "authorization: Bearer $token" | jq -e '[.items[].action] | index("api_key.revoked") != null' >/dev/null
step "passed"
