"""`sesh node run`: start one node of the quorum network.

The command's edge: it reads the genesis file and checks it against L2 (a node joins only the
network the contract really seeded), opens the store (refusing one of another network), builds
the L2 follower, the `NetworkNode` and its JSON-RPC server, writes ``node.json`` (what a
supervisor such as the devnet needs: the process id and the ports it listens on) and runs
until a stop signal. Every block comes from a quorum; a network of one seeded node is a quorum
of one (`sesh devnet --nodes 1`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from sesh.cli.shell.errors import CommandError
from sesh.cli.shell.signals import run_until_stopped
from sesh.net.announce import PeerAddress
from sesh.node.follower import L2Follower, NodeError, check_providers
from sesh.node.network import NetworkConfig, NetworkNode, Peer
from sesh.node.signing import Signer
from sesh.node.store import Store

if TYPE_CHECKING:
    from sesh.keys import NodeKeys
    from sesh.l2.tracker import Tracker
    from sesh.ledger import NetworkProfile
    from sesh.node.funding import Funding
    from sesh.node.genesis import Genesis

log = logging.getLogger("sesh.node")

NODE_FILE = "node.json"
"""Written by a running network node in its data dir: pid, ports, key (for supervisors)."""


def parse_endpoint(text: str, option: str) -> tuple[str, int]:
    """HOST:PORT, or a one-line `CommandError` naming the option."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise CommandError(f"{option} takes HOST:PORT, got {text!r}", 2)
    return host, int(port)


def parse_peer(text: str) -> Peer:
    """KEY@HOST:PORT with a 64-hex-digit Ed25519 key."""
    key, sep, endpoint = text.partition("@")
    try:
        pubkey = bytes.fromhex(key.removeprefix("0x"))
    except ValueError:
        pubkey = b""
    if not sep or len(pubkey) != 32:
        raise CommandError(f"--peer takes KEY@HOST:PORT with a 32-byte hex key, got {text!r}", 2)
    host, port = parse_endpoint(endpoint, "--peer")
    return Peer(pubkey, PeerAddress(host, port))


def sesh_version() -> str:
    try:
        return version("sesh")
    except PackageNotFoundError:
        return "unknown"


def read_network_genesis(path: Path, profile: NetworkProfile) -> Genesis:
    """The genesis file, or a one-line `CommandError` (missing, malformed, another network)."""
    from sesh.node.genesis import GenesisError, load_genesis

    if not path.exists():
        raise CommandError(
            f"no genesis file at {path}: a node joins a network from its genesis (`sesh "
            "devnet` writes one beside its contracts.json); give --genesis FILE",
            2,
        )
    try:
        genesis = load_genesis(path)
    except GenesisError as error:
        raise CommandError(str(error)) from None
    if genesis.network != profile.name:
        raise CommandError(
            f"{path} is a genesis of the {genesis.network} network; this node runs the "
            f"{profile.name} profile",
            2,
        )
    return genesis


def join_network(store: Store, genesis: Genesis, profile: NetworkProfile, tracker: Tracker) -> None:
    """Check that the store is this network's, and verify the genesis against L2 when the store
    is new (`NodeError`, one line, otherwise).

    The check reads the L2's state at the genesis block, which a provider may not keep for long
    (anvil: ~5,000 blocks), so it runs once, when the node joins. Later starts check that the
    genesis block is still the L2's (the follower's anchor, `L2Follower.check_l2`)."""
    from sesh.node.genesis import GenesisError, verify_genesis

    digest = genesis.ledger(profile).block_hash.hex()
    meta = store.meta()
    if meta.get("genesis") not in (None, digest):
        raise NodeError(
            f"the store in {store.path.parent} belongs to another network (genesis "
            f"{str(meta.get('genesis'))[:16]}…): use another --data-dir or --fresh"
        )
    if meta:
        return
    try:
        verify_genesis(genesis, tracker)
    except GenesisError as error:
        raise NodeError(f"the genesis does not match L2: {error}") from None
    store.set_meta(
        {
            "genesis": digest,
            "genesisVerified": True,
            "profile": profile.name,
            "chainId": genesis.l2_chain_id,
            "rewardsContract": genesis.rewards_contract,
        }
    )


