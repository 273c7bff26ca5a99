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
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from auditor.deps import cleanway
from auditor.deps.edges import Edges, least_fixed_point, reverse
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Group
from auditor.deps.noclean import NoCleanWay
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


@dataclass(frozen=True)
class OnHost:
    """What one host's groups taint (`depends_on_hosts`): the chains of what depends there alone
    run on it (`auditor.deps.chains.runtime_chains`)."""

    complete: Edges
    """The `least_fixed_point` edges from the seeds and ``rounds``' packages, on this host."""
    before_rounds: Edges
    """Those from the seeds alone: what a chain of one category may run on when other
    categories' origin packages were tainted too (`auditor.deps.chains.runtime_chains`)."""
    tainted: set[int]
    rounds: Sequence[Mapping[int, NoCleanWay]]
    """What the clean-way check on this host's groups found, round by round."""
    lacking: frozenset[int] = frozenset()
    """What this host cannot install (`lacking_on`): nothing it needs there is a need of it."""


@dataclass(frozen=True)
class OnHosts:
    """`depends_on_hosts`' answer: each host's, and what depends on one host alone."""

    hosts: Sequence[OnHost] = ()
    depends: set[int] = field(default_factory=set)
    unasked: frozenset[int] = frozenset()
    screened_only: bool = False


def depends_on_hosts(
    graph: DependencyGraph, seeds: set[int], tainted: set[int], asking: Container[int] | None = None
) -> OnHosts:
    """With several hosts (``--arch``), what outside ``tainted`` depends on one host alone, its
    groups read there: a noarch ``app`` requiring ``lib``, which a clean aarch64 package and
    Citrix's x86_64 one provide, was `may-depend`, though an x86_64 host cannot install it
    without Citrix. The verdict is the worst over the hosts, as a buildroot is read on its own
    host (`auditor.deps.spread`). Per requirement (`least_fixed_point` from ``seeds``), then the
    clean-way check on that host's groups, in rounds as `auditor.deps.spread.spread` runs it:
    read at once, an x86_64 provider was a way around a Conflicts that rules out the only clean
    way an i686 host has (tests/deps/test_clean_way_on_each_host.py). ``asking``: as `spread`'s."""
    hosts, edges, partly = runtime_on(graph), edges_on(graph), graph.resolved.present_on
    found: list[OnHost] = []
    depends: set[int] = set()
    unasked: set[int] = set()
    screened_only = False
    for host, table in hosts.items():
        lacking = lacking_on(graph, host, edges[host])
        rounds: list[dict[int, NoCleanWay]] = []
        ruled: set[int] = set()
        before_rounds: Edges | None = None
        for number in range(cleanway.ROUNDS + 1):
            needing, complete = least_fixed_point(seeds | ruled, edges[host], partly)
            before_rounds = complete if before_rounds is None else before_rounds
            on_host = seeds | needing | ruled
            # No buildroot: each host's is asked apart already (`auditor.deps.spread._build_rounds`).
            answers = cleanway.without_clean_way(
                table,
                {},
                edges[host],
                on_host,
                graph.apart_from,
                partly,
                bans=graph.bans,
                ask=number < cleanway.ROUNDS,
                only=asking,
            )
            unasked |= answers.unasked
            screened_only |= answers.screened_only
            fresh = {index: why for index, why in answers.found.items() if index not in ruled}
            if not fresh:
                break
            rounds.append(fresh)
            ruled |= fresh.keys()
        first = complete if before_rounds is None else before_rounds
        found.append(OnHost(complete, first, on_host, rounds, lacking))
        depends |= (needing | ruled) - lacking
    return OnHosts(found, depends - tainted, frozenset(unasked), screened_only)


def lacking_on(graph: DependencyGraph, host: str, edges: Edges) -> frozenset[int]:
    """The packages a host (`runtime_on`'s key) cannot install, whose needs there are none: those
    of an architecture it does not install, and those with a requirement only such packages meet.
    A group's one provider stays in it whatever its architecture (`auditor.deps.viability.Viability.of`),
    so a noarch package whose other requirement only an x86_64 package meets read as installable
    on an aarch64 host, and needing Citrix there: a false `depends` (distro-60k, `--arch x86_64
    --arch aarch64`: akonadi-backend-mysql, which libsolv cannot install on aarch64 at all). One
    level only, as a run with that `--arch` alone reads it: there such a requirement is unmet,
    missing context, and what requires the package may still need Citrix through it (libsolv
    with the base distribution's stand-ins, `tests/deps/test_arch_random.py`). Lock-step groups
    are the twins of an x86_64 host's multilib, no requirement of the package's own."""
    installs = host_arches([host.removeprefix(BUILT_ON)])
    packages = graph.packages
    foreign = {index for index, package in enumerate(packages) if package.arch not in installs}
    foreign.difference_update(index for index, package in enumerate(packages) if package.is_source)
    lacking = set(foreign)
    for number, group in enumerate(edges.groups):
        bound = group.members and not group.lock_step and not group.dependency.is_rich
        if bound and all(member in foreign for member in group.members):
            lacking.update(edges.owners[number])
    return frozenset(lacking)
