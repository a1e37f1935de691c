"""What every semantic check gets, and the shape every check module has."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any, NamedTuple, Protocol

from gencfg.inventory.model import Deployment, Dfdaemon, Layer, OverrideTarget, Vpc
from gencfg.inventory.source import JsonPath, SourceMap, format_path
from gencfg.problem import Level, Problem


class HostRef(NamedTuple):
    """Any machine of the inventory, with its role, for checks that look at all of them."""

    name: str
    ip: str
    role: str
    vpc: Vpc
    path: JsonPath


@dataclasses.dataclass(frozen=True, slots=True)
class DfdaemonRef:
    """A seed peer's or peer group's settings, where they apply, and their overrides."""

    who: str
    vpc: Vpc
    target: OverrideTarget
    settings: Dfdaemon
    layers: tuple[Layer, ...]
    path: JsonPath


@dataclasses.dataclass(slots=True)
class CheckContext:
    """The resolved inventory plus what is needed to point at its source."""

    model: Deployment
    smap: SourceMap
    data: Any = None
    """The inventory as loaded (before defaults), to tell what was written in it."""
    _hosts: list[HostRef] | None = dataclasses.field(default=None, init=False, repr=False)

    def problem(
        self,
        code: str,
        path: JsonPath,
        message: str,
        *,
        level: Level = Level.ERROR,
        key: bool = False,
    ) -> Problem:
        """A problem located at the inventory node ``path`` (its key with ``key=True``)."""
        mark = self.smap.locate(path, key=key)
        return Problem(mark.file, mark.line, mark.col, code, message, level, format_path(path))

    def written(self, path: JsonPath) -> bool:
        """Whether the inventory itself sets ``path`` (not a default or a layer).

        Answered from the loaded data; without it, from the source positions (which
        an inventory that loaded cleanly reads only when they are needed).
        """
        if self.data is None:
            return tuple(path) in self.smap.values
        node = self.data
        for part in path:
            in_mapping = isinstance(node, dict) and isinstance(part, str) and part in node
            in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            if not (in_mapping or in_list):
                return False
            node = node[part]
        return True

    def hosts(self) -> Iterator[HostRef]:
        """Every machine: control-plane VMs, peer VMs and listed Kubernetes nodes.

        Listed once per run: four checks walk every host, and a 100,000-node inventory
        has that many references to make.
        """
        if self._hosts is None:
            self._hosts = list(self._walk_hosts())
        return iter(self._hosts)

    def _walk_hosts(self) -> Iterator[HostRef]:
        for vpc in self.model.vpcs:
            for vm in vpc.control_plane:
                yield HostRef(vm.name, vm.ip, "control-plane VM", vpc, vm.path)
            for pvm in vpc.peer_vms:
                yield HostRef(pvm.name, pvm.ip, "peer VM", vpc, pvm.path)
            for group in vpc.node_groups:
                for node in group.nodes:
                    yield HostRef(node.name, node.ip, "Kubernetes node", vpc, node.path)

    def dfdaemons(self) -> Iterator[DfdaemonRef]:
        """Every seed (on its control-plane VM) and peer (node group, peer VM) in turn."""
        for vpc in self.model.vpcs:
            for vm in vpc.control_plane:
                if vm.runs("seed_peer"):
                    layers = vm.overrides.get("seed_peer", ())
                    yield DfdaemonRef(
                        f"seed peer of {vm.name}", vpc, "seed_peer", vm.seed_peer, layers, vm.path
                    )
            for group in vpc.node_groups:
                layers = group.overrides.get("peer", ())
                yield DfdaemonRef(
                    f"peers of group {group.name}", vpc, "peer", group.peer, layers, group.path
                )
            for pvm in vpc.peer_vms:
                layers = pvm.overrides.get("peer", ())
                yield DfdaemonRef(f"peer {pvm.name}", vpc, "peer", pvm.peer, layers, pvm.path)


class Check(Protocol):
    """A check module: ``ID``, ``CODES`` and ``check``; its docstring documents it."""

    ID: str
    CODES: dict[str, str]

    def check(self, ctx: CheckContext) -> Iterator[Problem]:
        """Yield the problems found in ``ctx``."""
        ...
