"""The EVM layer: chain backends (anvil launcher, JSON-RPC); the only layer that knows web3."""
