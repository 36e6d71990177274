#!/usr/bin/env bash
# One command for a fresh machine: install, create the SQLite database, load demo data,
# serve, and run the background worker beside the server (mail printed on its console).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
export DEBUG="${DEBUG:-1}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
.venv/bin/python manage.py worker &
worker=$!
trap 'kill "$worker" 2>/dev/null || true' EXIT INT TERM
echo "Resa: http://127.0.0.1:${PORT:-8000}/docs (API), /admin (back-office); worker pid $worker"
.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
