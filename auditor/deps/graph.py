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

A provider dnf would not install for the package is no alternative for it: a Conflicts or an
Obsoletes between the two, whichever declares it, or an architecture no host installs beside
the package's (`auditor.deps.coinstall`).
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.deps.coinstall import Architectures, incompatible
from auditor.deps.resolve import Resolved, Status
from auditor.origin.findings import Finding, Verdict
from auditor.rpm.model import Dependency, DependencyKind, Package

if TYPE_CHECKING:
    import networkx as nx


class HopKind(enum.StrEnum):
    """Why one package of a chain needs the next (a string enum: reports write its value)."""

    REQUIRES = "requires"
    BUILD_REQUIRES = "buildrequires"
    BUILT_FROM = "built-from"
    """A binary package and the source package it was built from."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an explanation chain: ``source`` needs ``target`` because of ``requirement``."""

    source: int
    target: int
    kind: HopKind
    requirement: str
    alternatives: int = 1
    """How many packages could satisfy the requirement."""
    tainted: int = 1
    """How many of those are tainted (all of them for ``depends``, some for ``may-depend``)."""
    excluded: int = 0
    """Providers not counted in ``alternatives``: they cannot be installed with ``source``."""


@dataclass(frozen=True, slots=True)
class PackageVerdict:
    verdict: Verdict
    chain: tuple[Hop, ...] = ()


class _Group(NamedTuple):
    """One requirement's alternatives: any one of ``members`` satisfies it.

    A group is shared by every package with that requirement, as the resolver shares its
    answer: a distribution has a quarter of a million requirements and a fifth as many
    distinct ones. The package it belongs to is the key it is listed under.
    """

    kind: HopKind
    dependency: Dependency
    members: tuple[int, ...]
    excluded: int = 0
    """Providers left out of ``members``: the package cannot be installed with them."""


_CLEAN = PackageVerdict(Verdict.CLEAN)
_UNRESOLVED = PackageVerdict(Verdict.UNRESOLVED)


