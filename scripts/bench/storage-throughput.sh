#!/usr/bin/env bash
# Storage throughput (issue 4, "Measure"): upload and download of 1 MiB and 64 MiB objects through
# the tenant plane (PUT/GET /v1/files/{key}) against directly to the backend, per backend (local,
# s3 = s3s-fs, azure = Azurite), alternating the two paths in one run, reported as ratios.
# Writes reports/storage-throughput.md (regenerated on each run).
#
#   scripts/bench/storage-throughput.sh
#
# Settings (environment):
#   TENANTRY_BENCH_NO_BUILD=1   use the release binaries already in $CARGO_TARGET_DIR/release
#   CARGO_TARGET_DIR            default /var/tmp/tenantry-target
#   BENCH_BACKENDS              default "local s3 azure"
#   BENCH_REPS_SMALL            repetitions for 1 MiB (default 20)
#   BENCH_REPS_LARGE            repetitions for 64 MiB (default 5)
#   BENCH_REPORT                default reports/storage-throughput.md
#   TENANTRY_S3S_BIN, TENANTRY_AZURITE_BIN   as for the tests (scripts/lib/install.sh --test)
#
# Each backend gets its own throwaway `tenantry dev` (own data dir, Postgres and ports, all free
# loopback ports picked at start); everything this script starts is stopped on exit.
# About 1.5 minutes on a 2-core machine once the release binaries are built (a cold release build
# of the workspace took 32 minutes there).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

target="${CARGO_TARGET_DIR:-/var/tmp/tenantry-target}"
backends="${BENCH_BACKENDS:-local s3 azure}"
reps_small="${BENCH_REPS_SMALL:-20}"
reps_large="${BENCH_REPS_LARGE:-5}"
report="${BENCH_REPORT:-reports/storage-throughput.md}"
s3s_bin="${TENANTRY_S3S_BIN:-/var/tmp/tenantry-s3s/bin/s3s-fs}"
azurite_bin="${TENANTRY_AZURITE_BIN:-/var/tmp/tenantry-azurite/node_modules/.bin/azurite-blob}"
# Azurite's well-known development account and key (published by Microsoft; not a secret).
az_account=devstoreaccount1
az_key='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

for tool in curl openssl python3 sha256sum dd; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done
if [ ! -x "$s3s_bin" ] || [ ! -x "$azurite_bin" ]; then
  log "s3s-fs or Azurite missing: scripts/lib/install.sh --test"
  scripts/lib/install.sh --test
fi

if [ "${TENANTRY_BENCH_NO_BUILD:-}" != 1 ]; then
  log "building release binaries into $target"
  CARGO_TARGET_DIR="$target" cargo build --release --bins
fi
bin="$target/release"
started=$SECONDS # the measurement, without the build
for b in tenantry control-plane tenant-plane; do
  [ -x "$bin/$b" ] || die "$bin/$b is missing (build with CARGO_TARGET_DIR=$target cargo build --release --bins)"
done

# ---------------------------------------------------------------------------------------------
# Processes and clean-up
work=$(mktemp -d /var/tmp/tenantry-bench-storage.XXXXXX)
chmod 755 "$work" # the embedded Postgres runs as `postgres` when we are root
declare -A pids=() # name -> pid of what we started
ports_used=()

