#!/usr/bin/env bash
# Command 1: install what is missing, then run the product on the embedded profile (SQLite catalog,
# local object store, SQLite full-text search, worker threads; no servers): prepare the data
# directory, ingest a sample batch of Vietnamese documents the first time, and serve the web app.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export LUUTRU_DATA_DIR=${LUUTRU_DATA_DIR:-./data}
luutru=.venv/bin/luutru
$luutru init
SAMPLE=${LUUTRU_SAMPLE:-../shared/corpus/vn-admin/files}
if [ -d "$SAMPLE" ] && [ -z "$($luutru batch list)" ]; then
  # Three born-digital PDFs and three scans (PDF, multi-page G4 TIFF, JPEG): OCR takes a minute or two.
  sample=()
  for f in vn003.pdf vn008.pdf vn010.pdf vn002.pdf vn001.tif vn014.jpg; do [ -f "$SAMPLE/$f" ] && sample+=("$SAMPLE/$f"); done
  ((${#sample[@]})) || sample=("$SAMPLE")
  $luutru ingest "${sample[@]}" --batch-name "Lô mẫu" --wait || true   # the summary says what failed and why
fi
$luutru status || true
exec $luutru serve --host "${LUUTRU_HOST:-127.0.0.1}" --port "${LUUTRU_PORT:-8080}"