class DependencyGraph:
    """The groups of alternatives behind every edge of a run, and its networkx graph."""

    def __init__(self, packages: Sequence[Package], resolved: Resolved) -> None:
        self.packages = packages
        self.resolved = resolved
        self.runtime: dict[int, list[_Group]] = {}
        self.build: dict[int, list[_Group]] = {}
        self.built_from: dict[int, int] = {}
        self.binaries: dict[int, list[int]] = {}
        self.unresolved: set[int] = set()
        self._graph: nx.DiGraph | None = None
        satisfied, failed = Status.SATISFIED, (Status.UNRESOLVED, Status.INVALID)
        # id(resolution) -> its groups, one table per kind (the resolutions stay alive in
        # ``resolved``, so no other object takes their ids).
        shared: dict[HopKind, dict[int, list[_Group]]] = {HopKind.REQUIRES: {}, HopKind.BUILD_REQUIRES: {}}
        apart_from = incompatible(packages, resolved.matches)
        viable = _Viability(packages)
        for owner, resolutions in resolved.requirements.items():
            source = packages[owner].is_source
            kind = HopKind.BUILD_REQUIRES if source else HopKind.REQUIRES
            known = shared[kind]
            apart = apart_from.get(owner)
            arch = packages[owner].arch
            groups: list[_Group] = []
            listed: set[int] = set()  # a requirement written twice is one group of its package
            for resolution in resolutions:
                if resolution.kind is not DependencyKind.REQUIRES:
                    continue
                status = resolution.status
                if status is satisfied:
                    key = id(resolution)
                    if key in listed:
                        continue
                    listed.add(key)
                    made = known.get(key)
                    if made is None:
                        made = [_Group(kind, resolution.dependency, members) for members in resolution.groups]
                        known[key] = made
                    groups += [viable.of(group, arch, apart) for group in made]
                elif status in failed:
                    self.unresolved.add(owner)
            if groups:
                (self.build if source else self.runtime)[owner] = groups
        sources = {
            package.srpm_file_name: index for index, package in enumerate(packages) if package.is_source
        }
        if sources:
            for index, package in enumerate(packages):
                if package.sourcerpm and not package.is_source:
                    source_index = sources.get(package.sourcerpm)
                    if source_index is not None:
                        self.built_from[index] = source_index
                        self.binaries.setdefault(source_index, []).append(index)

    @property
    def graph(self) -> nx.DiGraph:
        """The networkx graph, built on first use (a plain audit does not need it).

        Edge attributes: ``kind`` (requires, buildrequires, built-from) and
        ``requirements`` (the requirement strings behind the edge).
        """
        if self._graph is None:
            import networkx as nx  # on first use: a plain audit never needs it

            graph = nx.DiGraph()
            graph.add_nodes_from(range(len(self.packages)))
            edges: dict[tuple[int, int], dict[str, Any]] = {}
            for owner, groups in (*self.runtime.items(), *self.build.items()):
                for group in groups:
                    text = str(group.dependency)
                    for member in group.members:
                        if member != owner:
                            attributes = edges.setdefault(
                                (owner, member), {"kind": group.kind, "requirements": []}
                            )
                            attributes["requirements"].append(text)
            for binary, source in self.built_from.items():
                edges[(binary, source)] = {
                    "kind": HopKind.BUILT_FROM,
                    "requirements": [self.packages[binary].sourcerpm or ""],
                }
            graph.add_edges_from((a, b, attributes) for (a, b), attributes in edges.items())
            self._graph = graph
        return self._graph

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

    def propagate(self, findings: Mapping[int, Sequence[Finding]]) -> Propagation:
        """Every taint of every package: what makes it origin, and each way it depends on origin.

        A package can be several things at once (a binary that depends on an origin package at
        run time *and* whose source cannot be built without one; a source package whose build is
        tainted *and* that has a requirement nothing provides). Each is recorded with its own
        chain, so none hides another.
        """
        origin = {index for index, items in findings.items() if any(f.effective for f in items)}
        origin_chain: dict[int, tuple[Hop, ...]] = {}
        for index in origin:
            items = findings[index]
            if all(f.inherited_from for f in items if f.effective) and index in self.built_from:
                source = self.built_from[index]
                origin_chain[index] = (
                    Hop(index, source, HopKind.BUILT_FROM, self.packages[index].sourcerpm or ""),
                )
        reverse = _reverse(self.runtime) if origin else {}  # with nothing tainted, nothing spreads
        depends, depends_via = _least_fixed_point(origin, self.runtime, reverse)
        tainted = origin | depends
        may, may_via = _reachable(tainted, reverse)
        build_tainted, build_via = _build_fixed_point(tainted, self.build, self.binaries, self.packages)
        runtime_via = {**may_via, **depends_via}
        any_via = {**build_via, **depends_via}
        return Propagation(
            origin={index: origin_chain.get(index, ()) for index in origin},
            depends={index: _chain(index, depends_via, origin_chain) for index in depends},
            may_depend={index: _chain(index, runtime_via, origin_chain) for index in may},
            build_depends={
                index: (build_via[index], *_chain(build_via[index].target, any_via, origin_chain))
                for index in build_tainted
            },
            unresolved=frozenset(self.unresolved),
        )

    def verdicts(self, findings: Mapping[int, Sequence[Finding]]) -> dict[int, PackageVerdict]:
        """The worst status of every package of the run, with its chain."""
        propagation = self.propagate(findings)
        return {index: propagation.verdict(index) for index in range(len(self.packages))}


@dataclass(frozen=True)
class Propagation:
    """The taints of a run, each with the chain that proves it (empty for a package's own evidence)."""

    origin: Mapping[int, tuple[Hop, ...]]
    depends: Mapping[int, tuple[Hop, ...]]
    may_depend: Mapping[int, tuple[Hop, ...]]
    build_depends: Mapping[int, tuple[Hop, ...]]
    unresolved: frozenset[int]

    def taints(self, index: int) -> list[tuple[Verdict, tuple[Hop, ...]]]:
        """Every status that applies to ``index``, worst first (never ``clean``)."""
        found = [
            (verdict, chain)
            for verdict, chains in self._by_severity
            if (chain := chains.get(index)) is not None
        ]
        if index in self.unresolved:
            found.append((Verdict.UNRESOLVED, ()))
        return found

    def verdict(self, index: int) -> PackageVerdict:
        """The worst status of ``index`` and its chain: what a person is shown first."""
        for verdict, chains in self._by_severity:
            chain = chains.get(index)
            if chain is not None:
                return PackageVerdict(verdict, chain)
        return _UNRESOLVED if index in self.unresolved else _CLEAN

    @functools.cached_property
    def _by_severity(self) -> tuple[tuple[Verdict, Mapping[int, tuple[Hop, ...]]], ...]:
        """The taints, worst first: built once, read for every package of the run."""
        return (
            (Verdict.ORIGIN, self.origin),
            (Verdict.DEPENDS, self.depends),
            (Verdict.MAY_DEPEND, self.may_depend),
            (Verdict.BUILD_DEPENDS, self.build_depends),
        )