stop_one() { # name: SIGTERM, wait (up to 60 s), then SIGKILL
  local name=$1 pid=${pids[$1]:-}
  [ -n "$pid" ] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name ($pid) did not stop on SIGTERM; SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
  unset "pids[$name]"
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for name in "${!pids[@]}"; do stop_one "$name"; done
  rm -rf "$work"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_ports() { # n: n distinct free loopback ports
  python3 - "$1" <<'EOF'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
EOF
}
wait_port() { # port name pid
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$3" 2>/dev/null || die "$2 exited during start-up"
    sleep 0.1
  done
  die "$2 did not listen on $1 in 30 s"
}
json() { # field: reads JSON on stdin, prints one field (dotted path)
  python3 -c 'import json,sys
v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[k]
print(v if not isinstance(v,(dict,list)) else json.dumps(v))' "$1"
}
ticks() { # pid: user + system CPU time in clock ticks (0 without a pid)
  [ -n "$1" ] || { echo 0; return; }
  local st
  read -r -a st <"/proc/$1/stat"
  echo $((st[13] + st[14]))
}
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# Test data: incompressible random bytes, shared by every backend.
small=$((1024 * 1024)); large=$((64 * 1024 * 1024))
head -c "$small" /dev/urandom >"$work/data-1MiB"
head -c "$large" /dev/urandom >"$work/data-64MiB"
declare -A sha=([1MiB]=$(sha256sum "$work/data-1MiB" | cut -c1-64) [64MiB]=$(sha256sum "$work/data-64MiB" | cut -c1-64))
declare -A bytes=([1MiB]=$small [64MiB]=$large)
results="$work/results.tsv" # backend size path op rep seconds tenant-plane-ticks server-ticks
: >"$results"
notes="$work/notes.md"
: >"$notes"

# ---------------------------------------------------------------------------------------------
# One backend: its server (if any), a platform, a tenant; then the alternating measurements.
run_backend() {
  local backend=$1 dir="$work/$1"
  mkdir -p "$dir"
  chmod 755 "$dir"
  local pg cp tp bp
  read -r pg cp tp bp <<<"$(free_ports 4)"
  local -a envs=(TENANTRY_API_RATE_LIMIT=1000000/60 TENANTRY_AUTH_RATE_PER_MINUTE=60)
  local s3_key="" s3_secret="" s3_bucket=tenantry sas=""
  case $backend in
    local)
      envs+=(TENANTRY_STORAGE=local "TENANTRY_STORAGE_DIR=$dir/storage")
      mkdir -p "$dir/direct"
      ;;
    s3)
      s3_key="bench-$(openssl rand -hex 4)"; s3_secret=$(openssl rand -hex 24)
      mkdir -p "$dir/s3/$s3_bucket" # s3s-fs keeps each bucket as a folder
      "$s3s_bin" --host 127.0.0.1 --port "$bp" --access-key "$s3_key" --secret-key "$s3_secret" "$dir/s3" \
        >"$dir/s3s-fs.log" 2>&1 &
      pids[s3s-fs]=$!
      wait_port "$bp" s3s-fs "${pids[s3s-fs]}"
      envs+=(TENANTRY_STORAGE=s3 "TENANTRY_S3_ENDPOINT=http://127.0.0.1:$bp" "TENANTRY_S3_BUCKET=$s3_bucket"
        "TENANTRY_S3_ACCESS_KEY_ID=$s3_key" "TENANTRY_S3_SECRET_ACCESS_KEY=$s3_secret" TENANTRY_S3_PATH_STYLE=true)
      ;;
    azure)
      "$azurite_bin" --blobHost 127.0.0.1 --blobPort "$bp" --location "$dir/azurite" \
        --disableTelemetry --skipApiVersionCheck --silent --loose >"$dir/azurite.log" 2>&1 &
      pids[azurite]=$!
      wait_port "$bp" Azurite "${pids[azurite]}"
      envs+=(TENANTRY_STORAGE=azure "TENANTRY_AZURE_ENDPOINT=http://127.0.0.1:$bp/$az_account"
        "TENANTRY_AZURE_ACCOUNT=$az_account" "TENANTRY_AZURE_KEY=$az_key")
      # An account SAS (blob service; service, container, object; read/write/delete/list/add/create),
      # signed with the account key, for the direct path.
      local sv=2019-12-12 se sp=rwdlac hexkey sig
      se=$(date -u -d '+6 hours' +%Y-%m-%dT%H:%M:%SZ)
      hexkey=$(printf %s "$az_key" | base64 -d | od -An -v -tx1 | tr -d ' \n')
      sig=$(printf '%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n' "$az_account" "$sp" b sco "" "$se" "" http "$sv" |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | base64 -w0)
      sig=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$sig")
      sas="sv=$sv&ss=b&srt=sco&sp=$sp&se=$se&spr=http&sig=$sig"
      local code
      code=$(curl -sS -o "$dir/container.out" -w '%{http_code}' -X PUT -H 'content-length: 0' \
        "http://127.0.0.1:$bp/$az_account/bench-direct?restype=container&$sas")
      [ "$code" = 201 ] || die "azure: create container bench-direct: $code $(cat "$dir/container.out")"
      # The SAS must actually be checked: without it, a read is refused.
      code=$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$bp/$az_account/bench-direct?restype=container")
      [ "$code" = 403 ] || [ "$code" = 401 ] || [ "$code" = 404 ] || die "azure: unauthenticated request answered $code"
      ;;
  esac
  ports_used+=("$pg" "$cp" "$tp" "$bp")

  log "$backend: starting tenantry dev (pg $pg, control plane $cp, tenant plane $tp)"
  mkdir -p "$dir/platform" && chmod 755 "$dir/platform"
  env "${envs[@]}" TENANTRY_DATA_DIR="$dir/platform" "$bin/tenantry" dev --pg-port "$pg" \
    --control-plane-addr "127.0.0.1:$cp" --tenant-plane-addr "127.0.0.1:$tp" >"$dir/platform.log" 2>&1 &
  pids[platform]=$!
  local ready=""
  for _ in $(seq 1 600); do
    if [ -s "$dir/platform/bootstrap.token" ] && curl -sf -o /dev/null "http://127.0.0.1:$tp/health"; then ready=1; break; fi
    kill -0 "${pids[platform]}" 2>/dev/null || { cat "$dir/platform.log" >&2; die "$backend: the platform exited"; }
    sleep 0.2
  done
  [ -n "$ready" ] || { cat "$dir/platform.log" >&2; die "$backend: the platform did not start in 120 s"; }

  local cpu="http://127.0.0.1:$cp" op_pass owner_pass op_token
  op_pass=$(openssl rand -hex 16); owner_pass=$(openssl rand -hex 16)
  curl -sS -f -o /dev/null "$cpu/v1/bootstrap" -H 'content-type: application/json' \
    -d "{\"token\":\"$(tr -d '\n' <"$dir/platform/bootstrap.token")\",\"email\":\"ops@bench.example\",\"password\":\"$op_pass\"}" ||
    die "$backend: bootstrap"
  op_token=$(curl -sS -f "$cpu/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"ops@bench.example\",\"password\":\"$op_pass\"}" | json token) || die "$backend: operator login"
  local code
  code=$(curl -sS -o "$dir/tenant.json" -w '%{http_code}' "$cpu/v1/tenants" -H "authorization: Bearer $op_token" \
    -H 'content-type: application/json' \
    -d "{\"slug\":\"bench\",\"displayName\":\"Bench\",\"plan\":\"standard\",\"admin\":{\"email\":\"owner@bench.example\",\"password\":\"$owner_pass\"}}")
  [ "$code" = 201 ] || die "$backend: create tenant: $code $(cat "$dir/tenant.json")"

  local tpu="http://bench.localhost:$tp" token=""
  login() {
    local body
    for _ in $(seq 1 50); do
      body=$(curl -sS "$tpu/v1/auth/login" -H 'content-type: application/json' \
        -d "{\"email\":\"owner@bench.example\",\"password\":\"$owner_pass\"}") || true
      token=$(printf %s "$body" | json accessToken 2>/dev/null) && [ -n "$token" ] && return 0
      sleep 0.2
    done
    die "$backend: tenant owner login: $body"
  }
  login
  local storage_json
  storage_json=$(curl -sS -f "$tpu/v1/storage" -H "authorization: Bearer $token") || die "$backend: GET /v1/storage"
  printf -- '- `%s`: `GET /v1/storage` → `%s`\n' "$backend" "$storage_json" >>"$notes"

  # --- one operation on one path; prints seconds. $5: output file for downloads (/dev/null).
  through_up() { # name file
    local out code t
    out=$(curl -sS -o "$dir/resp.json" -w '%{http_code} %{time_total}' -T "$2" \
      -H 'content-type: application/octet-stream' -H "authorization: Bearer $token" "$tpu/v1/files/bench/$1") ||
      die "$backend: through upload $1: curl failed"
    read -r code t <<<"$out"
    case $code in 200 | 201) ;; *) die "$backend: through upload $1: $code $(cat "$dir/resp.json")" ;; esac
    echo "$t"
  }
  through_down() { # name out
    local out code t
    out=$(curl -sS -o "$2" -w '%{http_code} %{time_total}' -H "authorization: Bearer $token" "$tpu/v1/files/bench/$1") ||
      die "$backend: through download $1: curl failed"
    read -r code t <<<"$out"
    [ "$code" = 200 ] || die "$backend: through download $1: $code"
    echo "$t"
  }
  direct_up() { # name file
    local out code t t0 t1
    case $backend in
      local)
        t0=$EPOCHREALTIME
        dd if="$2" of="$dir/direct/.tmp-$1" bs=1M conv=fsync status=none
        mv "$dir/direct/.tmp-$1" "$dir/direct/$1"
        sync "$dir/direct"
        t1=$EPOCHREALTIME
        elapsed "$t0" "$t1"; echo
        return
        ;;
      s3)
        out=$(curl -sS -o "$dir/resp.out" -w '%{http_code} %{time_total}' -T "$2" \
          --aws-sigv4 "aws:amz:us-east-1:s3" --user "$s3_key:$s3_secret" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
          -H 'content-type: application/octet-stream' "http://127.0.0.1:$bp/$s3_bucket/bench-direct/$1") ||
          die "s3: direct upload: curl failed"
        read -r code t <<<"$out"
        [ "$code" = 200 ] || die "s3: direct upload $1: $code $(cat "$dir/resp.out")"
        ;;
      azure)
        out=$(curl -sS -o "$dir/resp.out" -w '%{http_code} %{time_total}' -T "$2" -H 'x-ms-blob-type: BlockBlob' \
          -H 'content-type: application/octet-stream' "http://127.0.0.1:$bp/$az_account/bench-direct/$1?$sas") ||
          die "azure: direct upload: curl failed"
        read -r code t <<<"$out"
        [ "$code" = 201 ] || die "azure: direct upload $1: $code $(cat "$dir/resp.out")"
        ;;
    esac
    echo "$t"
  }
  direct_down() { # name out
    local out code t t0 t1
    case $backend in
      local)
        t0=$EPOCHREALTIME
        dd if="$dir/direct/$1" of="$2" bs=1M status=none
        t1=$EPOCHREALTIME
        elapsed "$t0" "$t1"; echo
        return
        ;;
      s3)
        out=$(curl -sS -o "$2" -w '%{http_code} %{time_total}' --aws-sigv4 "aws:amz:us-east-1:s3" \
          --user "$s3_key:$s3_secret" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' \
          "http://127.0.0.1:$bp/$s3_bucket/bench-direct/$1") || die "s3: direct download: curl failed"
        ;;
      azure)
        out=$(curl -sS -o "$2" -w '%{http_code} %{time_total}' "http://127.0.0.1:$bp/$az_account/bench-direct/$1?$sas") ||
          die "azure: direct download: curl failed"
        ;;
    esac
    read -r code t <<<"$out"
    [ "$code" = 200 ] || die "$backend: direct download $1: $code"
    echo "$t"
  }

  # CPU time (clock ticks) of the tenant plane and of the backend's server around each operation.
  local tpp srv=""
  tpp=$(pgrep -P "${pids[platform]}" -x tenant-plane | head -n1)
  [ -n "$tpp" ] || die "$backend: no tenant-plane process under tenantry dev"
  case $backend in s3) srv=${pids[s3s-fs]} ;; azure) srv=${pids[azurite]} ;; esac
  local size reps rep order op p t name file c0 c1 s0 s1
  for size in 1MiB 64MiB; do
    if [ "$size" = 1MiB ]; then reps=$reps_small; else reps=$reps_large; fi
    name="object-$size"; file="$work/data-$size"
    login # a fresh access token (15 minutes) per size
    # Warm-up round, not recorded: each path once, downloads to a file, SHA-256 checked.
    through_up "$name" "$file" >/dev/null
    [ "$(json sha256 <"$dir/resp.json")" = "${sha[$size]}" ] || die "$backend $size: the upload's sha256 differs"
    direct_up "$name" "$file" >/dev/null
    through_down "$name" "$dir/check" >/dev/null
    [ "$(sha256sum "$dir/check" | cut -c1-64)" = "${sha[$size]}" ] || die "$backend $size: through: downloaded bytes differ"
    direct_down "$name" "$dir/check" >/dev/null
    [ "$(sha256sum "$dir/check" | cut -c1-64)" = "${sha[$size]}" ] || die "$backend $size: direct: downloaded bytes differ"
    rm -f "$dir/check"
    printf -- '- `%s` %s: SHA-256 of the bytes downloaded through the tenant plane and directly both match the source (%s…); the upload answer'"'"'s `sha256` too\n' \
      "$backend" "$size" "${sha[$size]:0:16}" >>"$notes"
    log "$backend $size: $reps alternating rounds"
    for rep in $(seq 1 "$reps"); do
      # A B on odd rounds, B A on even ones, so neither path always goes first.
      if ((rep % 2)); then order="through direct"; else order="direct through"; fi
      for op in upload download; do
        for p in $order; do
          c0=$(ticks "$tpp"); s0=$(ticks "$srv")
          if [ "$op" = upload ]; then t=$("${p}_up" "$name" "$file"); else t=$("${p}_down" "$name" /dev/null); fi
          c1=$(ticks "$tpp"); s1=$(ticks "$srv")
          printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$size" "$p" "$op" "$rep" "$t" \
            "$((c1 - c0))" "$(if [ -n "$srv" ]; then echo $((s1 - s0)); else echo -; fi)" >>"$results"
        done
      done
    done
  done

  # Anything the platform logged at WARN or ERROR during the run.
  local warn
  warn=$(sed 's/\x1b\[[0-9;]*m//g' "$dir/platform.log" | grep -E ' (WARN|ERROR) ' | head -n 10 || true)
  if [ -n "$warn" ]; then
    { printf -- '- `%s`: the platform logged warnings or errors (first 10):\n\n```\n%s\n```\n' "$backend" "$warn"; } >>"$notes"
  else
    printf -- '- `%s`: no WARN or ERROR line in the platform log\n' "$backend" >>"$notes"
  fi

  log "$backend: stopping"
  stop_one platform
  stop_one s3s-fs
  stop_one azurite
}

