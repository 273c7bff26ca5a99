"""How origin verdicts spread along the dependency graph (`auditor.deps.graph`).

Propagation is a least fixed point computed with a worklist over reverse edges, so
dependency cycles (normal in a distribution) need no special case and nothing recurses:
a package *depends* on origin packages when, for one of its requirements, every
alternative is tainted; members of a cycle with no tainted way out stay clean.

Each taint is found per category of origin packages (``citrix``, ``proprietary``), with the
shortest chain to one of that category, and an origin package's taints are the *other* origin
packages it needs: a waiver or a baseline entry that accepts one of them accepts no other.
"""

from __future__ import annotations

import functools
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.deps.graph import Chain, DependencyGraph, Group, Hop, HopKind, PackageVerdict
from auditor.origin.findings import Category, Finding, Verdict
from auditor.rpm.model import Package

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
            origin_chain[index] = Chain(
                Hop(index, source, HopKind.BUILT_FROM, graph.packages[index].sourcerpm or "")
            )
    if not origin:  # with nothing tainted, nothing spreads
        return Propagation({}, {}, {}, {}, frozenset(graph.unresolved))
    reverse = _reverse(graph.runtime)
    depends, complete = _least_fixed_point(origin, reverse)
    tainted = origin | depends
    blocked = _build_fixed_point(tainted, graph.build, graph.binaries)
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
        needs = _ChainMaker(_nearest_two(sources, complete), origin_chain)
        runtime = {index: needs.chain(index, end) for index, end in needs.ends()}
        labels = _nearest_two(sources, reverse)
        anyway = _ChainMaker(labels, origin_chain, set(labels[0]))
        may = {index: anyway.chain(index, end) for index, end in anyway.ends() if index not in runtime}
        by_category[Verdict.DEPENDS][category] = runtime
        by_category[Verdict.MAY_DEPEND][category] = may
        own = {index: origin_chain.get(index) for index in sources}
        by_category[Verdict.BUILD_DEPENDS][category] = _build_chains(
            blocked, tainted, graph.build, graph.binaries, graph.built_from, names, runtime, own
        )
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


def _hop(owner: int, group: Group, target: int, tainted: int) -> Hop:
    requirement = str(group.dependency) + (ROUGHLY if group.rough else "")
    return Hop(owner, target, group.kind, requirement, len(group.members), tainted, group.excluded)


ROUGHLY = " [read roughly: too many ways to meet it; a clean one may exist]"
"""Said in every hop through a requirement read past `auditor.deps.rich.MAX_CLAUSES`: the
chain that proves a taint then proves less, and a reader must know it."""


@dataclass
class _Edges:
    """Reverse edges, each group once: member -> the distinct groups it is an alternative of,
    and group -> the packages that have it.

    A group is shared by every package with its requirement (`auditor.deps.graph.Group`): a
    capability with n providers that n packages require is one group of n members and n
    owners, not n x n (member, package) edges.
    """

    groups: list[Group]
    owners: list[list[int]]
    """Group number -> the packages that have it, in the order the graph lists them."""
    owned: Mapping[int, list[Group]]
    """Package -> its groups: where one of them stands among the others breaks a tie."""
    of_member: dict[int, list[int]]
    """Member -> the numbers of the groups it is in, in the order they were first met."""
    rank: dict[int, int]
    """Package -> its position in the graph's order: the order the packages reached at one step
    are queued in."""
    tick: list[int]
    """Group number -> when its alternatives were all tainted (`_least_fixed_point`): edges are
    followed in that order; 0 for every group of `_reverse`."""

    def position(self, owner: int, number: int) -> int:
        """Where group ``number`` stands among ``owner``'s groups (asked on a tie only)."""
        group = self.groups[number]
        return next(at for at, found in enumerate(self.owned[owner]) if found is group)


def _reverse(groups: Mapping[int, list[Group]]) -> _Edges:
    """Every group of every package, by member."""
    numbers: dict[int, int] = {}
    distinct: list[Group] = []
    owners: list[list[int]] = []
    of_member: dict[int, list[int]] = {}
    # Bound once: this loop runs for each of a distribution's quarter million groups.
    number_of, member_get, identity = numbers.get, of_member.get, id
    for owner, owner_groups in groups.items():
        for group in owner_groups:
            key = identity(group)
            number = number_of(key)
            if number is not None:
                owners[number].append(owner)
                continue
            number = numbers[key] = len(distinct)
            distinct.append(group)
            owners.append([owner])
            for member in group.members:
                found = member_get(member)
                if found is None:
                    of_member[member] = [number]
                else:
                    found.append(number)
    rank = dict(zip(groups, range(len(groups)), strict=True))
    return _Edges(distinct, owners, groups, of_member, rank, [0] * len(distinct))


