#!/usr/bin/env bash
# Rebuild requirements.lock from a scratch virtual environment that installs pyproject.toml's pins.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/pip" install -q --upgrade pip==24.3.1
"$tmp/venv/bin/pip" install -q -e ".[fast,dev]"
{
  echo "# Every Python package sesh installs, pinned exactly (pip freeze of a working .venv)."
  echo "# Regenerate after changing pyproject.toml: scripts/lock.sh"
  "$tmp/venv/bin/pip" freeze --exclude-editable | grep -v -E "^pymcl=="
  echo 'pymcl==1.0.2 ; python_version < "3.13" and ((sys_platform == "linux" and platform_machine == "x86_64") or (sys_platform == "darwin" and platform_machine == "arm64"))'
} > requirements.lock
rm -rf "$tmp"
echo "requirements.lock rewritten"