for backend in $backends; do
  case $backend in local | s3 | azure) run_backend "$backend" ;; *) die "unknown backend $backend" ;; esac
done

# Nothing we started may still listen.
left=""
for port in "${ports_used[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then left+=" $port"; fi
done
[ -z "$left" ] || log "WARNING: still listening on:$left"

# ---------------------------------------------------------------------------------------------
# The report.
duration=$((SECONDS - started))
mkdir -p "$(dirname "$report")"
BENCH_RESULTS="$results" BENCH_NOTES="$notes" BENCH_DURATION="$duration" BENCH_BACKENDS="$backends" \
  BENCH_REPS_SMALL="$reps_small" BENCH_REPS_LARGE="$reps_large" BENCH_LEFT="$left" \
  BENCH_COMMIT="$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD -- . ':!reports' 2>/dev/null || echo ' (with uncommitted changes)')" \
  BENCH_SHA="$(openssl speed -seconds 1 -bytes 1048576 -evp sha256 2>/dev/null | awk '/^sha256/ { printf "%.0f", $2 / 1000 }')" \
  BENCH_CHACHA="$(openssl speed -seconds 1 -bytes 1048576 -evp chacha20-poly1305 2>/dev/null | awk '/^ChaCha20-Poly1305/ { printf "%.0f", $2 / 1000 }')" \
  BENCH_RUSTC="$(rustc --version 2>/dev/null || echo unknown)" BENCH_CURL="$(curl --version | head -n1 | cut -d' ' -f1-2)" \
  BENCH_AZURITE="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$(dirname "$azurite_bin")/../azurite/package.json" 2>/dev/null || echo unknown)" \
  BENCH_S3S="$(grep -o 's3s-fs [0-9.]*' "$(dirname "$s3s_bin")/../.crates.toml" 2>/dev/null || echo s3s-fs)" \
  python3 - "$report" <<'EOF'
