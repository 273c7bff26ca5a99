"""The dependency graph of a run, and the propagation of origin verdicts along it.

Nodes are package ids. Edges say why one package needs another:

- ``requires``: a runtime requirement of a binary package to each package that can
  satisfy it (one requirement's providers are alternatives: any one will do);
- ``built-from``: a binary package to the source package it was built from;
- ``buildrequires``: a source package to each package that can satisfy a BuildRequires.

Propagation is a least fixed point computed with a worklist over reverse edges, so
dependency cycles (normal in a distribution) need no special case and nothing recurses:
a package *depends* on origin packages when, for one of its requirements, every
alternative is tainted; members of a cycle with no tainted way out stay clean.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from auditor.findings import Finding, Verdict
from auditor.model import Package
from auditor.resolve import Resolved, Status


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an explanation chain: ``source`` needs ``target`` because of ``requirement``."""

    source: int
    target: int
    kind: str
    """``requires``, ``buildrequires`` or ``built-from``."""
    requirement: str
    alternatives: int = 1
    """How many packages could satisfy the requirement."""
    tainted: int = 1
    """How many of those are tainted (all of them for ``depends``, some for ``may-depend``)."""


@dataclass(frozen=True, slots=True)
class PackageVerdict:
    verdict: Verdict
    chain: tuple[Hop, ...] = ()


@dataclass(frozen=True, slots=True)
class _Group:
    owner: int
    kind: str
    requirement: str
    members: tuple[int, ...]


class DependencyGraph:
    """The networkx graph of one run, with the groups of alternatives behind its edges."""

    def __init__(self, packages: Sequence[Package], resolved: Resolved) -> None:
        self.packages = packages
        self.resolved = resolved
        self.graph = nx.DiGraph()
        self.graph.add_nodes_from(range(len(packages)))
        self.runtime: dict[int, list[_Group]] = {}
        self.build: dict[int, list[_Group]] = {}
        self.built_from: dict[int, int] = {}
        self.binaries: dict[int, list[int]] = {}
        edges: dict[tuple[int, int], dict[str, object]] = {}
        for owner, resolutions in resolved.requirements.items():
            source = packages[owner].is_source
            kind = "buildrequires" if source else "requires"
            for resolution in resolutions:
                if resolution.kind != "requires" or resolution.status is not Status.SATISFIED:
                    continue
                text = str(resolution.dependency)
                for members in resolution.groups:
                    group = _Group(owner, kind, text, members)
                    (self.build if source else self.runtime).setdefault(owner, []).append(group)
                    for member in members:
                        if member == owner:
                            continue
                        attributes = edges.setdefault((owner, member), {"kind": kind, "requirements": []})
                        requirements = attributes["requirements"]
                        assert isinstance(requirements, list)
                        requirements.append(text)
        sources = {
            f"{package.name}-{package.version}-{package.release}.src.rpm": index
            for index, package in enumerate(packages)
            if package.is_source
        }
        for index, package in enumerate(packages):
            if package.is_source or not package.sourcerpm:
                continue
            source_index = sources.get(package.sourcerpm)
            if source_index is not None:
                self.built_from[index] = source_index
                self.binaries.setdefault(source_index, []).append(index)
                edges[(index, source_index)] = {"kind": "built-from", "requirements": [package.sourcerpm]}
        self.graph.add_edges_from((a, b, attributes) for (a, b), attributes in edges.items())

    # -- closure from roots -------------------------------------------------------------

    def runtime_closure(self, roots: Iterable[int]) -> set[int]:
        """Every package that installing ``roots`` may pull in (every alternative counted)."""
        seen = set(roots)
        queue = deque(seen)
        while queue:
            node = queue.popleft()
            for group in self.runtime.get(node, ()):
                for member in group.members:
                    if member not in seen:
                        seen.add(member)
                        queue.append(member)
        return seen

    # -- propagation --------------------------------------------------------------------

    def verdicts(self, findings: Mapping[int, Sequence[Finding]]) -> dict[int, PackageVerdict]:
        """The verdict and explanation chain of every package of the run."""
        origin = {index for index, items in findings.items() if any(f.effective for f in items)}
        origin_chain: dict[int, tuple[Hop, ...]] = {}
        for index in origin:
            items = findings[index]
            if all(f.inherited_from for f in items if f.effective) and index in self.built_from:
                source = self.built_from[index]
                origin_chain[index] = (
                    Hop(index, source, "built-from", self.packages[index].sourcerpm or ""),
                )
        depends, depends_via = _least_fixed_point(origin, self.runtime)
        tainted = origin | depends
        may, may_via = _reachable(tainted, self.runtime)
        build_tainted, build_via = _build_fixed_point(tainted, self.build, self.binaries)
        result: dict[int, PackageVerdict] = {}
        unresolved = {
            owner
            for owner, resolutions in self.resolved.requirements.items()
            if any(
                r.kind == "requires" and r.status in (Status.UNRESOLVED, Status.INVALID) for r in resolutions
            )
        }
        for index in range(len(self.packages)):
            if index in origin:
                result[index] = PackageVerdict(Verdict.ORIGIN, origin_chain.get(index, ()))
            elif index in depends:
                result[index] = PackageVerdict(Verdict.DEPENDS, self._chain(index, depends_via, origin_chain))
            elif index in may:
                result[index] = PackageVerdict(
                    Verdict.MAY_DEPEND, self._chain(index, {**may_via, **depends_via}, origin_chain)
                )
            elif index in build_tainted:
                via = {**build_via, **depends_via}
                result[index] = PackageVerdict(Verdict.BUILD_DEPENDS, self._chain(index, via, origin_chain))
            elif index in unresolved:
                result[index] = PackageVerdict(Verdict.UNRESOLVED)
            else:
                result[index] = PackageVerdict(Verdict.CLEAN)
        return result

    def _chain(
        self, start: int, via: Mapping[int, Hop], origin_chain: Mapping[int, tuple[Hop, ...]]
    ) -> tuple[Hop, ...]:
        hops: list[Hop] = []
        seen = {start}
        node = start
        while node in via:
            hop = via[node]
            hops.append(hop)
            node = hop.target
            if node in seen:
                break
            seen.add(node)
        hops.extend(origin_chain.get(node, ()))
        return tuple(hops)


