#!/usr/bin/env bash
# Make the project runnable on a fresh machine with Python 3.11+ and Node 20: the virtual
# environment .venv (every Python package pinned in requirements.lock, sesh itself editable) and
# node_modules (anvil, pinned in package-lock.json). Re-running is cheap: nothing is reinstalled
# unless a lock file changed. Sourced by devnet.sh and test.sh; can also be run on its own.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      python=$candidate
      break
    fi
  done
fi
if [ -z "$python" ]; then
  echo "sesh needs Python 3.11 or newer (set PYTHON=/path/to/python3.11 to choose one)" >&2
  exit 1
fi
command -v npm >/dev/null 2>&1 || { echo "sesh needs Node 20 with npm (for anvil)" >&2; exit 1; }

stamp_of() { cat requirements.lock pyproject.toml package.json package-lock.json | sha256sum | cut -d' ' -f1; }
stamp=$(stamp_of)
if [ -f .venv/.sesh-stamp ] && [ "$(cat .venv/.sesh-stamp)" = "$stamp" ] && [ -x node_modules/.bin/anvil ]; then
  exit 0 2>/dev/null || return 0
fi

echo "setting up .venv and node_modules (first run, or a lock file changed)..."
if [ ! -x .venv/bin/python ]; then
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip==24.3.1
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock
.venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
# Not `npm ci`: npm 11 writes lock files without the other platforms' optional packages (the
# anvil binary of each OS) and `npm ci` then calls the lock out of sync. `npm install
# --no-save` installs the exact versions the lock records and never rewrites it.
npm install --no-save --no-audit --no-fund --loglevel=error
echo "$stamp" > .venv/.sesh-stamp
echo "set-up done"