import collections, datetime, os, platform, statistics, sys

report = sys.argv[1]
env = os.environ
tck = os.sysconf("SC_CLK_TCK")
times = collections.defaultdict(list)  # (backend, size, op, path) -> seconds
cpu_tp = collections.defaultdict(list)  # same key -> tenant-plane CPU seconds
cpu_srv = collections.defaultdict(list)  # same key -> backend server CPU seconds
for line in open(env["BENCH_RESULTS"]):
    b, size, path, op, rep, secs, tp, srv = line.rstrip("\n").split("\t")
    key = (b, size, op, path)
    times[key].append(float(secs))
    cpu_tp[key].append(int(tp) / tck)
    if srv != "-":
        cpu_srv[key].append(int(srv) / tck)
MiB = 1024 * 1024
sizes = {"1MiB": 1, "64MiB": 64}
backends = env["BENCH_BACKENDS"].split()

def meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) // 1024
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "unknown")
flags = next((l.split(":", 1)[1].split() for l in open("/proc/cpuinfo") if l.startswith("flags")), [])

ratio = {}  # (b, size, op) -> through/direct throughput
med = {}  # (b, size, op, path) -> median seconds
for (b, size, op, path), xs in times.items():
    med[(b, size, op, path)] = statistics.median(xs)
for b in backends:
    for size in sizes:
        for op in ("upload", "download"):
            if (b, size, op, "through") in med and (b, size, op, "direct") in med:
                ratio[(b, size, op)] = med[(b, size, op, "direct")] / med[(b, size, op, "through")]
