"""Source packages whose buildroot may hold a tainted package: `may-depend` on the build side.

``dnf builddep`` and mock choose between a BuildRequires' providers as ``dnf install`` chooses
between a Requires' ones, so a BuildRequires that a Citrix package and a clean one both meet
may put Citrix's package in the buildroot, as a Requires would put it on a host. The source
is `may-depend` (a clean way exists: its build is not `build-depends`), and so is each binary
built from it, as a binary of a `build-depends` source is `build-depends`.

A BuildRequires may take: an origin package of the category, a package that depends or may
depend on one at run time (the buildroot installs its requirements too), and a binary whose own
build needs the category or may need it. A buildroot may hold no such binary: it cannot be
rebuilt from clean sources, or only by the right choice. That binary may be a BuildRequires'
provider, or what a provider needs or may take at run time (``tool-alt`` requiring ``libheld``,
which the blocked ``heldlib`` or a clean package meets: `tests/deps/test_build_unusable.py`'s
``app3``). So this is a least fixed point: each round's sources make binaries that later
buildroots may hold (`tests/deps/test_build_may_below.py`). A round asks only the sources whose
BuildRequires meet what the last one reached, and the reverse walk from the binaries it made
goes on from where the last one stopped: a chain of n builds, each needing the last one's
binary, takes n rounds, and asking every source with a walk of the whole graph in each took
20 s for n = 3,000.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping

from auditor.deps.chains import ChainMaker, make_hop
from auditor.deps.edges import Edges, Label
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Chain, Hop, HopKind


def may_build(
    graph: DependencyGraph,
    own: Mapping[int, Chain | None],
    runtime: Mapping[int, Chain],
    may: Mapping[int, Chain],
    builds: Mapping[int, Chain],
    reverse_edges: Edges,
) -> dict[int, Chain]:
    """The `may-depend` chains of the sources (and their binaries) of one category that are
    neither `build-depends` nor in ``may`` (``own``: the category's origin packages and their
    own chains; ``runtime``, ``may``, ``builds``: its other chains; ``reverse_edges``: `reverse`
    of the run-time edges), each through its BuildRequires' nearest tainted provider."""
    packages = graph.packages
    found: dict[int, Chain] = {}
    open_to = {source: position for position, source in enumerate(graph.build) if source not in builds}
    open_to = {source: position for source, position in open_to.items() if source not in may}
    users: dict[int, list[int]] = {}  # a package -> the open sources whose BuildRequires it meets
    for source in open_to:
        for group in graph.build[source]:
            for member in group.members:
                users.setdefault(member, []).append(source)
    reach = _HeldReach(graph, reverse_edges)
    reach.add(builds)
    asked = list(open_to)
    while asked:
        tainted = _Tainted(graph, own, (runtime, may, builds, found), reach)
        new = {source: chain for source in asked if (chain := tainted.build_chain(source)) is not None}
        made: dict[int, Chain] = {}
        for source, chain in new.items():
            found[source] = chain
            del open_to[source]
            for binary in graph.binaries.get(source, ()):
                if all(binary not in chains for chains in (own, runtime, may, builds, found)):
                    hop = Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or "")
                    found[binary] = made[binary] = Chain(hop, chain)
        met = {user for node in (*made, *reach.add(made)) for user in users.get(node, ()) if user in open_to}
        asked = sorted(met, key=open_to.__getitem__)
    return found


class _HeldReach:
    """What may hold, at run time, a binary whose build is tainted, with the way to the nearest
    one (`auditor.deps.edges.Label`s): a reverse walk of the run-time edges, each group followed
    once over every round."""

    def __init__(self, graph: DependencyGraph, edges: Edges) -> None:
        self.graph, self.edges = graph, edges
        self.first: dict[int, Label] = {}
        self.tails: dict[int, Chain] = {}
        """Each binary walked from -> its build chain: where a chain to it goes on."""
        self._followed: set[int] = set()

    def add(self, chains: Mapping[int, Chain]) -> list[int]:
        """Walk on from the binaries of ``chains`` (build chains) not walked from yet; the
        packages it labels, in order."""
        packages, first, built_from = self.graph.packages, self.first, self.graph.built_from
        held = sorted(
            (index for index in chains if index in built_from and index not in self.tails),
            key=lambda index: (packages[index].name, index),
        )
        queue: deque[int] = deque()
        labelled: list[int] = []
        for binary in held:
            self.tails[binary] = chains[binary]
            if binary not in first:
                first[binary] = (binary, binary, None)
                queue.append(binary)
                labelled.append(binary)
        groups, owners, followed = self.edges.groups, self.edges.owners, self._followed
        while queue:
            node = queue.popleft()
            end = first[node][0]
            for number in self.edges.of_member.get(node, ()):
                if number in followed:
                    continue
                followed.add(number)
                for owner in owners[number]:
                    if owner not in first:
                        first[owner] = (end, node, groups[number])
                        queue.append(owner)
                        labelled.append(owner)
        return labelled

    def maker(self) -> ChainMaker:
        """The chains through these labels (one round's: its counts see this round's reach)."""
        return ChainMaker((self.first, {}), self.tails, self.first, self.graph.resolved.present_on)


class _Tainted:
    """One round's answer to "what may a buildroot take that leads to the category"."""

    def __init__(
        self,
        graph: DependencyGraph,
        own: Mapping[int, Chain | None],
        known: Iterable[Mapping[int, Chain]],
        reach: _HeldReach,
    ) -> None:
        """``known``: the category's run-time chains and its build chains so far."""
        self.graph, self.own, self.known = graph, own, tuple(known)
        self.nearest, self.through = reach.first, reach.maker()

    def rest_of(self, member: int) -> tuple[Chain | None] | None:
        """(the chain after a hop to ``member``,) when it reaches the category."""
        if member in self.own:
            return (self.own[member],)
        for chains in self.known:
            chain = chains.get(member)
            if chain is not None:
                return (chain,)
        label = self.nearest.get(member)
        if label is not None and label[0] != member:
            return (self.through.chain(member, label[0]),)
        return None

    def build_chain(self, source: int) -> Chain | None:
        """``source``'s chain through its BuildRequires' nearest tainted provider, if any."""
        best: Chain | None = None
        partly = self.graph.resolved.present_on
        # An origin source's chain ends at another origin package, never back at itself nor at
        # a binary built from it: that binary has its own evidence (a Vendor tag is in both
        # headers), yet a buildroot holding it holds nothing else of the category. No other
        # chain runs through this source: it has none yet.
        itself = {source, *self.graph.binaries.get(source, ())} if source in self.own else {source}
        for group in self.graph.build[source]:
            reaching = [(member, self.rest_of(member)) for member in group.members if member != source]
            tainted = [(member, rest[0]) for member, rest in reaching if rest is not None]
            for member, rest in tainted:
                if (member if rest is None else rest.last.target) in itself:
                    continue
                if best is None or (0 if rest is None else len(rest)) + 1 < len(best):
                    best = Chain(make_hop(source, group, member, len(tainted), partly), rest)
        return best
