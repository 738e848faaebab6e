"""Network namespaces for a devnet whose traffic crosses real interfaces (Linux, as root).

On 127.0.0.1 every packet takes the loopback shortcut; with `sesh devnet --netns` the chain and
each node get a network namespace of their own, joined by veth pairs to a bridge in a hub
namespace, so that every message between nodes, and every L2 poll, leaves one interface and
enters another, as between machines. The devnet itself stays in the root namespace, joined to
the bridge by one more veth pair, and reaches the chain and the nodes at their addresses.

Layout, for a tag T (derived from the devnet's pid) and a /24 subnet S chosen from the tag:

* ``seshT-hub``: the bridge ``br0``;
* ``seshT-0``: the chain (anvil) at S.1; ``seshT-<i>``: node i at S.(10 + i);
* the root namespace at S.254.

Everything is removed by `destroy` (deleting a namespace deletes its veth ends); a devnet killed
with SIGKILL leaves its namespaces behind, and the next `--netns` devnet removes those whose
devnet process is gone (`remove_stale`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field

PREFIX = "sesh"


class NetnsError(Exception):
    """Namespaces cannot be made here (not Linux, not root, no `ip`): one line."""


def _ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise NetnsError(f"ip {' '.join(args)}: {result.stderr.strip() or 'failed'}")


def available() -> str | None:
    """None when this machine can make namespaces; else why not, in one line."""
    if not os.path.exists("/proc/self/ns/net"):
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "network namespaces need root"
    probe = f"{PREFIX}probe{os.getpid()}"
    try:
        _ip("netns", "add", probe)
        _ip("netns", "del", probe)
    except (NetnsError, FileNotFoundError) as error:
        return f"cannot make a network namespace ({error})"
    return None


@dataclass
class Namespaces:
    """The namespaces of one devnet (see the module docstring)."""

    tag: int
    members: int
    """Namespaces besides the hub: the chain's (0) and one per node (1…)."""
    made: list[str] = field(default_factory=list)

    @property
    def subnet(self) -> str:
        return f"10.{200 + self.tag % 50}.{self.tag // 50 % 250}"

    def name(self, index: int) -> str:
        return f"{PREFIX}{self.tag}-{index}"

    @property
    def hub(self) -> str:
        return f"{PREFIX}{self.tag}-hub"

    def address(self, index: int) -> str:
        """The chain's (0) or node i's address."""
        return f"{self.subnet}.{1 if index == 0 else 10 + index}"

    def launcher(self, index: int) -> list[str]:
        """The command prefix that runs a program in namespace `index`."""
        return ["ip", "netns", "exec", self.name(index)]

    def create(self) -> None:
        """Make the hub and the members; on any failure, remove what was made."""
        try:
            self._namespace(self.hub)
            _ip("-n", self.hub, "link", "add", "br0", "type", "bridge")
            _ip("-n", self.hub, "link", "set", "br0", "up")
            for index in range(self.members):
                self.add(index)
            self._veth("r", None, f"{self.subnet}.254")
        except BaseException:
            self.destroy()
            raise

    def add(self, index: int) -> None:
        """One more member namespace, joined to the bridge (a node added later)."""
        if self.name(index) not in self.made:
            self._namespace(self.name(index))
            self._veth(str(index), self.name(index), self.address(index))

    def _namespace(self, name: str) -> None:
        _ip("netns", "add", name)
        self.made.append(name)
        _ip("-n", name, "link", "set", "lo", "up")

    def _veth(self, suffix: str, namespace: str | None, address: str) -> None:
        hub_end, member_end = f"sv{self.tag}{suffix}h", f"sv{self.tag}{suffix}m"
        _ip("link", "add", hub_end, "type", "veth", "peer", "name", member_end)
        _ip("link", "set", hub_end, "netns", self.hub)
        _ip("-n", self.hub, "link", "set", hub_end, "master", "br0", "up")
        where = ["-n", namespace] if namespace else []
        if namespace:
            _ip("link", "set", member_end, "netns", namespace)
        _ip(*where, "addr", "add", f"{address}/24", "dev", member_end)
        _ip(*where, "link", "set", member_end, "up")

    def destroy(self) -> None:
        for name in reversed(self.made):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
        self.made.clear()

    def interface_bytes(self) -> int:
        """Bytes sent through the hub's bridge ports so far (traffic that crossed interfaces)."""
        result = subprocess.run(
            ["ip", "-n", self.hub, "-s", "-o", "link", "show", "type", "veth"],
            capture_output=True,
            text=True,
            check=False,
        )
        total = 0
        for line in result.stdout.splitlines():
            parts = line.split()
            if "TX:" in parts:
                numbers = parts[parts.index("TX:") :]
                total += int(next(p for p in numbers if p.isdigit()))
        return total


def remove_stale() -> None:
    """Remove the namespaces of devnets whose process is gone (killed with SIGKILL)."""
    result = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    for line in result.stdout.splitlines():
        name = line.split()[0] if line.split() else ""
        if not name.startswith(PREFIX) or "-" not in name:
            continue
        tag = name[len(PREFIX) :].split("-", 1)[0]
        if tag.isdigit() and not os.path.exists(f"/proc/{tag}"):
            subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
