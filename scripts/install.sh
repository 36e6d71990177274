#!/usr/bin/env bash
# Create .venv with Python >= 3.12 and install requirements.txt (skipped when unchanged).
set -euo pipefail
cd "$(dirname "$0")/.."

pick_python() {
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 "$(pyenv prefix 3.13 2>/dev/null)/bin/python" "$(pyenv prefix 3.12 2>/dev/null)/bin/python"; do
    [ -n "$candidate" ] || continue
    if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Resa needs Python 3.12 or newer (Django 6.1). Install it, or set PYTHON=/path/to/python3.12." >&2
  exit 1
}

if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  rm -rf .venv
  "$(pick_python)" -m venv .venv
fi
stamp=.venv/.requirements.sha256
if ! sha256sum -c --status "$stamp" 2>/dev/null; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r requirements.txt
  sha256sum requirements.txt > "$stamp"
fi