def _chain(
    start: int, via: Mapping[int, Hop], origin_chain: Mapping[int, tuple[Hop, ...]]
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


def _hop(owner: int, group: _Group, target: int, tainted: int) -> Hop:
    return Hop(owner, target, group.kind, str(group.dependency), len(group.members), tainted, group.excluded)


class _Viability:
    """Which providers of a group dnf could install for one package (`auditor.deps.coinstall`)."""

    def __init__(self, packages: Sequence[Package]) -> None:
        self.arches = [package.arch for package in packages]
        self.together = Architectures().together
        self._by_arch: dict[tuple[int, str], _Group] = {}
        """(id of a shared group, a package's architecture) -> that group for such a package:
        the groups are shared by every package with the requirement, and so is the answer
        (made while the graph is built, when the shared groups are all alive: no other object
        takes their ids)."""

    def of(self, group: _Group, arch: str, apart: set[int] | None) -> _Group:
        """``group`` for a package of ``arch`` that cannot be installed with ``apart``: without
        the providers dnf would not install for it.

        A group left empty stays whole: whether a requirement resolves is the resolver's answer
        (compared with libsolv's and dnf's), and the graph does not turn it into another status.
        """
        members = group.members
        if len(members) < 2:
            return group  # its one provider is kept, whatever it is
        if apart is None:
            key = (id(group), arch)
            found = self._by_arch.get(key)
            if found is None:
                found = self._by_arch[key] = self._kept(group, arch, None)
            return found
        return self._kept(group, arch, apart)

    def _kept(self, group: _Group, arch: str, apart: set[int] | None) -> _Group:
        members = group.members
        arches, together = self.arches, self.together
        kept = tuple(
            member
            for member in members
            if (apart is None or member not in apart) and together(arch, arches[member])
        )
        if not kept or len(kept) == len(members):
            return group
        return group._replace(members=kept, excluded=len(members) - len(kept))


_Edge = tuple[int, _Group]
"""A package, and one of its groups: what reverse edges lead to."""


def _reverse(groups: Mapping[int, list[_Group]]) -> dict[int, list[_Edge]]:
    """member -> (package, group) for every group of a package that it is an alternative of."""
    reverse: dict[int, list[_Edge]] = {}
    for owner, owner_groups in groups.items():
        for group in owner_groups:
            edge = (owner, group)
            for member in group.members:
                found = reverse.get(member)
                if found is None:
                    reverse[member] = [edge]
                else:
                    found.append(edge)
    return reverse


def _least_fixed_point(
    seeds: set[int], groups: Mapping[int, list[_Group]], reverse: Mapping[int, list[_Edge]]
) -> tuple[set[int], dict[int, Hop]]:
    """Packages outside ``seeds`` with a requirement whose every alternative is tainted, transitively.

    Each group of each package counts its members not yet tainted (a group's members are
    distinct, and a package lists a group once); a package becomes tainted when one of its
    groups reaches zero. Only groups that a tainted package belongs to are ever counted.
    """
    remaining: dict[tuple[int, int], int] = {}
    distance = dict.fromkeys(seeds, 0)
    via: dict[int, Hop] = {}
    tainted: set[int] = set()
    queue = deque(seeds)
    while queue:
        node = queue.popleft()
        for owner, group in reverse.get(node, ()):
            key = (owner, id(group))
            left = remaining.get(key, len(group.members)) - 1
            remaining[key] = left
            if left or owner in distance:
                continue
            nearest = min(group.members, key=lambda member: distance.get(member, 1 << 30))
            distance[owner] = distance[nearest] + 1
            via[owner] = _hop(owner, group, nearest, len(group.members))
            tainted.add(owner)
            queue.append(owner)
    return tainted, via


def _reachable(tainted: set[int], reverse: Mapping[int, list[_Edge]]) -> tuple[set[int], dict[int, Hop]]:
    """Packages that can reach a tainted package through some alternative (``may-depend``)."""
    found: set[int] = set()
    via: dict[int, Hop] = {}
    queue = deque(tainted)
    while queue:
        node = queue.popleft()
        for owner, group in reverse.get(node, ()):
            if owner in tainted or owner in found:
                continue
            found.add(owner)
            count = sum(1 for member in group.members if member in tainted or member in found)
            via[owner] = _hop(owner, group, node, count)
            queue.append(owner)
    return found, via


def _build_fixed_point(
    tainted: set[int],
    build: Mapping[int, list[_Group]],
    binaries: Mapping[int, list[int]],
    packages: Sequence[Package],
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
                    via[source] = _hop(source, group, nearest, len(group.members))
                    for binary in binaries.get(source, ()):
                        # A binary tainted at run time is recorded here too: each taint is its own fact.
                        if binary not in found:
                            found.add(binary)
                            via[binary] = Hop(
                                binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or ""
                            )
                    changed = True
                    break
    return found, via
