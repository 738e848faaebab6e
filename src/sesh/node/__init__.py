"""The node: the imperative shell around the ledger.

`sesh.node.network.NetworkNode` runs the consensus engine (`sesh.consensus`) over the
transport (`sesh.net`), follows L2 with `sesh.node.follower` and stores every block it accepts
(`sesh.node.store`); `sesh.node.launch` starts it from a genesis (`sesh.node.genesis`);
`sesh.node.funding` keeps the rewards contract funded and checks it; `sesh.node.status` is
what `sesh node status` shows; `sesh.node.rpc` serves the chain over JSON-RPC (docs/api.md).
See docs/architecture.md, section `sesh.node`.
"""

from sesh.node.command import register

__all__ = ["register"]
