"""The ERC-1967 proxy our upgradeable contracts live behind, as raw EVM bytes.

A UUPS proxy needs to do one thing: forward every call, with its ether, to the implementation
whose address sits at the ERC-1967 slot, by delegatecall (so the implementation's code runs on
the proxy's storage), and hand back whatever came back, success or revert, of any size. The
upgrade logic is in the implementation (``contracts/lib/uups.vy``), so the proxy has no functions
of its own, no admin and nothing to audit but the 58 bytes below. Vyper cannot express this
(a ``@raw_return`` forwarder caps the return data at a fixed ``max_outsize``), so we assemble it.

Runtime, opcode by opcode (stack shown top first after each step)::

    CALLDATASIZE        [cds]                    size of the incoming call data
    PUSH0               [0, cds]                 offset in the call data
    PUSH0               [0, 0, cds]              offset in memory
    CALLDATACOPY        []                       memory[0:cds] = call data
    PUSH0               [0]                      return area size: none, copied later
    PUSH0               [0, 0]                   return area offset
    CALLDATASIZE        [cds, 0, 0]              argument size
    PUSH0               [0, cds, 0, 0]           argument offset
    PUSH32 <slot>       [slot, ...]              the ERC-1967 implementation slot
    SLOAD               [impl, 0, cds, 0, 0]     the implementation's address
    GAS                 [gas, impl, ...]         forward all gas
    DELEGATECALL        [ok]                     run the implementation on our storage
    RETURNDATASIZE      [rds, ok]
    PUSH0               [0, rds, ok]
    PUSH0               [0, 0, rds, ok]
    RETURNDATACOPY      [ok]                     memory[0:rds] = return data, all of it
    PUSH1 <done>        [done, ok]
    JUMPI               []                       success: jump to `done`
    RETURNDATASIZE      [rds]                    failure: revert with the same data
    PUSH0               [0, rds]
    REVERT
    done: JUMPDEST      []
    RETURNDATASIZE      [rds]
    PUSH0               [0, rds]
    RETURN                                       return memory[0:rds]

The init code stores the implementation's address at the slot, optionally delegatecalls the
initialisation data (appended after the runtime) so that deploying and initialising happen in
one transaction (nobody can initialise a proxy between the two), then returns the runtime.
Memory is free in the proxy: nothing else lives there, so every copy starts at offset 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

from eth_utils.address import to_canonical_address

from sesh.evm.compiler import ERC1967_IMPLEMENTATION_SLOT

# The opcodes used here (cancun; PUSH0 is EIP-3855, Shanghai).
_OPCODES = {
    "CODECOPY": 0x39,
    "CALLDATASIZE": 0x36,
    "CALLDATACOPY": 0x37,
    "RETURNDATASIZE": 0x3D,
    "RETURNDATACOPY": 0x3E,
    "SLOAD": 0x54,
    "SSTORE": 0x55,
    "JUMPI": 0x57,
    "GAS": 0x5A,
    "JUMPDEST": 0x5B,
    "PUSH0": 0x5F,
    "RETURN": 0xF3,
    "DELEGATECALL": 0xF4,
    "REVERT": 0xFD,
}


@dataclass(frozen=True)
class _Label:
    """A jump target: a 1-byte PUSH of a JUMPDEST's offset, resolved by ``_assemble``."""

    name: str


_Item: TypeAlias = str | tuple[str, int, int] | _Label | tuple[str, _Label]
"""An opcode name; ("PUSH", width, value); a label definition; ("PUSH", label)."""


def _assemble(program: list[_Item]) -> bytes:
    """Two passes: place labels, then emit bytes (all jump targets fit one byte here)."""

    def size(item: _Item) -> int:
        if isinstance(item, str):
            return 1
        if isinstance(item, _Label):
            return 1  # the JUMPDEST
        if len(item) == 3:
            return 1 + item[1]
        return 2  # PUSH1 label

    offsets: dict[str, int] = {}
    position = 0
    for item in program:
        if isinstance(item, _Label):
            offsets[item.name] = position
        position += size(item)

    out = bytearray()
    for item in program:
        if isinstance(item, str):
            out.append(_OPCODES[item])
        elif isinstance(item, _Label):
            out.append(_OPCODES["JUMPDEST"])
        elif len(item) == 3:
            _, width, value = item
            out.append(0x5F + width)  # PUSH1 is 0x60 … PUSH32 is 0x7f
            out += value.to_bytes(width, "big")
        else:
            target = offsets[item[1].name]
            if target > 0xFF:
                raise ValueError("jump target beyond one byte")
            out += bytes((0x60, target))
    return bytes(out)


