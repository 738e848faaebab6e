"""`python -m sesh`: the `sesh` command, for when the console script is not on PATH (and how
the devnet starts its node processes with the same interpreter)."""

import sys

from sesh.cli.commands import main

sys.exit(main())
