"""Where the devnet is when nobody says: defined once, for every verb, the node and the devnet.

`sesh devnet` keeps its data in ``./devnet-data`` and serves its chain on 127.0.0.1:8545, so that
in the directory where it runs no other command needs ``--rpc`` or ``--deployment``. A devnet
started on another port writes its RPC URL into its deployment record, which the verbs prefer
over ``DEFAULT_RPC``.
"""

from __future__ import annotations

from pathlib import Path

from sesh.evm.anvil import DEFAULT_PORT

DEFAULT_RPC = f"http://127.0.0.1:{DEFAULT_PORT}"
"""The devnet's RPC URL on its default port."""
DEVNET_DATA_DIR = Path("devnet-data")
"""The devnet's data directory, relative to where `sesh devnet` runs."""
CONTRACTS_FILE = "contracts.json"
"""The deployment record's name inside the devnet's data directory."""
DEVNET_DEPLOYMENT = DEVNET_DATA_DIR / CONTRACTS_FILE
"""The devnet's deployment record: the default of every ``--deployment``."""
