"""The verdict of a package whose own install job lifts libsolv's infarch rule for its name.

libsolv bans a package of a worse architecture (``lib-2.i686``) wherever the installation
asked for may reach a better package of its name of another EVR (``lib-1.x86_64``:
`auditor.deps.infarch`), and dnf never installs it as a dependency beside that one
(`auditor.deps.coinstall.SameName`): no other package may count on it as a way around. Asked
for itself, the package lifts the rule for its name (``jobtodisablelist`` in libsolv's
src/rules.c): its own installation may hold ``lib-1.x86_64``, and a package (``need``) that
requires what only ``lib-2.i686`` and a Citrix package provide, whose own installation bans
``lib-2.i686``: it meets ``need``'s requirement itself. Spread over the requirement edges,
``need``'s own ``depends`` made ``lib-2.i686`` depend (the rpm-md hunt's ``archmix`` 143, a
false ``depends``; libsolv installs it without Citrix).

`spared` asks such a package (`auditor.deps.infarch.Bans.themselves`) found ``depends`` again,
on the graph as it is with the rule lifted for its name: no ban of a package of that name, no
multilib pair of it apart. That graph is what its own installation is (any other name's rule
holds there as before; a package of its name of its colour is apart from it still), so its
answer there is its verdict. A package that needs it keeps its ``depends`` and its chain
through it: installed for that package, it is a dependency, banned again, as that package's
installation reaches the better one through it. A run with no such package (most) pays
nothing; one with some pays one graph and one spread asked only what they may reach, per name
(`NAMES` of them at most).
"""

from __future__ import annotations

from collections.abc import Collection

from auditor.deps.edges import reverse
from auditor.deps.graph import DependencyGraph
from auditor.deps.infarch import Bans
from auditor.deps.spread import Spread, reach_of, spread

NAMES = 16
"""At most this many names are asked again per run, each with a graph made again (distro-10k's
took 0.35 s of its 2 s): past them, the packages of the others keep their ``depends`` (stricter
than libsolv, never lenient). Real multilib repositories ship an i686 package with its x86_64
twin: a name with none within reach is rare."""


def spared(graph: DependencyGraph, origin: Collection[int], taint: Spread) -> frozenset[int]:
    """The packages of ``taint.depends`` whose own installation lifts the infarch rule for their
    name, and that do not depend on ``origin`` with it lifted (`lifted`).

    Not one whose installation there may reach a requirement nothing meets: the auditor counts
    a provider with one as a way around (README), and where the ban ruled out the way that led
    to it, the lifted answer would take it (the rpm-md hunt's ``el7`` 1000: ``p14``, requiring
    what nothing provides, met ``p17``'s requirement, libsolv needed Citrix): it keeps its
    ``depends``, stricter than libsolv where that provider was a true way."""
    bans = graph.bans
    themselves = bans.themselves if isinstance(bans, Bans) else frozenset()
    by_name: dict[str, list[int]] = {}
    for index in sorted(themselves):
        if index in taint.depends:
            by_name.setdefault(graph.packages[index].name, []).append(index)
    found: set[int] = set()
    for name, asked in sorted(by_name.items())[:NAMES]:
        again = lifted(graph, name)
        answer = spread(again, set(origin), reverse(again.runtime), asking=reach_of(again, asked))
        # One its clean-way check left unasked keeps its `depends`: a clean answer there is unseen.
        unmet = again.unresolved
        found.update(
            index
            for index in asked
            if index not in answer.depends
            and index not in answer.unasked
            and unmet.isdisjoint(again.runtime_closure([index]))
        )
    return frozenset(found)


def lifted(graph: DependencyGraph, name: str) -> DependencyGraph:
    """``graph`` made again with libsolv's infarch rule lifted for ``name``: no package bans one
    of that name, and none of its multilib pairs is apart (`auditor.deps.coinstall.SameName`)."""
    packages = graph.packages
    kept: dict[int, frozenset[int]] = {}  # id of a shared set of bans -> it without that name's
    bans: dict[int, frozenset[int]] = {}
    for asker, banned in graph.bans.items():
        without = kept.get(id(banned))
        if without is None:
            without = kept[id(banned)] = frozenset(one for one in banned if packages[one].name != name)
        if without:
            bans[asker] = without
    again = DependencyGraph(
        packages, graph.resolved, build_hosts=graph.build_hosts, audited=graph.audited, bans=bans, lifted=name
    )
    for owner, dependency, members in graph.weak:
        again.follow_weak(owner, dependency, members)
    return again