def mibs(b, size, op, path):
    return sizes[size] / med[(b, size, op, path)]
def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")

out = []
w = out.append
dur = int(env["BENCH_DURATION"])
w("# Storage throughput: through the tenant plane against directly to the backend")
w("")
w("Generated by `scripts/bench/storage-throughput.sh` (issue 4, \"Measure\") on "
  f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC at commit {env['BENCH_COMMIT']}; "
  f"the run took {dur // 60} min {dur % 60} s (release build not included). Rerun:")
w("")
w("```sh")
w("scripts/bench/storage-throughput.sh                            # builds the release binaries first")
w("TENANTRY_BENCH_NO_BUILD=1 scripts/bench/storage-throughput.sh  # uses $CARGO_TARGET_DIR/release (default /var/tmp/tenantry-target)")
w("```")
w("")
w("Optional: `BENCH_BACKENDS` (default `local s3 azure`), `BENCH_REPS_SMALL` (20), `BENCH_REPS_LARGE` (5), `BENCH_REPORT`.")
w("")
w("## What is measured")
w("")
w("For each backend, one throwaway `tenantry dev` (release build, its own data directory, its embedded durable "
  "Postgres and free loopback ports) with that backend as the platform's storage, one tenant (plan `standard`), "
  "signed in as its owner. Objects of 1 MiB and 64 MiB of random bytes are uploaded and downloaded again and again "
  "under one key:")
