#!/usr/bin/env bash
# Command 1: install what is missing and run the product on the embedded profile (SQLite catalog,
# local object store, SQLite full-text search, SQLite-backed queue; no servers).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export LUUTRU_DATA_DIR=${LUUTRU_DATA_DIR:-./data}
.venv/bin/luutru init
.venv/bin/luutru status
exec .venv/bin/luutru serve --host "${LUUTRU_HOST:-127.0.0.1}" --port "${LUUTRU_PORT:-8080}"
