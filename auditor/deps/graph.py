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

Each taint is found per category of origin packages (``citrix``, ``proprietary``), with the
shortest chain to one of that category, and an origin package's taints are the *other* origin
packages it needs: a waiver or a baseline entry that accepts one of them accepts no other.
"""

from __future__ import annotations

import enum
import functools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from auditor.deps.coinstall import Architectures, incompatible
from auditor.deps.resolve import Resolved, Status
from auditor.origin.findings import Category, Finding, Verdict
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
        tainted *and* that has a requirement nothing provides; an origin package that also needs
        another origin package). Each status is recorded per category of the origin packages it
        leads to, each with its own shortest chain, so that accepting one (a waiver scoped by
        category, a baseline entry) never accepts another.
        """
        categories: dict[int, set[Category]] = {}
        for index, items in findings.items():
            found = {finding.category for finding in items if finding.effective}
            if found:
                categories[index] = found
        origin = set(categories)
        origin_chain: dict[int, tuple[Hop, ...]] = {}
        for index in origin:
            items = findings[index]
            if all(f.inherited_from for f in items if f.effective) and index in self.built_from:
                source = self.built_from[index]
                origin_chain[index] = (
                    Hop(index, source, HopKind.BUILT_FROM, self.packages[index].sourcerpm or ""),
                )
        if not origin:  # with nothing tainted, nothing spreads
            return Propagation({}, {}, {}, {}, frozenset(self.unresolved))
        reverse = _reverse(self.runtime)
        depends, complete = _least_fixed_point(origin, reverse)
        tainted = origin | depends
        blocked = _build_fixed_point(tainted, self.build, self.binaries)
        names = self.packages
        by_category: dict[Verdict, dict[Category, dict[int, tuple[Hop, ...]]]] = {
            Verdict.DEPENDS: {},
            Verdict.MAY_DEPEND: {},
            Verdict.BUILD_DEPENDS: {},
        }
        for category in Category:
            # Sorted by name: of two origin packages equally near, a chain ends at the same one
            # whatever order the inputs were read in (a baseline entry names it).
            sources = sorted(
                (index for index, found in categories.items() if category in found),
                key=lambda index: (names[index].name, index),
            )
            if not sources:
                continue
            needs = _ChainMaker(_nearest_two(sources, complete), origin_chain)
            runtime = {index: needs.chain(index, end) for index, end in needs.ends()}
            labels = _nearest_two(sources, reverse)
            anyway = _ChainMaker(labels, origin_chain, set(labels[0]))
            may = {index: anyway.chain(index, end) for index, end in anyway.ends() if index not in runtime}
            by_category[Verdict.DEPENDS][category] = runtime
            by_category[Verdict.MAY_DEPEND][category] = may
            own = {index: origin_chain.get(index, ()) for index in sources}
            by_category[Verdict.BUILD_DEPENDS][category] = _build_chains(
                blocked, tainted, self.build, self.binaries, self.built_from, names, runtime, own
            )
        return Propagation(
            origin={index: origin_chain.get(index, ()) for index in origin},
            depends=_shortest(by_category[Verdict.DEPENDS]),
            may_depend=_shortest(by_category[Verdict.MAY_DEPEND]),
            build_depends=_shortest(by_category[Verdict.BUILD_DEPENDS]),
            unresolved=frozenset(self.unresolved),
            by_category=by_category,
        )

    def verdicts(self, findings: Mapping[int, Sequence[Finding]]) -> dict[int, PackageVerdict]:
        """The worst status of every package of the run, with its chain."""
        propagation = self.propagate(findings)
        return {index: propagation.verdict(index) for index in range(len(self.packages))}