_DONE = _Label("done")

RUNTIME: bytes = _assemble(
    [
        "CALLDATASIZE", "PUSH0", "PUSH0", "CALLDATACOPY",
        "PUSH0", "PUSH0", "CALLDATASIZE", "PUSH0",
        ("PUSH", 32, ERC1967_IMPLEMENTATION_SLOT), "SLOAD",
        "GAS", "DELEGATECALL",
        "RETURNDATASIZE", "PUSH0", "PUSH0", "RETURNDATACOPY",
        ("PUSH", _DONE), "JUMPI",
        "RETURNDATASIZE", "PUSH0", "REVERT",
        _DONE,
        "RETURNDATASIZE", "PUSH0", "RETURN",
    ]
)  # fmt: skip
"""The proxy's deployed code (58 bytes); the same for every proxy."""

MAX_INIT_DATA = 0xFFFF
"""Initialisation data is addressed with 2-byte pushes."""


def proxy_initcode(implementation: str | bytes, init_data: bytes = b"") -> bytes:
    """Creation code of a proxy to ``implementation``, initialised with ``init_data`` if given.

    Layout: ``prologue ‖ RUNTIME ‖ init_data``. The prologue stores the implementation, then (only
    when ``init_data`` is not empty) copies the data to memory and delegatecalls it, reverting the
    whole deployment with the implementation's revert data if it fails, and finally copies the
    runtime to memory and returns it. ``init_data`` is typically the ABI-encoded ``initialize``
    call; the implementation then sees the deployer as ``msg.sender``, as with OpenZeppelin's
    ``ERC1967Proxy(implementation, data)``.
    """
    address = int.from_bytes(to_canonical_address(implementation), "big")
    if len(init_data) > MAX_INIT_DATA:
        raise ValueError(f"init data longer than {MAX_INIT_DATA} bytes")

    def prologue(runtime_at: int, data_at: int) -> list[_Item]:
        program: list[_Item] = [
            # sstore(slot, implementation)
            ("PUSH", 20, address), ("PUSH", 32, ERC1967_IMPLEMENTATION_SLOT), "SSTORE",
        ]  # fmt: skip
        if init_data:
            ok = _Label("initialised")
            program += [
                # memory[0:len] = init data, from the end of this code
                ("PUSH", 2, len(init_data)), ("PUSH", 2, data_at), "PUSH0", "CODECOPY",
                # delegatecall(gas, implementation, 0, len, 0, 0)
                "PUSH0", "PUSH0", ("PUSH", 2, len(init_data)), "PUSH0",
                ("PUSH", 20, address), "GAS", "DELEGATECALL",
                ("PUSH", ok), "JUMPI",
                # failed: revert the deployment with the implementation's revert data
                "RETURNDATASIZE", "PUSH0", "PUSH0", "RETURNDATACOPY",
                "RETURNDATASIZE", "PUSH0", "REVERT",
                ok,
            ]  # fmt: skip
        program += [
            # memory[0:len(RUNTIME)] = runtime; return it
            ("PUSH", 1, len(RUNTIME)), ("PUSH", 2, runtime_at), "PUSH0", "CODECOPY",
            ("PUSH", 1, len(RUNTIME)), "PUSH0", "RETURN",
        ]  # fmt: skip
        return program

    # The prologue's length does not depend on the offsets it pushes (fixed-width pushes), so
    # assemble once with placeholders to measure it, then again with the real offsets.
    length = len(_assemble(prologue(0, 0)))
    code = _assemble(prologue(length, length + len(RUNTIME)))
    return code + RUNTIME + init_data