w("")
w("- **through** the tenant plane: `curl -T file` `PUT http://bench.localhost:<port>/v1/files/bench/<name>` (bearer "
  "token) and `curl -o /dev/null` `GET` of the same URL; the time is curl's `time_total`. Each upload is a new "
  "object plus the index transaction; the replaced object is deleted after the commit.")
w("- **directly** to the backend, the same bytes with the simplest client:")
w("  - `local`: `dd conv=fsync` into a temporary file in a folder next to `TENANTRY_STORAGE_DIR` (same disk), `mv` "
  "into place, `sync` of the folder (what the local store does: temp file, fsync, rename, fsync of the directory); "
  "read back with `dd of=/dev/null bs=1M`; wall time around those commands. Nothing is dropped from the page cache: "
  "it is warm for both paths (each object was just written), so local downloads measure memory copies and CPU, not the disk.")
w("  - `s3` (s3s-fs): one SigV4 `PUT` and one `GET` with curl (`--aws-sigv4`, `x-amz-content-sha256: UNSIGNED-PAYLOAD`), path style.")
w("  - `azure` (Azurite, `--loose`): one `Put Blob` (`x-ms-blob-type: BlockBlob`) and one `Get Blob` with curl, "
  "authorised by an account SAS signed with the account key (openssl HMAC-SHA256); a request without it is refused.")
w("")
w(f"Per size: one warm-up round (not recorded) in which both paths' downloads are saved and their SHA-256 compared "
  f"with the source's; then {env['BENCH_REPS_SMALL']} rounds for 1 MiB and {env['BENCH_REPS_LARGE']} for 64 MiB. A round "
  "is: upload through and direct, then download through and direct, the order of the two paths swapped every round. "
  "Everything is in one run on one machine, so read the **ratios**; absolute numbers do not compare across runs or "
  "machines. The tenant plane's rate limits are raised for the run (`TENANTRY_API_RATE_LIMIT=1000000/60`, "
  "`TENANTRY_AUTH_RATE_PER_MINUTE=60`); all else is `tenantry dev`'s default. CPU time of the tenant plane and of the backend's server process is read from "
  "`/proc/<pid>/stat` around each operation (10 ms resolution; Postgres and curl not counted).")
w("")
w("## Machine")
w("")
w(f"- {os.cpu_count()} CPUs (`nproc`): {cpu}; {'SHA extensions (sha_ni)' if 'sha_ni' in flags else 'no SHA extensions (no sha_ni), AVX2' + (', AVX-512' if 'avx512f' in flags else '')}")
w(f"- one core, `openssl speed` over 1 MiB blocks: SHA-256 ≈ {env.get('BENCH_SHA') or '?'} MB/s, "
  f"ChaCha20-Poly1305 ≈ {env.get('BENCH_CHACHA') or '?'} MB/s (OpenSSL's assembly; the Rust crates are in that range or slower)")
w(f"- {meminfo('MemTotal')} MiB memory; {platform.system()} {platform.release()}; one virtual disk")
w(f"- build: release profile (`cargo build --release --bins`), {env['BENCH_RUSTC']}")
w(f"- {env['BENCH_CURL']}, {env['BENCH_S3S']}, Azurite {env['BENCH_AZURITE']}; the client, the tenant plane, "
  "Postgres and the backend's server all share the 2 cores, over loopback")
w("")
w("## Results")
w("")
w("Median seconds per operation; MiB/s from the median (spread: slowest–fastest round); **through/direct** = "
  "throughput through the tenant plane ÷ throughput directly to the backend (1.00: no cost, 0.50: half).")
