#!/usr/bin/env bash
# Run the test suite (installs first if needed). On PostgreSQL: DATABASE_URL=postgres://... scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
exec .venv/bin/pytest -n "${TEST_WORKERS:-2}" "$@"
