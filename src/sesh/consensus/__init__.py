"""The network chain's consensus as pure state machines: quorums, pulse rounds, checkpoints,
fork choice and catch-up, with messages and time in and messages and blocks out.

Start with `engine.ConsensusNode` (one node), `chain.Chain` (its chain, fork choice and
finality), `quorum.QuorumBasis` (who produces and validates), `messages` (what is signed) and
`sim.Simulation` (many nodes in one process); `wire` gives each message's bytes on the network.
No sockets, clocks or files: `sesh.node` wires this to `sesh.net` and its store.
"""