def _least_fixed_point(seeds: set[int], reverse: _Edges) -> tuple[set[int], _Edges]:
    """Packages outside ``seeds`` with a requirement whose every alternative is tainted, transitively;
    and the edges of every group whose alternatives all are, to the packages that have it.

    Each distinct group counts its members not yet tainted (a group's members are distinct, and
    a package lists a group once); a package becomes tainted when one of its groups reaches
    zero. Only groups that a tainted package belongs to are ever counted. A group the package
    belongs to itself never counts for it: the package satisfies it on its own. The seeds' own
    groups count too: an origin package can need another one.
    """
    groups, owners = reverse.groups, reverse.owners
    rank = reverse.rank
    remaining: dict[int, int] = {}
    tainted = set(seeds)
    complete_owners: list[list[int]] = [[] for _ in groups]
    complete_of: dict[int, list[int]] = {}
    tick = [0] * len(groups)
    queue = deque(seeds)
    clock = 0
    while queue:
        node = queue.popleft()
        clock += 1
        added: list[int] = []
        completed = 0
        for number in reverse.of_member.get(node, ()):
            group = groups[number]
            left = remaining.get(number, len(group.members)) - 1
            remaining[number] = left
            if left:
                continue
            members = group.members
            inside = frozenset(members) if len(members) > 8 else members
            kept = [owner for owner in owners[number] if owner not in inside]
            if not kept:
                continue
            completed += 1
            tick[number] = clock
            complete_owners[number] = kept
            for member in members:
                found = complete_of.get(member)
                if found is None:
                    complete_of[member] = [number]
                else:
                    found.append(number)
            for owner in kept:
                if owner not in tainted:
                    tainted.add(owner)
                    added.append(owner)
        # In the graph's order, as one list of every (package, group) edge would queue them.
        queue.extend(sorted(added, key=rank.__getitem__) if completed > 1 else added)
    return tainted - seeds, _Edges(groups, complete_owners, reverse.owned, complete_of, rank, tick)


_Label = tuple[int, int, "Group | None"]
"""(origin package the label leads to, the next package toward it, the group that needs it)."""

_UNSEEN, _BOTH = -1, -2
"""What `_nearest_two` has followed a group with: no source yet, or two distinct ones."""


def _nearest_two(sources: Sequence[int], edges: _Edges) -> tuple[dict[int, _Label], ...]:
    """For every package that reaches ``sources`` over ``edges``, its two nearest distinct sources.

    Breadth first from every source at once, a package keeping the first two distinct sources
    that reach it: the nearest, and the nearest other one. A source's nearest is itself, so the
    second is the nearest *other* origin package it needs: a chain that starts at a package and
    ends at it is no dependency. Sources come in name order, and a breadth-first queue keeps that
    order within each distance, so the source a package keeps is the first by name among the
    equally near ones.

    A group followed toward one source has given every package that has it a label to that
    source, or two labels: following it again toward the same source changes nothing, nor
    following it at all once it was followed toward two. So each group is followed at most
    twice, and the work is linear in the edges (a capability with n providers that n packages
    require is followed twice, not n times). The packages one step reaches are labelled and
    queued in the order of a list of every (package, group) edge, by completion then package.
    """
    groups, owners, rank, tick = edges.groups, edges.owners, edges.rank, edges.tick
    ticked = any(tick)
    first: dict[int, _Label] = {source: (source, source, None) for source in sources}
    second: dict[int, _Label] = {}
    followed = [_UNSEEN] * len(groups)
    queue = deque((source, source) for source in sources)
    of_member, label_of = edges.of_member.get, first.get
    found: dict[int, int] = {}  # package -> the number of the group it is reached by
    while queue:
        node, end = queue.popleft()
        numbers = of_member(node, ())
        if len(numbers) == 1:  # most packages: one group's packages, in order, nothing to sort
            number = numbers[0]
            seen = followed[number]
            if seen in (end, _BOTH):
                continue
            followed[number] = end if seen == _UNSEEN else _BOTH
            group = groups[number]
            for owner in owners[number]:
                label = label_of(owner)
                if label is None:
                    first[owner] = (end, node, group)
                elif label[0] == end or owner in second:
                    continue
                else:
                    second[owner] = (end, node, group)
                queue.append((owner, end))
            continue
        found.clear()
        contributed = 0  # groups that gave a package its edge: past one, the order is sorted
        for number in numbers:
            seen = followed[number]
            if seen in (end, _BOTH):
                continue
            followed[number] = end if seen == _UNSEEN else _BOTH
            gave = False
            for owner in owners[number]:
                label = label_of(owner)
                if label is not None and (label[0] == end or owner in second):
                    continue
                known = found.get(owner)
                if known is None or _earlier(edges, owner, number, known):
                    found[owner] = number
                    gave = True
            contributed += gave
        if not found:
            continue
        order: Iterable[int] = found
        if contributed > 1:
            if ticked:
                order = sorted(found, key=lambda owner: (tick[found[owner]], rank[owner]))
            else:
                order = sorted(found, key=rank.__getitem__)
        for owner in order:
            label = (end, node, groups[found[owner]])
            if owner in first:
                second[owner] = label
            else:
                first[owner] = label
            queue.append((owner, end))
    return first, second


