#!/usr/bin/env bash
# Set up (once) and run the dashboard on the embedded default data, demo mode on.
# Usage: bash scripts/run.sh [dashboard run options, e.g. --port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
exec .venv/bin/dashboard run --headless --demo "$@"
