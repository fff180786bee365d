#!/usr/bin/env bash
# Runs the whole product on the embedded default (SQLite, demo registry and sign-in, mail to an
# outbox folder): builds the PWA into dist/, then serves it and the API on STATUSPASS_BIND
# (default http://127.0.0.1:8080). Extra arguments go to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh run
trunk build --release --offline
exec cargo run --release --bin statuspass -- "$@"
