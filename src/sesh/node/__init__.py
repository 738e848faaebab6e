"""The node: the imperative shell around the ledger.

`sesh.node.node.Node` polls the L2 tracker, makes blocks with the local producer, applies them
to the ledger and stores each block with the tracker position it consumed in one SQLite
transaction (`sesh.node.store`); `sesh.node.funding` keeps the rewards contract funded and
checks it; `sesh.node.status` is what `sesh node status` shows; `sesh.node.rpc` serves the
chain over JSON-RPC (docs/api.md). See docs/architecture.md, section `sesh.node`.
"""

from sesh.node.command import register

__all__ = ["register"]
