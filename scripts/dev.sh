#!/usr/bin/env bash
# One command for a fresh machine: install, create the SQLite database, load demo data, serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DEBUG="${DEBUG:-1}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo "Resa: http://127.0.0.1:${PORT:-8000}/docs (API), /admin (back-office)"
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
