#!/usr/bin/env bash
# Set up (once) and run the whole test suite: lint, format check, unit, store
# (SQLite and a throwaway PostgreSQL server), UI (AppTest) and browser tests
# (Playwright driving Debian's Chromium).
# Usage: bash scripts/test.sh [pytest options]
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages: Debian's Chromium for browser tests (never a downloaded
# browser), the PostgreSQL server for store tests, a font with Vietnamese glyphs.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}"
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[test]"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
# Two workers (PYTEST_WORKERS to change), one test module per worker at a
# time: module fixtures (a demo store, an app server) are built once.
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadscope "$@"