def _least_fixed_point(
    seeds: set[int], groups: Mapping[int, list[_Group]]
) -> tuple[set[int], dict[int, Hop]]:
    """Packages outside ``seeds`` with a requirement whose every alternative is tainted, transitively."""
    waiting: dict[int, list[tuple[_Group, list[int]]]] = {}
    for owner_groups in groups.values():
        for group in owner_groups:
            counter = [len(group.members)]
            for member in group.members:
                waiting.setdefault(member, []).append((group, counter))
    distance = dict.fromkeys(seeds, 0)
    via: dict[int, Hop] = {}
    tainted: set[int] = set()
    queue = deque(seeds)
    while queue:
        node = queue.popleft()
        for group, counter in waiting.get(node, ()):
            counter[0] -= 1
            owner = group.owner
            if counter[0] or owner in distance:
                continue
            nearest = min(group.members, key=lambda member: distance.get(member, 1 << 30))
            distance[owner] = distance[nearest] + 1
            count = len(group.members)
            via[owner] = Hop(owner, nearest, group.kind, group.requirement, count, count)
            tainted.add(owner)
            queue.append(owner)
    return tainted, via


def _reachable(tainted: set[int], groups: Mapping[int, list[_Group]]) -> tuple[set[int], dict[int, Hop]]:
    """Packages that can reach a tainted package through some alternative (``may-depend``)."""
    reverse: dict[int, list[_Group]] = {}
    for owner_groups in groups.values():
        for group in owner_groups:
            for member in group.members:
                reverse.setdefault(member, []).append(group)
    found: set[int] = set()
    via: dict[int, Hop] = {}
    queue = deque(tainted)
    while queue:
        node = queue.popleft()
        for group in reverse.get(node, ()):
            owner = group.owner
            if owner in tainted or owner in found:
                continue
            found.add(owner)
            count = sum(1 for member in group.members if member in tainted or member in found)
            via[owner] = Hop(owner, node, group.kind, group.requirement, len(group.members), count)
            queue.append(owner)
    return found, via


def _build_fixed_point(
    tainted: set[int], build: Mapping[int, list[_Group]], binaries: Mapping[int, list[int]]
) -> tuple[set[int], dict[int, Hop]]:
    """Source packages that cannot be built without tainted packages, and the binaries built from them."""
    found: set[int] = set()
    via: dict[int, Hop] = {}
    changed = True
    while changed:
        changed = False
        blocked = tainted | found
        for source, source_groups in build.items():
            if source in found:
                continue
            for group in source_groups:
                if group.members and all(member in blocked for member in group.members):
                    found.add(source)
                    nearest = next((m for m in group.members if m in tainted), group.members[0])
                    count = len(group.members)
                    via[source] = Hop(source, nearest, "buildrequires", group.requirement, count, count)
                    for binary in binaries.get(source, ()):
                        if binary not in tainted and binary not in found:
                            found.add(binary)
                            via[binary] = Hop(binary, source, "built-from", "")
                    changed = True
                    break
    return found, via