w("")
w("| backend | size | op | rounds | through: median s | through MiB/s (spread) | direct: median s | direct MiB/s (spread) | **through/direct** |")
w("|---|---|---|---|---|---|---|---|---|")
for b in backends:
    for size in sizes:
        for op in ("upload", "download"):
            if (b, size, op) not in ratio:
                continue
            a, d = times[(b, size, op, "through")], times[(b, size, op, "direct")]
            n = sizes[size]
            sp = lambda xs: f"{n / max(xs):.0f}–{n / min(xs):.0f}"
            w(f"| {b} | {n} MiB | {op} | {len(a)} | {med[(b, size, op, 'through')]:.4f} | {mibs(b, size, op, 'through'):.0f} ({sp(a)}) | "
              f"{med[(b, size, op, 'direct')]:.4f} | {mibs(b, size, op, 'direct'):.0f} ({sp(d)}) | **{ratio[(b, size, op)]:.2f}** |")
w("")
w("CPU seconds per operation (mean over the rounds):")
w("")
w("| backend | size | op | tenant plane (through) | backend server, through | backend server, direct |")
w("|---|---|---|---|---|---|")
for b in backends:
    for size in sizes:
        for op in ("upload", "download"):
            if (b, size, op) not in ratio:
                continue
            tp = mean(cpu_tp[(b, size, op, "through")])
            st, sd = cpu_srv.get((b, size, op, "through")), cpu_srv.get((b, size, op, "direct"))
            srv = (f"{mean(st):.3f}", f"{mean(sd):.3f}") if st and sd else ("— (no server)", "— (no server)")
            w(f"| {b} | {sizes[size]} MiB | {op} | {tp:.3f} | {srv[0]} | {srv[1]} |")
w("")
w("## Checks")
w("")
for line in open(env["BENCH_NOTES"]):
    w(line.rstrip("\n"))
left = env.get("BENCH_LEFT", "").strip()
w("- after the run, nothing the script started was still listening" if not left
  else f"- WARNING: still listening after the run: {left}")
w("")

# The reading: the numbers of this run, and what the tenant plane does that the direct client does not.
w("## Reading")
w("")
def r(b, size, op):
    return f"{ratio[(b, size, op)]:.2f}" if (b, size, op) in ratio else "n/a"
def cpu_line(b, size, op):
    k = (b, size, op, "through")
    return f"{mean(cpu_tp[k]):.2f} s" if cpu_tp.get(k) else "n/a"
ups = [v for (b, s, o), v in ratio.items() if o == "upload"]
downs = [v for (b, s, o), v in ratio.items() if o == "download"]
if ups and downs:
    w(f"In this run, uploads through the tenant plane reach {min(ups):.2f}–{max(ups):.2f} of the direct throughput and "
      f"downloads {min(downs):.2f}–{max(downs):.2f}."
      + (" Uploads cost more than downloads: the tenant plane reads every uploaded byte, hashes it and writes it on, "
         "then commits the index, while a download is mostly a relay." if mean(ups) < mean(downs) else ""))
    w("")
w("What the tenant plane adds on each path (from the code and ADR 0012; the CPU table above shows where the time goes):")
w("")
w("- **Every backend**: an extra HTTP hop over loopback (client → tenant plane → backend), the tenant's bearer token "
  "checked, a SHA-256 of every uploaded byte (the file's `sha256`/`ETag`), and per upload a `storage_garbage` insert "
  "before the first byte and one transaction (index row, usage counter, audit row) after it on the tenant's own, "
  "durable (fsync on) Postgres; the replaced object is then deleted. For 1 MiB these fixed costs dominate. "
  + (f"At ≈ {env['BENCH_SHA']} MB/s per core (no SHA extensions on this CPU), one SHA-256 pass over 64 MiB alone costs "
     f"≈ {64 * MiB / (float(env['BENCH_SHA']) * 1e6):.2f} s of CPU." if env.get("BENCH_SHA") else ""))
if "local" in backends:
    w(f"- **local** (upload {r('local', '64MiB', 'upload')}, download {r('local', '64MiB', 'download')} at 64 MiB): "
      "objects are sealed client-side by default (`GET /v1/storage` → `encrypted: true`): XChaCha20-Poly1305 over "
      "64 KiB chunks with a data key per object, and two SHA-256 passes — the plaintext in the sealing layer (what the "
      "index stores) and the sealed bytes again in the local store (a result the sealing layer discards) — then temp "
      "file, fsync, rename, directory fsync, like the direct path. Downloads decrypt every chunk and stream it over HTTP, against `dd` reading from a warm page "
      f"cache at memory speed — the harshest possible reference. Tenant-plane CPU for a 64 MiB upload: {cpu_line('local', '64MiB', 'upload')}; "
      f"for a download: {cpu_line('local', '64MiB', 'download')}.")
