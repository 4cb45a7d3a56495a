#!/usr/bin/env bash
# The README's main command: set up (if needed) and run the matching demo on SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/bulwark demo "$@"