@dataclass(frozen=True)
class Propagation:
    """The taints of a run, each with the chain that proves it (empty for a package's own evidence).

    ``depends``, ``may_depend`` and ``build_depends`` hold each package's shortest chain of any
    category (what a person is shown first); ``by_category`` holds, per status, the shortest
    chain to an origin package of each category, the taints the facts are made of.
    """

    origin: Mapping[int, tuple[Hop, ...]]
    depends: Mapping[int, tuple[Hop, ...]]
    may_depend: Mapping[int, tuple[Hop, ...]]
    build_depends: Mapping[int, tuple[Hop, ...]]
    unresolved: frozenset[int]
    by_category: Mapping[Verdict, Mapping[Category, Mapping[int, tuple[Hop, ...]]]] = field(
        default_factory=dict
    )

    def taints(self, index: int) -> list[tuple[Verdict, Category | None, tuple[Hop, ...]]]:
        """Every taint of ``index``: its status, the category of the origin packages it leads to
        and the chain, worst status first, then by category (never ``clean``). Its own evidence
        is one ``origin`` taint with no category (its findings have theirs)."""
        found = self._taints.get(index)
        if index in self.unresolved:
            return [*(found or ()), (Verdict.UNRESOLVED, None, ())]
        return list(found) if found is not None else []

    @functools.cached_property
    def _taints(self) -> dict[int, list[tuple[Verdict, Category | None, tuple[Hop, ...]]]]:
        """The taints by package, built once: most packages of a distribution have none."""
        taints: dict[int, list[tuple[Verdict, Category | None, tuple[Hop, ...]]]] = {
            index: [(Verdict.ORIGIN, None, chain)] for index, chain in self.origin.items()
        }
        for verdict, by_category in self.by_category.items():
            for category, chains in by_category.items():
                for index, chain in chains.items():
                    found = taints.get(index)
                    if found is None:
                        taints[index] = [(verdict, category, chain)]
                    else:
                        found.append((verdict, category, chain))
        return taints

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
    seeds: set[int], reverse: Mapping[int, list[_Edge]]
) -> tuple[set[int], dict[int, list[_Edge]]]:
    """Packages outside ``seeds`` with a requirement whose every alternative is tainted, transitively;
    and, member -> (package, group), every group of every package whose alternatives all are.

    Each group of each package counts its members not yet tainted (a group's members are
    distinct, and a package lists a group once); a package becomes tainted when one of its
    groups reaches zero. Only groups that a tainted package belongs to are ever counted. A
    group the package belongs to itself never counts: the package satisfies it on its own.
    The seeds' own groups count too: an origin package can need another one.
    """
    remaining: dict[tuple[int, int], int] = {}
    tainted = set(seeds)
    complete: dict[int, list[_Edge]] = {}
    queue = deque(seeds)
    while queue:
        node = queue.popleft()
        for owner, group in reverse.get(node, ()):
            key = (owner, id(group))
            left = remaining.get(key, len(group.members)) - 1
            remaining[key] = left
            if left:
                continue
            members = group.members
            if owner in members:
                continue
            edge = (owner, group)
            for member in members:
                found = complete.get(member)
                if found is None:
                    complete[member] = [edge]
                else:
                    found.append(edge)
            if owner not in tainted:
                tainted.add(owner)
                queue.append(owner)
    return tainted - seeds, complete


_Label = tuple[int, int, "_Group | None"]
"""(origin package the label leads to, the next package toward it, the group that needs it)."""


def _nearest_two(sources: Sequence[int], edges: Mapping[int, list[_Edge]]) -> tuple[dict[int, _Label], ...]:
    """For every package that reaches ``sources`` over ``edges``, its two nearest distinct sources.

    Breadth first from every source at once, a package keeping the first two distinct sources
    that reach it: the nearest, and the nearest other one. A source's nearest is itself, so the
    second is the nearest *other* origin package it needs: a chain that starts at a package and
    ends at it is no dependency. Sources come in name order, and a breadth-first queue keeps that
    order within each distance, so the source a package keeps is the first by name among the
    equally near ones.
    """
    first: dict[int, _Label] = {source: (source, source, None) for source in sources}
    second: dict[int, _Label] = {}
    queue = deque((source, source) for source in sources)
    while queue:
        node, end = queue.popleft()
        for owner, group in edges.get(node, ()):
            label = first.get(owner)
            if label is None:
                first[owner] = (end, node, group)
            elif label[0] == end or owner in second:
                continue
            else:
                second[owner] = (end, node, group)
            queue.append((owner, end))
    return first, second


