#!/usr/bin/env bash
# Runs every test: formatting and lints, unit and integration tests (SQLite, and PostgreSQL +
# Redis on 127.0.0.1), and the browser tests in headless Chromium against the real server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "clippy"
cargo clippy --workspace --exclude statuspass-frontend --all-targets -- -D warnings
cargo clippy -p statuspass-frontend --target wasm32-unknown-unknown -- -D warnings

step "leftover test databases"
psql -h 127.0.0.1 -U postgres -d postgres -tA \
  -c "SELECT 'DROP DATABASE IF EXISTS \"' || datname || '\";' FROM pg_database WHERE datname LIKE 'sp_test_%'" \
  | psql -h 127.0.0.1 -U postgres -d postgres -q >/dev/null || true

step "unit and integration tests"
cargo test --workspace --exclude statuspass-frontend
cargo test -p statuspass-frontend --lib   # the PWA's pure logic, natively

if [ -x tests/e2e/run.sh ]; then
  step "build the PWA and the server (release)"
  trunk build --release --offline
  cargo build --release --bin statuspass
  step "browser tests (headless Chromium)"
  tests/e2e/run.sh
  step "schemathesis (the OpenAPI description against the real server)"
  tests/schemathesis/run.sh
fi
step "all tests passed"