def network_follower(
    tracker: Tracker, profile: NetworkProfile, genesis: Genesis, store: Store
) -> L2Follower:
    """The node's L2 follower: from the block after the genesis, anchored at the genesis block
    (a replaced L2 chain stops the node), resumed from the store's position and view."""
    follower = L2Follower(
        tracker,
        profile,
        lambda: None,  # the node points it at its chain's ledger
        start_block=genesis.l2_block.number + 1,
        max_polls=10,
        purge_blocks=profile.blocks(3600),
    )
    follower.anchor = genesis.l2_block
    stored = store.position()
    if stored is not None:
        follower.position = stored[1]
        follower.seen = dict(store.events())
    return follower


def run_network_node(
    args: argparse.Namespace,
    data_dir: Path,
    keys: NodeKeys,
    profile: NetworkProfile,
    tracker: Tracker,
    *,
    funding: Callable[[Store], tuple[Funding, str]],
    key_status: Callable[[], dict[str, object]],
    before_commit: Callable[[int], None] | None = None,
    signer_type: type[Signer] | None = None,
) -> int:
    """Run the node until a stop signal; `funding` makes its funding over the store (and says
    how it pays), `key_status` says whether its keys are registered; `signer_type` replaces the
    honest `Signer` (a test hook's)."""
    from sesh.bls import DomainTags
    from sesh.l2.providers import Providers
    from sesh.l2.tracker import Tracker
    from sesh.node.claims import Claims, ContractReads
    from sesh.node.rpc import RpcServer, RpcSource

    host, port = parse_endpoint(args.listen, "--listen")
    rpc_host, rpc_port = parse_endpoint(args.rpc_listen, "--rpc-listen")
    peers = tuple(parse_peer(text) for text in args.peer)
    check_providers(tracker)  # first: the wrong L2 explains every later failure
    genesis = read_network_genesis(args.genesis, profile)

    with Store.open(data_dir, before_commit=before_commit) as store:
        join_network(store, genesis, profile, tracker)
        follower = network_follower(tracker, profile, genesis, store)
        follower.check_l2()
        keys_status = key_status()
        store.set_status("keys", keys_status)
        node_funding, funding_how = funding(store)
        config = NetworkConfig(
            profile=profile,
            host=host,
            port=port,
            rpc_port=None,
            bootstrap=peers,
            halt_height=args.halt_height,
            snapshot_interval=args.snapshot_interval,
        )
        signer = (signer_type or Signer)(
            keys.bls, DomainTags.for_contract(genesis.l2_chain_id, genesis.rewards_contract)
        )
        node = NetworkNode(
            store,
            keys.ed25519,
            lambda: genesis.ledger(profile),
            config,
            follower=follower,
            funding=node_funding,
            signer=signer,
        )
        # The RPC threads read L2 through providers of their own: a provider's connection
        # belongs to one thread, and the loop's tracker is the loop's.
        rpc_tracker = Tracker(Providers.from_urls(args.rpc, genesis.l2_chain_id), tracker.config)
        claims = Claims(node, signer, ContractReads(rpc_tracker))
        source = RpcSource(
            lock=node.lock,
            engine=node.engine,
            profile=profile,
            pubkey=node.pubkey,
            bls_pubkey=keys.bls_public_key.to_contract(),
            version=sesh_version(),
            rewards_signature=claims.rewards,
            removal_signature=claims.removal,
        )
        server = RpcServer(source, host=rpc_host, port=rpc_port)
        server.start()
        node.rpc_port = server.port
        try:
            _write_node_file(data_dir, node, server.port)
            run_until_stopped(
                f"sesh node: {profile.name} network of {len(genesis.seeded)} seeded node(s); "
                f"L2 chain {genesis.l2_chain_id} ({tracker.config.confirmations} confirmations) "
                f"via {', '.join(p.name for p in tracker.providers.order)}; "
                f"listening on {host}:{node.port}, JSON-RPC on http://{rpc_host}:{server.port}"
                f"/json_rpc; key {node.pubkey.hex()}; keys {keys_status['directory']}; store at "
                f"block {node.chain.height}; "
                f"{funding_how}",
                node.run,
                lambda: f"sesh node: stopped at block {node.chain.height}",
            )
        finally:
            server.close()
    return 0


def _write_node_file(data_dir: Path, node: NetworkNode, rpc_port: int) -> None:
    record = {
        "pid": os.getpid(),
        "key": node.pubkey.hex(),
        "port": node.port,
        "rpc_port": rpc_port,
        "started": time.time(),
    }
    temporary = data_dir / (NODE_FILE + ".tmp")
    temporary.write_text(json.dumps(record) + "\n")
    temporary.replace(data_dir / NODE_FILE)
