"""The run-time groups of the graph as a buildroot on one build host installs them.

With several build hosts (``--arch x86_64 --arch aarch64``) each host's buildroot is asked apart
(`auditor.deps.spread`), but the Requires of what it installs were read for every host at once:
a noarch ``own-tool`` requiring ``lib``, which a clean aarch64 package and a Citrix x86_64 one
provide, was a clean way around a Citrix ``tool`` on the x86_64 host too, and a source built
there was `may-depend` where ``dnf builddep`` on that host finds no buildroot without Citrix
(`tests/deps/test_builddep_differential.py`). On each host's buildroot, a group keeps only the
providers that host installs, as its BuildRequires' groups do (`auditor.deps.viability`), and a
package the host does not install has none (it is never in that buildroot).
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from weakref import WeakKeyDictionary

from auditor.deps.edges import Edges, least_fixed_point, reverse
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Group
from auditor.deps.provides import host_arches
from auditor.deps.viability import BUILT_ON, Viability

HostRuntime = Mapping[str, Mapping[int, list[Group]]]
"""A build table's key (``src:ARCH``, `DependencyGraph.build_on`) -> the run-time groups there."""


_MADE: WeakKeyDictionary[DependencyGraph, HostRuntime] = WeakKeyDictionary()
"""`runtime_on` of each graph alive: a run asks it once for every origin package and once for
each category alone (`auditor.deps.propagation`)."""


def runtime_on(graph: DependencyGraph) -> HostRuntime:
    """Each build host of a run with several, and the graph's run-time groups on it: only the
    packages whose groups narrow are listed again, over the graph's own table."""
    if len(graph.build_hosts) < 2:
        return {}
    made = _MADE.get(graph)
    if made is None:
        made = _MADE[graph] = _narrowed(graph)
    return made


def _narrowed(graph: DependencyGraph) -> HostRuntime:
    viable: Viability[Group] = Viability(graph.packages)
    packages = graph.packages
    found: dict[str, Mapping[int, list[Group]]] = {}
    # Every host of the run, with source packages or none: run-time statuses are read on each.
    for host in (BUILT_ON + arch for arch in graph.build_hosts):
        installs = host_arches([host.removeprefix(BUILT_ON)])
        narrowed: dict[int, list[Group]] = {}
        for owner, groups in graph.runtime.items():
            if packages[owner].arch not in installs:
                narrowed[owner] = []
                continue
            # A lock-step group is its twins, of the package's own name: nothing to narrow.
            on_host = [group if group.lock_step else viable.of(group, host, None) for group in groups]
            if any(made is not group for made, group in zip(on_host, groups, strict=True)):
                narrowed[owner] = on_host
        found[host] = ChainMap(narrowed, graph.runtime)
    return found


_EDGES: WeakKeyDictionary[DependencyGraph, dict[str, Edges]] = WeakKeyDictionary()


def edges_on(graph: DependencyGraph) -> dict[str, Edges]:
    """`auditor.deps.edges.reverse` of each host's table of `runtime_on`, made once per graph:
    each propagation of the build side asks them again."""
    made = _EDGES.get(graph)
    if made is None:
        made = _EDGES[graph] = {host: reverse(table) for host, table in runtime_on(graph).items()}
    return made


def groups_on_hosts(graph: DependencyGraph, hosts: HostRuntime, owner: int) -> list[Group]:
    """The run-time groups of ``owner``, with those of each host that differ (a chain may run
    through a group one host narrowed)."""
    groups = list(graph.runtime.get(owner, ()))
    for table in hosts.values():
        groups += (group for group in table.get(owner, ()) if group not in groups)
    return groups


def depends_on_hosts(
    graph: DependencyGraph, seeds: set[int], tainted: set[int]
) -> tuple[list[Edges], set[int]]:
    """With several hosts (``--arch``), each one's `least_fixed_point` edges from ``seeds``, its
    groups read there, and what outside ``tainted`` depends on one host alone: a noarch ``app``
    requiring ``lib``, which a clean aarch64 package and Citrix's x86_64 one provide, was
    `may-depend`, though an x86_64 host cannot install it without Citrix. The verdict is the
    worst over the hosts, as a buildroot is read on its own host (`auditor.deps.spread`)."""
    partly = graph.resolved.present_on
    found = [least_fixed_point(seeds, host_edges, partly) for host_edges in _installed_on(graph).values()]
    return [complete for _needing, complete in found], {i for needing, _c in found for i in needing} - tainted


_INSTALLED: WeakKeyDictionary[DependencyGraph, dict[str, Edges]] = WeakKeyDictionary()


def _installed_on(graph: DependencyGraph) -> dict[str, Edges]:
    """`edges_on`, but a package one of whose requirements only packages a host does not install
    meet has no groups there: that host installs no such package, nor needs Citrix for one. An
    i686 ``app`` requiring ``base``, which only an x86_64 package provides, read on an i686 host
    was `depends` (its other requirement's clean provider excluded beside that package), though
    libsolv needs Citrix on no host (tests/deps/test_runtime_host_cannot_install.py)."""
    made = _INSTALLED.get(graph)
    if made is not None:
        return made
    made = _INSTALLED[graph] = {}
    packages, edges = graph.packages, edges_on(graph)
    for host, table in runtime_on(graph).items():
        installs = host_arches([host.removeprefix(BUILT_ON)])
        lacking: dict[int, list[Group]] = {
            owner: []
            for owner, groups in table.items()
            if any(
                group.members
                and not group.trigger
                and not group.lock_step
                and all(packages[member].arch not in installs for member in group.members)
                for group in groups
            )
        }
        made[host] = reverse(ChainMap(lacking, dict(table))) if lacking else edges[host]
    return made
