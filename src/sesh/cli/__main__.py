"""`python -m sesh.cli`: the `sesh` command without the console script."""

import sys

from sesh.cli import main

sys.exit(main())