def _earlier(edges: _Edges, owner: int, number: int, known: int) -> bool:
    """Whether ``owner``'s edge by group ``number`` comes before its edge by ``known`` in a list of
    every (package, group) edge: completed earlier, or listed earlier among its groups."""
    tick = edges.tick
    if tick[number] != tick[known]:
        return tick[number] < tick[known]
    return edges.position(owner, number) < edges.position(owner, known)


_COUNTED_AT_ONCE = 8
"""A group of up to this many alternatives is counted where it is met; a larger one once
(`_ChainMaker`): n packages that require one capability of n providers share its group."""


class _ChainMaker:
    """The chains of one `_nearest_two` answer, each to the nearest origin package but the package itself.

    A package's chain is its hop toward the label's next package, then that package's chain to
    the same end (a `Chain` whose rest is that chain): each label's chain is built once and
    shared by every chain that runs through it, so the chains of a run hold one hop per label.
    """

    def __init__(
        self,
        labels: tuple[dict[int, _Label], ...],
        origin_chain: Mapping[int, Chain],
        reached: set[int] | None = None,
    ):
        self.first, self.second = labels
        self.origin_chain = origin_chain
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
            path.append((known, node, _hop(node, group, target, self._count(group))))
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
    tainted: set[int], build: Mapping[int, list[Group]], binaries: Mapping[int, list[int]]
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
    build: Mapping[int, list[Group]],
    binaries: Mapping[int, list[int]],
    built_from: Mapping[int, int],
    packages: Sequence[Package],
    runtime: Mapping[int, Chain],
    own: Mapping[int, Chain | None],
) -> dict[int, Chain]:
    """The shortest build chain of each of ``blocked`` to an origin package of one category.

    ``runtime`` and ``own`` are the run-time chains of that category and its origin packages (an
    origin package is its own chain's end). Relaxed until nothing gets shorter: the build
    packages a distribution blocks are few, and their chains short.
    """
    sources = sorted(index for index in blocked if index in build)
    chains: dict[int, Chain] = {}

    def tail(member: int) -> tuple[Chain | None] | None:
        """(the chain after a hop to ``member``,) when it has one: an origin package's own
        chain is empty (None) or the hop to the source package it inherits its evidence from."""
        if member in own:
            return (own[member],)
        found = runtime.get(member)
        if found is None:
            source = built_from.get(member)
            if member in blocked and source is not None and source in chains:
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
                if not members or not all(member in tainted or member in blocked for member in members):
                    continue
                for member in members:
                    found = tail(member)
                    if found is None:
                        continue
                    rest = found[0]
                    length = 0 if rest is None else len(rest)
                    if best is None or length + 1 < len(best):
                        best = Chain(_hop(source, group, member, len(members)), rest)
                        changed = True
            if best is not None:
                chains[source] = best
    for source, chain in list(chains.items()):
        for binary in binaries.get(source, ()):
            chains[binary] = Chain(
                Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or ""), chain
            )
    return chains
