#!/usr/bin/env bash
# The README's test command: set up (if needed), lint, type-check, then run the
# whole suite against SQLite and a real PostgreSQL server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export BULWARK_TEST_POSTGRES_URL=${BULWARK_TEST_POSTGRES_URL:-$(bash scripts/start_postgres.sh)}
.venv/bin/ruff check src tests benchmarks evaluation
.venv/bin/ruff format --check src tests benchmarks evaluation
.venv/bin/mypy
exec .venv/bin/pytest -q "$@"
