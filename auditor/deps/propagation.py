"""How origin verdicts spread along the dependency graph (`auditor.deps.graph`).

Propagation is a least fixed point computed with a worklist over reverse edges
(`auditor.deps.edges`, with the nearest-source search the chains are built from), so
dependency cycles (normal in a distribution) need no special case and nothing recurses:
a package *depends* on origin packages when, for one of its requirements, every
alternative is tainted; members of a cycle with no tainted way out stay clean.

Each taint is found per category of origin packages (``citrix``, ``proprietary``), with the
shortest chain to one of that category, and an origin package's taints are the *other* origin
packages it needs: a waiver or a baseline entry that accepts one of them accepts no other.

A package some hosts lack (one reader of its repository's configuration hides it, or only yum
installs its architecture: `Resolved.present_on`) is a provider like any other, so its taint
spreads, and no way around: a requirement whose other providers are all tainted depends on
them, as it does on the hosts that lack it. The verdict is the worst over the hosts (dnf's, and
yum's, which names an x86_64 host ia32e or amd64).
"""

from __future__ import annotations

import functools
from collections.abc import Container, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.deps.edges import NOBODY, Label, lacking_alike, least_fixed_point, nearest_two, reverse
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Chain, Group, Hop, HopKind, PackageVerdict
from auditor.origin.findings import Category, Finding, Verdict

_CLEAN = PackageVerdict(Verdict.CLEAN)
_UNRESOLVED = PackageVerdict(Verdict.UNRESOLVED)


