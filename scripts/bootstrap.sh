#!/usr/bin/env bash
# Install what the product needs and is missing: Debian packages, the virtualenv, the package.
# Idempotent and fast the second time: packages are checked with dpkg, and pip runs only when
# pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# OCR to PDF/A (tesseract with Vietnamese, ghostscript, qpdf, unpaper, pngquant), page thumbnails
# (poppler-utils), a font with Vietnamese glyphs for generated test documents, and the browser the web
# tests drive through Playwright (Debian's chromium; Playwright's own browser downloads are never used).
DEBIAN_PACKAGES=(curl unzip tesseract-ocr tesseract-ocr-vie tesseract-ocr-eng ghostscript qpdf unpaper pngquant
                 poppler-utils fonts-dejavu-core fonts-dejavu-extra chromium chromium-driver)

missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "[bootstrap] installing Debian packages: ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "[bootstrap] Python 3.11 or newer is needed; found $("$PYTHON" --version)" >&2; exit 1; }
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv

stamp=.venv/.luutru-installed
want=$(sha256sum pyproject.toml | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "[bootstrap] installing Python packages into .venv" >&2
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" >"$stamp"
fi
