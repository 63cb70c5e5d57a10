#!/usr/bin/env bash
# Set up (once) and run the dashboard on the embedded default data, demo mode on.
# Reinstalls only when pyproject.toml changed since the last install (a stamp
# file in .venv records its checksum), so a restart takes no pip time.
# Usage: bash scripts/run.sh [dashboard run options, e.g. --port 8502]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
stamp=.venv/.dashboard-install-stamp
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -x .venv/bin/dashboard ] || [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
  echo "$wanted" > "$stamp"
fi
exec .venv/bin/dashboard run --headless --demo "$@"
