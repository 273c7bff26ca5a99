"""The chains that prove a run's taints, each hop naming the requirement that made it.

`ChainMaker` turns the labels of `auditor.deps.edges.nearest_two` into chains, each label's
once, shared by every chain through it; `runtime_chains` adds those of the packages
`auditor.deps.cleanway` found with no clean installation, whose last hop says what rules the
clean way out. `auditor.deps.propagation` puts them together.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Container, Iterator, Mapping, Sequence

from auditor.deps.edges import Label, nearest_two
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Chain, Group, Hop, HopKind
from auditor.deps.hostruntime import OnHost
from auditor.deps.noclean import NoCleanWay
from auditor.deps.spread import Spread
from auditor.origin.findings import Category
from auditor.rpm.model import Package


def runtime_chains(
    graph: DependencyGraph,
    sources: Sequence[int],
    origin_chain: Mapping[int, Chain],
    taint: Spread,
) -> tuple[dict[int, Chain], dict[int, Chain]]:
    """The run-time chains to ``sources`` (the origin packages of one category) of what ``taint``
    found, and those of the packages `auditor.deps.cleanway` found with no clean installation (a
    source package's is a build chain), round by round: each ends at a chain of what was tainted
    before it. An origin package it found with none (`CleanWays.origin_needs`) ends at another;
    with several hosts, what needs the category on one host alone has the chain of the first
    such host (`Spread.on_hosts`); what a host's clean-way check found, only where ``taint``
    holds no other origin packages (`_chains_on_host`)."""
    complete, tainted, rounds = taint.complete, taint.tainted, taint.rounds
    partly = graph.resolved.present_on
    names = graph.packages
    ruled: dict[int, Chain] = {}
    ends: list[int] = list(sources)
    runtime: dict[int, Chain] = {}
    base: dict[int, Chain] = {}
    own = set(sources)
    for found in (*rounds, None):
        chain_of = {**origin_chain, **ruled} if ruled else origin_chain
        # Where some hosts lack a member, a complete group's members are not all tainted: count them.
        needs = ChainMaker(nearest_two(ends, complete), chain_of, tainted if partly else None, partly)
        runtime = {index: needs.chain(index, end) for index, end in needs.ends() if index not in ruled}
        runtime.update((index, chain) for index, chain in ruled.items() if not names[index].is_source)
        if not ruled:
            base = runtime
        if found is None:
            break
        rest_of = _rest_in(own, origin_chain, runtime)
        for index, why in found.items():
            chain = no_clean_way_chain(graph, why, rest_of, tainted)
            if chain is not None:
                ruled[index] = chain
        ends = sorted(
            (*sources, *(index for index in ruled if not names[index].is_source)),
            key=lambda index: (names[index].name, index),
        )
    # An origin package's chain is to another origin package it needs, as found without the
    # packages ruled here: through one, it could lead back to itself.
    if base is not runtime:
        for index in sources:
            runtime.pop(index, None)
            if index in base:
                runtime[index] = base[index]
    chain_of = {**origin_chain, **ruled} if ruled else origin_chain
    # Whether every origin package of ``taint`` (``tainted`` but not found) is among ``sources``.
    alone = bool(taint.on_hosts) and all(i in own for i in tainted if i not in taint.depends)
    for on_host in taint.on_hosts:
        found_on_host = _chains_on_host(graph, on_host, ends, chain_of, own, runtime, alone)
        for index, chain in found_on_host.items():
            runtime.setdefault(index, chain)
    # Nor through itself: kept out of ``ruled``, its chain ends at another origin package.
    rest_of = _rest_in(own, origin_chain, runtime)
    for index in sources:
        wanting = taint.origin_needs.get(index)
        if wanting is not None and index not in runtime:
            chain = no_clean_way_chain(graph, wanting, _not_back_to(index, rest_of), tainted)
            if chain is not None:
                runtime[index] = chain
    return runtime, ruled


def _chains_on_host(
    graph: DependencyGraph,
    on_host: OnHost,
    ends: Sequence[int],
    chain_of: Mapping[int, Chain],
    own: Container[int],
    runtime: Mapping[int, Chain],
    rounds: bool,
) -> dict[int, Chain]:
    """The chains on one host's groups of what depends there (`OnHost`), round by round as
    `runtime_chains` makes the run's; ``ends``: where those end (the origin packages and what
    the run's rounds ruled), ``runtime``: the run's chains, which a hop may end at.

    Without ``rounds`` (other categories' origin packages tainted too), per requirement only,
    on the groups tainted before them: a host's clean-way check with every origin package
    tainted finds what cannot do without one of them, whichever. An i686 package needing a
    proprietary package there, its chain through a Citrix one that could stand in for it, was
    ``depends`` on Citrix too, though libsolv installs it on each host without Citrix (an
    archconf universe); so were what requires a group all of whose providers that check found.
    The check of each category alone (`auditor.deps.propagation._alone`) finds what needs that
    one."""
    partly, names = graph.resolved.present_on, graph.packages
    ruled: dict[int, Chain] = {}
    found_here: dict[int, Chain] = {}
    complete = on_host.complete if rounds else on_host.before_rounds
    for found in (*(on_host.rounds if rounds else ()), None):
        needs = ChainMaker(nearest_two(ends, complete), {**chain_of, **ruled}, None, partly)
        found_here = {index: needs.chain(index, end) for index, end in needs.ends() if index not in ruled}
        # An origin package's chain is to another one, never back to itself.
        found_here = {
            index: chain
            for index, chain in found_here.items()
            if chain.last.target != index and index not in on_host.lacking
        }
        found_here.update(ruled)
        if found is None:
            break
        rest_of = _rest_in(own, chain_of, {**found_here, **runtime})
        for index, why in found.items():
            chain = no_clean_way_chain(graph, why, rest_of, on_host.tainted)
            if chain is not None:
                ruled[index] = chain
        more = [index for index in ruled if index not in ends]
        ends = sorted((*ends, *more), key=lambda index: (names[index].name, index))
    return found_here


def _not_back_to(
    index: int, rest_of: Callable[[int], tuple[Chain | None] | None]
) -> Callable[[int], tuple[Chain | None] | None]:
    """``rest_of``, but None for a member whose chain ends at ``index``."""

    def rest(member: int) -> tuple[Chain | None] | None:
        found = rest_of(member)
        if found is None or (member if found[0] is None else found[0].last.target) == index:
            return None
        return found

    return rest


def _rest_in(
    own: Container[int], origin_chain: Mapping[int, Chain], runtime: Mapping[int, Chain]
) -> Callable[[int], tuple[Chain | None] | None]:
    """`no_clean_way_chain`'s ``rest_of`` for run-time chains: an origin package's own chain,
    else the package's run-time chain."""

    def rest_of(member: int) -> tuple[Chain | None] | None:
        if member in own:
            return (origin_chain.get(member),)
        found = runtime.get(member)
        return None if found is None else (found,)

    return rest_of


def no_clean_way_chain(
    graph: DependencyGraph,
    why: NoCleanWay,
    rest_of: Callable[[int], tuple[Chain | None] | None],
    tainted: Container[int],
    build_tainted: Container[int] | None = None,
) -> Chain | None:
    """``why``'s chain to an origin package, through the nearest of its tainted providers that
    leads to one (None: none does). ``rest_of(member)`` is ``(the chain after a hop to
    member,)``, or None where that member leads to no origin package of the category asked;
    ``tainted`` counts each hop's tainted alternatives, ``build_tainted`` a BuildRequires'."""
    best: tuple[int, Chain | None, int] | None = None
    for member in why.tainted:
        found = rest_of(member)
        if found is None:
            continue
        rest = found[0]
        length = 0 if rest is None else len(rest)
        if best is None or length < best[0]:
            best = (length, rest, member)
    if best is None:
        return None
    _length, rest, target = best
    partly = graph.resolved.present_on
    names = graph.packages
    group = why.group
    note = (
        f" [no clean way: an installation of {names[why.package].name} cannot hold"
        f" {_named(names, why.ruled_out)} with {_named(names, why.against)}]"
    )
    last = make_hop(why.owner, group, target, len(why.tainted), partly)
    chain = Chain(dataclasses.replace(last, requirement=last.requirement + note), rest)
    for step in reversed(why.steps):
        counting = (
            build_tainted
            if build_tainted is not None and step.group.kind is HopKind.BUILD_REQUIRES
            else tainted
        )
        counted = sum(1 for member in step.group.members if member in counting)
        chain = Chain(make_hop(step.owner, step.group, step.target, counted, partly), chain)
    return chain


def _named(packages: Sequence[Package], indices: Sequence[int], shown: int = 3) -> str:
    names = sorted({packages[index].name for index in indices})
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def make_hop(owner: int, group: Group, target: int, tainted: int, partly: Container[int]) -> Hop:
    requirement = str(group.dependency) + (ROUGHLY if group.rough else "")
    lacking = sum(1 for member in group.members if member in partly) if partly else 0
    return Hop(owner, target, group.kind, requirement, len(group.members), tainted, group.excluded, lacking)


ROUGHLY = " [read roughly: too many ways to meet it; a clean one may exist]"
"""Said in every hop through a requirement read past `auditor.deps.rich.MAX_CLAUSES`: the
chain that proves a taint then proves less, and a reader must know it."""


_COUNTED_AT_ONCE = 8
"""A group of up to this many alternatives is counted where it is met; a larger one once
(`ChainMaker`): n packages that require one capability of n providers share its group."""


class ChainMaker:
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
        reached: Container[int] | None = None,
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
            path.append((known, node, make_hop(node, group, target, self._count(group), self.partly)))
            node = target
        for known, node, hop in reversed(path):
            tail = known[node] = Chain(hop, tail)
        assert tail is not None  # ``index`` is not ``end``: its path has a hop
        return tail


def shortest(chains: Mapping[Category, Mapping[int, Chain]]) -> dict[int, Chain]:
    """Each package's shortest chain of any category (the first category's on a tie)."""
    shortest: dict[int, Chain] = {}
    for found in chains.values():
        for index, chain in found.items():
            known = shortest.get(index)
            if known is None or len(chain) < len(known):
                shortest[index] = chain
    return shortest
