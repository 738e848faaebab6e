#!/usr/bin/env bash
# One command for a newcomer: set everything up, then run the whole local network (`sesh devnet`).
# Extra arguments go to `sesh devnet` (try --help).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
exec "$root/.venv/bin/sesh" devnet "$@"
