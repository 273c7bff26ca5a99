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
buildroots may hold (`tests/deps/test_build_may_below.py`).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditor.deps.chains import ChainMaker, make_hop
from auditor.deps.edges import Edges, nearest_two
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
    asked = [source for source in graph.build if source not in builds and source not in may]
    while asked:
        tainted = _Tainted(graph, own, (runtime, may), (builds, found), reverse_edges)
        new = {source: chain for source in asked if (chain := tainted.build_chain(source)) is not None}
        if not new:
            break
        for source, chain in new.items():
            found[source] = chain
            for binary in graph.binaries.get(source, ()):
                if all(binary not in chains for chains in (own, runtime, may, builds, found)):
                    hop = Hop(binary, source, HopKind.BUILT_FROM, packages[binary].sourcerpm or "")
                    found[binary] = Chain(hop, chain)
        asked = [source for source in asked if source not in new]
    return found


class _Tainted:
    """One round's answer to "what may a buildroot take that leads to the category"."""

    def __init__(
        self,
        graph: DependencyGraph,
        own: Mapping[int, Chain | None],
        runtime: tuple[Mapping[int, Chain], ...],
        built: tuple[Mapping[int, Chain], ...],
        reverse_edges: Edges,
    ) -> None:
        """``runtime``: the category's run-time chains; ``built``: its build chains (of sources
        and their binaries), ``builds`` and those found so far."""
        self.graph, self.own, self.known = graph, own, (*runtime, *built)
        packages = graph.packages
        # What may hold a binary whose build is tainted at run time, and its chain through that
        # build: one walk of the reverse run-time edges per round.
        binaries = {
            index: chain for chains in built for index, chain in chains.items() if index in graph.built_from
        }
        held = sorted(binaries, key=lambda index: (packages[index].name, index))
        labels = nearest_two(held, reverse_edges)
        self.nearest = labels[0]
        self.through = ChainMaker(labels, binaries, set(labels[0]), graph.resolved.present_on)

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
        for group in self.graph.build[source]:
            reaching = [(member, self.rest_of(member)) for member in group.members if member != source]
            tainted = [(member, rest[0]) for member, rest in reaching if rest is not None]
            for member, rest in tainted:
                # An origin source's chain ends at another origin package, never back at
                # itself. No other chain runs through this source: it has none yet.
                if (member if rest is None else rest.last.target) == source:
                    continue
                if best is None or (0 if rest is None else len(rest)) + 1 < len(best):
                    best = Chain(make_hop(source, group, member, len(tainted), partly), rest)
        return best
