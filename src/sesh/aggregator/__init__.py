"""The aggregator: asks the network's nodes to BLS-sign one message, keeps the shares for exactly
that message, sums them into the one signature ServiceNodeRewards checks, finds and drops bad
shares, and names the non-signers by the contract's node ids.

`messages` is what a node asks and what a signer answers, on the network's transport;
`aggregate` turns the answers into a result the contract accepts (or says why it would not). The
node runs both behind its JSON-RPC (`sesh.node`); the fan-out itself is the node's, since it
owns the transport.
"""
