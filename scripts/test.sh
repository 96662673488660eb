#!/usr/bin/env bash
# Command 2: install what is missing, start the real services, run the whole suite, stop the services.
# Extra arguments go to pytest (e.g. scripts/test.sh tests/storage -x).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
scripts/services.sh up
trap 'scripts/services.sh down' EXIT
# shellcheck disable=SC1091
source "${LUUTRU_SERVICES_DIR:-/tmp/luutru-services}/env"
.venv/bin/python -m pytest "$@"
