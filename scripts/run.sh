#!/usr/bin/env bash
# Command 1: install what is missing, then run the product on the embedded profile (SQLite catalog,
# local object store, SQLite full-text search, worker threads; no servers): prepare the data
# directory, create the demo agency and one account per role (new random passwords, printed at the end),
# ingest a generated sample batch of Vietnamese documents the first time, and serve the web app on 127.0.0.1:8000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export LUUTRU_DATA_DIR=${LUUTRU_DATA_DIR:-./data}
# The official METS 1.12 / PREMIS 3.0 XSDs every package is validated against (a deployment installs them
# and sets LUUTRU_SCHEMA_DIR); on this kind of machine they are the workplace's copies.
if [ -z "${LUUTRU_SCHEMA_DIR:-}" ] && [ -f ../shared/schemas/mets-1.12.xsd ]; then
  LUUTRU_SCHEMA_DIR=$(cd ../shared/schemas && pwd); export LUUTRU_SCHEMA_DIR
fi
luutru=.venv/bin/luutru
$luutru init
accounts=$($luutru demo)   # the demo agency, its fonds DEMO-01, one account per role
if [ -z "$($luutru batch list)" ]; then
  # The demo batch is of our own making: generated ND 30 documents, born-digital PDFs and scans
  # (OCR of the scans takes a minute or two). LUUTRU_SAMPLE names a folder of your own instead.
  SAMPLE=${LUUTRU_SAMPLE:-$LUUTRU_DATA_DIR/sample}
  [ -n "${LUUTRU_SAMPLE:-}" ] || $luutru sample "$SAMPLE" --count 6 >/dev/null
  $luutru ingest "$SAMPLE" --batch-name "Lô mẫu" --fonds DEMO-01 --wait || true   # the summary says what failed and why
fi
$luutru status || true
echo
echo "$accounts"
exec $luutru serve --host "${LUUTRU_HOST:-127.0.0.1}" --port "${LUUTRU_PORT:-8000}"