class _ChainMaker:
    """The chains of one `_nearest_two` answer, each to the nearest origin package but the package itself.

    A package's chain is its hop toward the label's next package, then that package's chain to
    the same end: each label's chain is built once and shared by every chain that runs through
    it (a distribution's chains share most of their hops).
    """

    def __init__(
        self,
        labels: tuple[dict[int, _Label], ...],
        origin_chain: Mapping[int, tuple[Hop, ...]],
        reached: set[int] | None = None,
    ):
        self.first, self.second = labels
        self.origin_chain = origin_chain
        self.reached = reached
        """With it, a hop counts its alternatives in it as tainted; else all of them (every
        alternative of a group it followed was tainted)."""
        self._by_first: dict[int, tuple[Hop, ...]] = {}
        self._by_second: dict[int, tuple[Hop, ...]] = {}

    def ends(self) -> Iterator[tuple[int, int]]:
        """(package, the origin package its chain ends at) for every package with a chain."""
        second = self.second
        for index, (end, _next, _group) in self.first.items():
            if end != index:
                yield index, end
            else:
                other = second.get(index)
                if other is not None:
                    yield index, other[0]

    def chain(self, index: int, end: int) -> tuple[Hop, ...]:
        """``index``'s chain to ``end``, one of its labels' ends (never itself)."""
        first, second = self.first, self.second
        by_first, by_second = self._by_first, self._by_second
        reached = self.reached
        path: list[tuple[dict[int, tuple[Hop, ...]], int, Hop]] = []
        node = index
        while True:
            if node == end:
                tail = self.origin_chain.get(end, ())
                break
            label = first[node]
            known = by_first
            if label[0] != end:
                label = second[node]
                known = by_second
            done = known.get(node)
            if done is not None:
                tail = done
                break
            _end, target, group = label
            assert group is not None  # only a source's own label has none, and it is no other's end
            members = group.members
            count = len(members) if reached is None else sum(1 for m in members if m in reached)
            path.append((known, node, _hop(node, group, target, count)))
            node = target
        for known, node, hop in reversed(path):
            tail = (hop, *tail)
            known[node] = tail
        return tail


def _shortest(chains: Mapping[Category, Mapping[int, tuple[Hop, ...]]]) -> dict[int, tuple[Hop, ...]]:
    """Each package's shortest chain of any category (the first category's on a tie)."""
    shortest: dict[int, tuple[Hop, ...]] = {}
    for found in chains.values():
        for index, chain in found.items():
            known = shortest.get(index)
            if known is None or len(chain) < len(known):
                shortest[index] = chain
    return shortest


def _build_fixed_point(
    tainted: set[int], build: Mapping[int, list[_Group]], binaries: Mapping[int, list[int]]
) -> set[int]:
    """Source packages that cannot be built without tainted packages, and the binaries built from them."""
    found: set[int] = set()
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
                    # A binary tainted at run time is recorded here too: each taint is its own fact.
                    found.update(binaries.get(source, ()))
                    changed = True
                    break
    return found


def _build_chains(
    blocked: set[int],
    tainted: set[int],
    build: Mapping[int, list[_Group]],
    binaries: Mapping[int, list[int]],
    built_from: Mapping[int, int],
    packages: Sequence[Package],
    runtime: Mapping[int, tuple[Hop, ...]],
    own: Mapping[int, tuple[Hop, ...]],
) -> dict[int, tuple[Hop, ...]]:
    """The shortest build chain of each of ``blocked`` to an origin package of one category.

    ``runtime`` and ``own`` are the run-time chains of that category and its origin packages (an
    origin package is its own chain's end). Relaxed until nothing gets shorter: the build
    packages a distribution blocks are few, and their chains short.
    """
    sources = sorted(index for index in blocked if index in build)
    chains: dict[int, tuple[Hop, ...]] = {}

    def tail(member: int) -> tuple[Hop, ...] | None:
        found = own.get(member)
        if found is None:
            found = runtime.get(member)
        if found is None:
            source = built_from.get(member)
            if member in blocked and source is not None and source in chains:
                hop = Hop(member, source, HopKind.BUILT_FROM, packages[member].sourcerpm or "")
                found = (hop, *chains[source])
        return found

    changed = True
    while changed:
        changed = False
        for source in sources:
            best = chains.get(source)
            for group in build[source]:
                members = group.members
                if not members or not all(member in tainted or member in blocked for member in members):
                    continue
                for member in members:
                    rest = tail(member)
                    if rest is not None and (best is None or len(rest) + 1 < len(best)):
                        best = (_hop(source, group, member, len(members)), *rest)
                        changed = True
            if best is not None:
                chains[source] = best
    for source, chain in list(chains.items()):
        for binary in binaries.get(source, ()):
            chains[binary] = (
                Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or ""),
                *chain,
            )
    return chains
