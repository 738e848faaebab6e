#!/usr/bin/env bash
# One command for the whole test suite: set everything up, then lint (ruff), type-check (mypy,
# strict on the pure core) and run pytest. Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
cd "$root"
echo "== ruff"
.venv/bin/ruff check src tests bench
.venv/bin/ruff format --check src tests bench
echo "== mypy"
.venv/bin/mypy
echo "== import-linter (the layers)"
.venv/bin/lint-imports --no-cache
echo "== pytest"
exec .venv/bin/pytest --durations=40 "$@"