def propagate(graph: DependencyGraph, findings: Mapping[int, Sequence[Finding]]) -> Propagation:
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
    origin_chain: dict[int, Chain] = {}
    for index in origin:
        items = findings[index]
        if all(f.inherited_from for f in items if f.effective) and index in graph.built_from:
            source = graph.built_from[index]
            # Of the copies it may have been built from, one whose evidence it carries.
            others = graph.also_built_from.get(index, ())
            source = next(
                (one for one in (source, *others) if any(f.effective for f in findings.get(one, ()))), source
            )
            origin_chain[index] = Chain(
                Hop(index, source, HopKind.BUILT_FROM, graph.packages[index].sourcerpm or "")
            )
    if not origin:  # with nothing tainted, nothing spreads
        return Propagation({}, {}, {}, {}, frozenset(graph.unresolved))
    partly = graph.resolved.present_on
    reverse_edges = reverse(graph.runtime)
    depends, complete = least_fixed_point(origin, reverse_edges, partly)
    tainted = origin | depends
    blocked = _build_fixed_point(tainted, graph.build, graph.binaries, partly)
    names = graph.packages
    by_category: dict[Verdict, dict[Category, dict[int, Chain]]] = {
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
        # Where some hosts lack a member, a complete group's members are not all tainted: count them.
        needs = _ChainMaker(nearest_two(sources, complete), origin_chain, tainted if partly else None, partly)
        runtime = {index: needs.chain(index, end) for index, end in needs.ends()}
        labels = nearest_two(sources, reverse_edges)
        anyway = _ChainMaker(labels, origin_chain, set(labels[0]), partly)
        may = {index: anyway.chain(index, end) for index, end in anyway.ends() if index not in runtime}
        by_category[Verdict.DEPENDS][category] = runtime
        by_category[Verdict.MAY_DEPEND][category] = may
        own = {index: origin_chain.get(index) for index in sources}
        by_category[Verdict.BUILD_DEPENDS][category] = _build_chains(blocked, tainted, graph, runtime, own)
    return Propagation(
        origin={index: origin_chain.get(index, ()) for index in origin},
        depends=_shortest(by_category[Verdict.DEPENDS]),
        may_depend=_shortest(by_category[Verdict.MAY_DEPEND]),
        build_depends=_shortest(by_category[Verdict.BUILD_DEPENDS]),
        unresolved=frozenset(graph.unresolved),
        by_category=by_category,
    )


def package_verdicts(
    graph: DependencyGraph, findings: Mapping[int, Sequence[Finding]]
) -> dict[int, PackageVerdict]:
    """The worst status of every package of the run, with its chain."""
    propagation = propagate(graph, findings)
    return {index: propagation.verdict(index) for index in range(len(graph.packages))}


@dataclass(frozen=True)
class Propagation:
    """The taints of a run, each with the chain that proves it (empty for a package's own evidence).

    ``depends``, ``may_depend`` and ``build_depends`` hold each package's shortest chain of any
    category (what a person is shown first); ``by_category`` holds, per status, the shortest
    chain to an origin package of each category, the taints the facts are made of.
    """

    origin: Mapping[int, Sequence[Hop]]
    depends: Mapping[int, Sequence[Hop]]
    may_depend: Mapping[int, Sequence[Hop]]
    build_depends: Mapping[int, Sequence[Hop]]
    unresolved: frozenset[int]
    by_category: Mapping[Verdict, Mapping[Category, Mapping[int, Sequence[Hop]]]] = field(
        default_factory=dict
    )

    def taints(self, index: int) -> list[tuple[Verdict, Category | None, Sequence[Hop]]]:
        """Every taint of ``index``: its status, the category of the origin packages it leads to
        and the chain, worst status first, then by category (never ``clean``). Its own evidence
        is one ``origin`` taint with no category (its findings have theirs)."""
        found = self._taints.get(index)
        if index in self.unresolved:
            return [*(found or ()), (Verdict.UNRESOLVED, None, ())]
        return list(found) if found is not None else []

    @functools.cached_property
    def _taints(self) -> dict[int, list[tuple[Verdict, Category | None, Sequence[Hop]]]]:
        """The taints by package, built once: most packages of a distribution have none."""
        taints: dict[int, list[tuple[Verdict, Category | None, Sequence[Hop]]]] = {
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
    def _by_severity(self) -> tuple[tuple[Verdict, Mapping[int, Sequence[Hop]]], ...]:
        """The taints, worst first: built once, read for every package of the run."""
        return (
            (Verdict.ORIGIN, self.origin),
            (Verdict.DEPENDS, self.depends),
            (Verdict.MAY_DEPEND, self.may_depend),
            (Verdict.BUILD_DEPENDS, self.build_depends),
        )


def _hop(owner: int, group: Group, target: int, tainted: int, partly: Container[int]) -> Hop:
    requirement = str(group.dependency) + (ROUGHLY if group.rough else "")
    lacking = sum(1 for member in group.members if member in partly) if partly else 0
    return Hop(owner, target, group.kind, requirement, len(group.members), tainted, group.excluded, lacking)


ROUGHLY = " [read roughly: too many ways to meet it; a clean one may exist]"
"""Said in every hop through a requirement read past `auditor.deps.rich.MAX_CLAUSES`: the
chain that proves a taint then proves less, and a reader must know it."""


_COUNTED_AT_ONCE = 8
"""A group of up to this many alternatives is counted where it is met; a larger one once
(`_ChainMaker`): n packages that require one capability of n providers share its group."""


class _ChainMaker:
    """The chains of one `nearest_two` answer (`auditor.deps.edges`), each to the nearest origin
    package but the package itself.

    A package's chain is its hop toward the label's next package, then that package's chain to
    the same end (a `Chain` whose rest is that chain): each label's chain is built once and
    shared by every chain that runs through it, so the chains of a run hold one hop per label.
    """

    def __init__(
        self,
        labels: tuple[dict[int, Label], ...],
        origin_chain: Mapping[int, Chain],
        reached: set[int] | None = None,
        partly: Container[int] = frozenset(),
    ):
        self.first, self.second = labels
        self.origin_chain = origin_chain
        self.partly = partly
        """The packages some hosts lack (`Resolved.present_on`): each hop counts those it may take."""
        self.reached = reached
        """With it, a hop counts its alternatives in it as tainted; else all of them (every
        alternative of a group it followed was tainted)."""
        self._by_first: dict[int, Chain] = {}
        self._by_second: dict[int, Chain] = {}
        self._tainted: dict[int, int] = {}
        """id of a group -> its members in ``reached``: a group is shared by its packages."""

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

    def _count(self, group: Group) -> int:
        reached = self.reached
        members = group.members
        if reached is None:
            return len(members)
        if len(members) <= _COUNTED_AT_ONCE:
            return sum(1 for m in members if m in reached)
        count = self._tainted.get(id(group))
        if count is None:
            count = self._tainted[id(group)] = sum(1 for m in group.members if m in reached)
        return count

    def chain(self, index: int, end: int) -> Chain:
        """``index``'s chain to ``end``, one of its labels' ends (never itself)."""
        first, second = self.first, self.second
        by_first, by_second = self._by_first, self._by_second
        path: list[tuple[dict[int, Chain], int, Hop]] = []
        node = index
        tail: Chain | None
        while True:
            if node == end:
                tail = self.origin_chain.get(end)
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
            path.append((known, node, _hop(node, group, target, self._count(group), self.partly)))
            node = target
        for known, node, hop in reversed(path):
            tail = known[node] = Chain(hop, tail)
        assert tail is not None  # ``index`` is not ``end``: its path has a hop
        return tail


def _shortest(chains: Mapping[Category, Mapping[int, Chain]]) -> dict[int, Chain]:
    """Each package's shortest chain of any category (the first category's on a tie)."""
    shortest: dict[int, Chain] = {}
    for found in chains.values():
        for index, chain in found.items():
            known = shortest.get(index)
            if known is None or len(chain) < len(known):
                shortest[index] = chain
    return shortest


def _build_fixed_point(
    tainted: set[int],
    build: Mapping[int, list[Group]],
    binaries: Mapping[int, list[int]],
    partly: Mapping[int, Hashable] = NOBODY,
) -> set[int]:
    """Source packages that cannot be built without tainted packages, and the binaries built
    from them. A member some build hosts lack (``partly``) is no way around, as at run time."""
    found: set[int] = set()
    changed = True
    while changed:
        changed = False
        blocked = tainted | found
        for source, source_groups in build.items():
            if source in found:
                continue
            for group in source_groups:
                if _all_tainted(group.members, blocked, partly):
                    found.add(source)
                    # A binary tainted at run time is recorded here too: each taint is its own fact.
                    found.update(binaries.get(source, ()))
                    changed = True
                    break
    return found


def _all_tainted(members: Sequence[int], blocked: Container[int], partly: Mapping[int, Hashable]) -> bool:
    """Whether a group leaves no clean way: a member tainted, and every other one tainted or
    lacking on some hosts (unless one reader hides them all: `lacking_alike`)."""
    if not partly or lacking_alike(members, partly):
        return bool(members) and all(member in blocked for member in members)
    return any(member in blocked for member in members) and all(
        member in blocked or member in partly for member in members
    )


def _build_chains(
    blocked: set[int],
    tainted: set[int],
    graph: DependencyGraph,
    runtime: Mapping[int, Chain],
    own: Mapping[int, Chain | None],
) -> dict[int, Chain]:
    """The shortest build chain of each of ``blocked`` to an origin package of one category.

    ``runtime`` and ``own`` are the run-time chains of that category and its origin packages (an
    origin package is its own chain's end). Relaxed until nothing gets shorter: the build
    packages a distribution blocks are few, and their chains short.
    """
    build, binaries, sources_of, packages = graph.build, graph.binaries, graph.sources_of, graph.packages
    partly = graph.resolved.present_on
    sources = sorted(index for index in blocked if index in build)
    chains: dict[int, Chain] = {}

    def tail(member: int) -> tuple[Chain | None] | None:
        """(the chain after a hop to ``member``,) when it has one: an origin package's own
        chain is empty (None) or the hop to the source package it inherits its evidence from."""
        if member in own:
            return (own[member],)
        found = runtime.get(member)
        if found is None and member in blocked:
            source = next((one for one in sources_of(member) if one in chains), None)
            if source is not None:
                hop = Hop(member, source, HopKind.BUILT_FROM, packages[member].sourcerpm or "")
                found = Chain(hop, chains[source])
        return None if found is None else (found,)

    changed = True
    while changed:
        changed = False
        for source in sources:
            best = chains.get(source)
            for group in build[source]:
                members = group.members
                if not _all_tainted(members, _Either(tainted, blocked), partly):
                    continue
                for member in members:
                    found = tail(member)
                    if found is None:
                        continue
                    rest = found[0]
                    length = 0 if rest is None else len(rest)
                    if best is None or length + 1 < len(best):
                        counted = sum(1 for one in members if one in tainted or one in blocked)
                        best = Chain(_hop(source, group, member, counted, partly), rest)
                        changed = True
            if best is not None:
                chains[source] = best
    for source, chain in list(chains.items()):
        for binary in binaries.get(source, ()):
            chains[binary] = Chain(
                Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or ""), chain
            )
    return chains


@dataclass(frozen=True)
class _Either:
    """Membership in either of two sets, without making their union."""

    first: Container[int]
    second: Container[int]

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second