if "s3" in backends:
    w(f"- **s3** (upload {r('s3', '64MiB', 'upload')}, download {r('s3', '64MiB', 'download')} at 64 MiB): not encrypted "
      "client-side. Objects above 8 MiB go as a multipart upload in 8 MiB parts, one after the other; the SDK "
      "(aws-sdk-s3 over plain http) signs each request's payload — a second SHA-256 pass — (CRC32 request checksums are off unless an "
      "operation requires one: `RequestChecksumCalculation::WhenRequired`), and s3s-fs assembles the parts on "
      "completion. The direct curl `PUT` is one request with an unsigned payload"
      + (f"; s3s-fs itself spends {mean(cpu_srv[('s3', '64MiB', 'upload', 'through')]):.2f} s of CPU on a 64 MiB upload "
         f"through the tenant plane against {mean(cpu_srv[('s3', '64MiB', 'upload', 'direct')]):.2f} s direct, on the same 2 cores"
         if cpu_srv.get(('s3', '64MiB', 'upload', 'through')) and cpu_srv.get(('s3', '64MiB', 'upload', 'direct')) else "")
      + f". Tenant-plane CPU for a 64 MiB upload: {cpu_line('s3', '64MiB', 'upload')}. Downloads are one streamed "
      "`GetObject` relayed by the tenant plane.")
if "azure" in backends:
    w(f"- **azure** (upload {r('azure', '64MiB', 'upload')}, download {r('azure', '64MiB', 'download')} at 64 MiB): not "
      "encrypted client-side. Up to 4 MiB is one `Put Blob`; above, 4 MiB blocks sent one after the other and a "
      "`Put Block List`; downloads are ranged `Get Blob`s of 4 MiB, one after the other — 16 round trips to Azurite "
      "(Node.js) for 64 MiB, where the direct path makes one request each way. Tenant-plane CPU for a 64 MiB upload: "
      f"{cpu_line('azure', '64MiB', 'upload')}, download: {cpu_line('azure', '64MiB', 'download')}"
      + (f"; Azurite's own CPU per 64 MiB upload {mean(cpu_srv[('azure', '64MiB', 'upload', 'through')]):.2f} s through "
         f"against {mean(cpu_srv[('azure', '64MiB', 'upload', 'direct')]):.2f} s direct, per download "
         f"{mean(cpu_srv[('azure', '64MiB', 'download', 'through')]):.2f} s against "
         f"{mean(cpu_srv[('azure', '64MiB', 'download', 'direct')]):.2f} s — on these ratios the emulator's cost per "
         "request weighs as much as the tenant plane's"
         if all(cpu_srv.get(('azure', '64MiB', o, q)) for o in ('upload', 'download') for q in ('through', 'direct')) else "")
      + ".")
small_down = [f"{b} {med[(b, '1MiB', 'download', 'through')] * 1000:.0f} ms (fastest {min(times[(b, '1MiB', 'download', 'through')]) * 1000:.0f})"
              for b in backends if (b, '1MiB', 'download', 'through') in med]
w("- **Small objects and latency**: at 1 MiB an operation takes milliseconds, so fixed costs and scheduling on 2 "
  "shared cores dominate, and some rounds stall for ≈ 40 ms (see the spread column). Median 1 MiB download through "
  "the tenant plane: " + ", ".join(small_down) + ". Such stalls showed on direct "
  "requests to s3s-fs too while this script was written; 40 ms is Linux's delayed-ACK timer, so Nagle's algorithm "
  "meeting delayed ACKs on loopback is the likely cause (not proven). At that time the tenant plane's accepted client "
  "sockets had no `TCP_NODELAY` (strace; its outbound connections to S3 set it), which is worth a look.")
unstable = []
for (b, size, op) in ratio:
    for path in ("through", "direct"):
        xs = times[(b, size, op, path)]
        if len(xs) >= 3 and max(xs) > 3 * min(xs) and med[(b, size, op, path)] > 2 * min(xs):
            unstable.append(f"{b} {sizes[size]} MiB {op} {path} (median {med[(b, size, op, path)] * 1000:.0f} ms, fastest {min(xs) * 1000:.0f} ms)")
if unstable:
    w("- **Rows to distrust**: where the median sits in the slow mode (more than twice the fastest round), the ratio "
      "says more about those stalls than about the tenant plane: " + "; ".join(unstable) + ".")
w("- **What this does not say**: s3s-fs and Azurite are emulators on a local disk, not S3 or Azure; over a real "
  "network the backend's latency and bandwidth would dominate both paths and the ratios would move towards 1. The "
  "numbers bound what the tenant plane costs on CPU and round trips, not what a tenant will see in production.")
text = "\n".join(out) + "\n"
open(report, "w").write(text)
print(text)
EOF
log "report: $report (whole run ${duration}s)"
