"""What a set of origin packages taints, without the chains that prove it.

A package *depends* on origin packages when one of its requirements has no clean provider
(`auditor.deps.edges.least_fixed_point`), or when its clean providers cannot be installed
together (`auditor.deps.cleanway`); a source package is *blocked* when its buildroot cannot do
without a tainted package, or without a blocked binary or a package that needs one
(`_blocked`, `_build_rounds`), and so are the binaries built from it. `auditor.deps.propagation`
proves each with a chain; `auditor.audit.plan` asks only what, once per group of origin packages.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from auditor.deps import cleanway
from auditor.deps.edges import NOBODY, Edges, lacking_alike, least_fixed_point
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Group
from auditor.deps.hostruntime import HostRuntime, OnHost, OnHosts, depends_on_hosts, edges_on, runtime_on
from auditor.deps.noclean import CleanInstalls, NoCleanWay
from auditor.origin.findings import Category, Finding

NOBODY_HOSTS: HostRuntime = {}
"""One build host, or none: no host's run-time groups differ from the graph's."""


@dataclass(frozen=True)
class Spread:
    """What a set of origin packages taints, without the chains that prove it (`propagate`
    makes those): what `auditor.audit.plan` asks once per group of origin packages."""

    depends: set[int]
    """The packages outside the origin ones that cannot be installed without one."""
    blocked: set[int]
    """The source packages that cannot be built without a tainted package, and their binaries."""
    tainted: set[int]
    """The origin packages and ``depends``."""
    complete: Edges
    """The edges of every group whose alternatives are all tainted (`least_fixed_point`)."""
    rounds: Sequence[Mapping[int, NoCleanWay]]
    """What `auditor.deps.cleanway` found, round by round."""
    unbuildable: frozenset[int]
    """The source packages of ``rounds``."""
    unasked: frozenset[int] = frozenset()
    """Packages `auditor.deps.cleanway` had to leave unasked (its `STEPS` spent), still untainted
    or origin: each may need an origin package (another one) that this run does not show."""
    held_back: Mapping[int, NoCleanWay] = field(default_factory=dict)
    """The source packages whose buildroot cannot do without a blocked binary as a whole
    (`_build_rounds`), each with why: their chains run through that binary's build chain."""
    unusable: frozenset[int] = frozenset()
    """The packages outside ``tainted`` that cannot be installed without a blocked binary, the
    blocked binaries included (`_blocked`): no way a buildroot may take, and the others among
    them clean at run time."""
    screened_only: bool = False
    """A round asked only the clean-way screen's choice (`auditor.deps.noclean.CleanWays`)."""
    installed: CleanInstalls | None = None
    """The first round's clean installations (`CleanInstalls`): a later spread from fewer
    origin packages takes them as ``known``."""
    hosts: HostRuntime = field(default_factory=dict)
    """With several build hosts, the run-time groups on each (`auditor.deps.hostruntime`): a
    buildroot's chain may run through a group only its host narrows."""
    origin_needs: Mapping[int, NoCleanWay] = field(default_factory=dict)
    """Every round's `auditor.deps.noclean.CleanWays.origin_needs`, the latest answer kept."""
    on_hosts: Sequence[OnHost] = ()
    """With several hosts, what each one's groups taint (`depends_on_hosts`): the chains of what
    depends on one host alone run on them."""


def spread(
    graph: DependencyGraph,
    origin: set[int],
    reverse_edges: Edges,
    *,
    clean_ways: bool = True,
    asking: Container[int] | None = None,
    found_clean: CleanInstalls | None = None,
    blocked_before: frozenset[int] = frozenset(),
) -> Spread:
    """What ``origin`` taints: per requirement, then what that leaves with no clean installation
    as a whole (`auditor.deps.cleanway`), which taints more, to a fixed point in rounds (each
    round's chains end at what earlier ones tainted). ``reverse_edges``: `reverse` of the graph's
    run-time groups, made once by a caller that asks many times. Without ``clean_ways``, per
    requirement only: a part of the whole answer, which a caller that only needs to know what
    stays tainted can take when that holds it all (the clean-way check only adds, as does the
    rule that a buildroot may hold no package that needs a blocked binary: `_blocked`). With
    ``asking``, the clean-way check asks only those packages: the answer is whole only for the
    packages that reach none but them (`reach_of`). ``found_clean``: clean installations an
    earlier spread found (`Spread.installed`), which answer for fewer origin packages; and
    ``blocked_before``, source packages one found blocked by these: blocked here too (`_alone`)."""
    partly = graph.resolved.present_on
    rounds: list[dict[int, NoCleanWay]] = []
    ruled: set[int] = set()
    unasked: set[int] = set()
    screened_only = False
    installed: CleanInstalls | None = None
    origin_needs: Mapping[int, NoCleanWay] = {}
    known: set[int] = set()  # what earlier rounds found: a source found stays found, not new again
    build = graph.build if len(graph.build_hosts) <= 1 else {}
    for _round in range(cleanway.ROUNDS + 1):
        depends, complete = least_fixed_point(origin | ruled, reverse_edges, partly)
        tainted = origin | depends | ruled
        if not clean_ways:
            break
        last = len(rounds) == cleanway.ROUNDS  # what the next round would ask is not seen
        answers = cleanway.without_clean_way(
            graph.runtime,
            build,
            reverse_edges,
            tainted,
            graph.apart_from,
            partly,
            bans=graph.bans,
            ask=not last,
            only=asking,
            known=found_clean,
            origin=origin if asking is None else {one for one in origin if one in asking},
        )
        installed = installed or answers.installed
        # Kept: once a round taints what one needs, the next has no clean way of it to ask.
        origin_needs = {**origin_needs, **answers.origin_needs}
        unasked |= answers.unasked
        screened_only |= answers.screened_only
        fresh = {index: why for index, why in answers.found.items() if index not in known}
        if not fresh:
            break
        rounds.append(fresh)
        known.update(fresh)
        binaries = {index for index in fresh if not graph.packages[index].is_source}
        if not binaries:
            break  # a source package is no provider: it taints nothing at run time
        ruled |= binaries
    unbuildable = frozenset(index for found in rounds for index in found if graph.packages[index].is_source)
    held_back: dict[int, NoCleanWay] = {}
    unusable: set[int] = set()
    hosts = runtime_on(graph) if clean_ways else NOBODY_HOSTS
    unbuilt = unbuildable | blocked_before
    if clean_ways:
        per_requirement = _blocked(graph, reverse_edges, tainted, unbuilt, hosts)
        blocked, unusable, build_screened = _build_rounds(
            graph, reverse_edges, tainted, per_requirement, unbuilt, held_back, unasked, asking, hosts
        )
        screened_only |= build_screened
    else:
        blocked = _build_fixed_point(tainted, graph.build, graph.binaries, partly, unbuilt)
    on = depends_on_hosts(graph, origin | ruled, tainted, asking) if clean_ways else OnHosts()
    tainted_now = (tainted | blocked | on.depends) - origin
    unasked_left = frozenset(index for index in unasked | on.unasked if index not in tainted_now)
    found = (depends | ruled | on.depends, blocked, tainted, complete, rounds, unbuildable, unasked_left)
    rest = (held_back, frozenset(unusable), screened_only or on.screened_only, installed, hosts, origin_needs)
    return Spread(*found, *rest, on.hosts)


def _blocked(
    graph: DependencyGraph,
    reverse_edges: Edges,
    tainted: set[int],
    unbuildable: Iterable[int],
    hosts: HostRuntime = NOBODY_HOSTS,
) -> tuple[set[int], set[int]]:
    """The source packages that cannot be built without a tainted package and their binaries
    (`_build_fixed_point`), and the packages outside ``tainted`` that cannot be installed
    without such a blocked binary (`least_fixed_point` from the tainted and blocked ones; the
    blocked binaries too), to a fixed point.

    A buildroot may hold no blocked binary (it cannot be rebuilt without what is tainted), so a
    BuildRequires provider that needs one is no clean way either: ``tool`` Requires ``heldlib``
    (blocked), and ``dnf builddep app2`` (``app2`` BuildRequires ``tool``) puts ``heldlib`` in
    the buildroot. At run time ``tool`` stays clean: installing it needs nothing tainted. A run
    with no blocked binary (none without source packages) asks nothing more. With several build
    hosts (``hosts``), each host's buildroot is asked with what needs a tainted package there
    (`_blocked_on_hosts`)."""
    if hosts:
        return _blocked_on_hosts(graph, tainted, unbuildable)
    build, binaries, packages = graph.build, graph.binaries, graph.packages
    partly = graph.resolved.present_on
    unusable: set[int] = set()
    blocked = _build_fixed_point(tainted, build, binaries, partly, unbuildable)
    while True:
        held = {index for index in blocked if not packages[index].is_source}
        if not held:
            return blocked, unusable
        needing, _complete = least_fixed_point(tainted | held, reverse_edges, partly)
        # The seeds too: a source whose BuildRequires is its own binary, unusable before, stays
        # blocked once that binary is a seed (without it, the two answers took turns forever).
        unusable = needing | held
        again = _build_fixed_point(Either(tainted, unusable), build, binaries, partly, unbuildable)
        if len(again) == len(blocked):  # it only grows
            return blocked, unusable
        blocked = again


def _blocked_on_hosts(
    graph: DependencyGraph, tainted: set[int], unbuildable: Iterable[int]
) -> tuple[set[int], set[int]]:
    """`_blocked` for each build host: its buildroot may take nothing that needs a tainted
    package or a blocked binary on that host, its groups read there (`auditor.deps.hostruntime`);
    a source blocked on one host is blocked. The packages no buildroot may take are every host's."""
    binaries, packages, partly = graph.binaries, graph.packages, graph.resolved.present_on
    edges = edges_on(graph)
    unbuildable = frozenset(unbuildable)
    blocked: set[int] = set()
    while True:
        held = {index for index in blocked if not packages[index].is_source}
        found: set[int] = set()
        unusable: set[int] = set(held)
        for host, build in graph.build_on.items():
            needing, _complete = least_fixed_point(tainted | held, edges[host], partly)
            unusable |= needing
            found |= _build_fixed_point(Either(tainted, needing | held), build, binaries, partly, unbuildable)
        if len(found) == len(blocked):  # it only grows
            return blocked, unusable
        blocked = found


def _build_rounds(
    graph: DependencyGraph,
    reverse_edges: Edges,
    tainted: set[int],
    known: tuple[set[int], set[int]],
    unbuildable: frozenset[int],
    held_back: dict[int, NoCleanWay],
    unasked: set[int],
    asking: Container[int] | None,
    hosts: HostRuntime = NOBODY_HOSTS,
) -> tuple[set[int], set[int], bool]:
    """``known`` (`_blocked`'s answer), with the source packages whose buildroot holds a
    blocked binary as a whole (its BuildRequires each having another way) and their binaries,
    round by round, into ``held_back``; what a round could not ask, into ``unasked``; and
    whether a round asked only the screen's choice (`CleanWays.screened_only`). No package
    of a buildroot may be blocked or need one (`_blocked`): its Requires may not take one either.

    A blocked binary needs nothing tainted to be installed, so the run-time rounds of `spread`
    take it as a clean provider; a BuildRequires may not (`_build_fixed_point`): asked one at a
    time, ``libr`` (a blocked ``held`` or ``clean-r``) and ``libs`` (``s``, which conflicts with
    ``clean-r``) each have a clean way, and no buildroot holds both without ``held``.

    With several build hosts (``--arch``), each host's buildroot is asked apart, from the start:
    the run-time rounds asked none (a source's groups are every host's, which no one buildroot
    holds together), and a buildroot that cannot do without a Citrix package on one host
    blocks, as a BuildRequires that only Citrix meets on one host does."""
    packages = graph.packages
    blocked, unusable = known
    tables = list(graph.build_on.items()) if len(graph.build_hosts) > 1 else [("", graph.build)]
    if len(tables) == 1 and all(packages[index].is_source for index in blocked):
        return (*known, False)  # no blocked binary: the run-time rounds asked the same questions
    screened_only = False
    for number in range(cleanway.ROUNDS + 1):
        last = number == cleanway.ROUNDS
        fresh: dict[int, NoCleanWay] = {}
        unfit = Either(tainted, Either(blocked, unusable))
        for host, build in tables:
            answers = cleanway.without_clean_way(
                hosts.get(host, graph.runtime),  # what the host's buildroot installs, read there
                build,
                reverse_edges,
                unfit,
                graph.apart_from,
                graph.resolved.present_on,
                bans=graph.bans,
                ask=not last,
                only=asking,
                build_tainted=unfit,
            )
            unasked.update(answers.unasked)
            screened_only |= answers.screened_only
            for index, why in answers.found.items():
                if index not in blocked:
                    fresh.setdefault(index, why)
        if not fresh:
            break
        held_back.update(fresh)
        blocked, unusable = _blocked(graph, reverse_edges, tainted, unbuildable | held_back.keys(), hosts)
    return blocked, unusable, screened_only


def spread_without(
    graph: DependencyGraph, whole: set[int], origin: set[int], removed: Iterable[int], reverse_edges: Edges
) -> Spread:
    """`spread` of ``origin`` per requirement only (``clean_ways=False``), given ``whole``: what
    ``origin`` and the origin packages ``removed`` taint together (that call's ``tainted``).

    Only the packages that may need one of ``removed`` (the removed ones and every package with
    a requirement one of them may meet, transitively) can be tainted otherwise without them:
    every other package's requirements reach none of them, so its answer is ``whole``'s. Those
    are propagated again, from the origin packages among them and the packages of ``whole``
    outside them that their requirements name. `auditor.audit.plan` asks this once per origin
    group: a distribution of 863 origin groups and 8,650 tainted packages propagated the whole
    graph 863 times (100 s of its 111). Its ``complete`` holds only the edges found again, and
    it has no clean-way rounds, nor `_blocked`'s buildroot rule."""
    region = set(removed)
    pending = list(region)
    of_member, owners, owned = reverse_edges.of_member, reverse_edges.owners, reverse_edges.owned
    while pending:
        for number in of_member.get(pending.pop(), ()):
            for owner in owners[number]:
                if owner not in region:
                    region.add(owner)
                    pending.append(owner)
    seeds = {index for index in origin if index in region}
    for index in region:
        for group in owned.get(index, ()):
            seeds.update(member for member in group.members if member in whole and member not in region)
    partly = graph.resolved.present_on
    found, complete = least_fixed_point(seeds, reverse_edges, partly, within=region)
    tainted = {index for index in whole if index not in region}
    tainted.update(index for index in seeds if index in region)
    tainted.update(found)
    blocked = _build_fixed_point(tainted, graph.build, graph.binaries, partly)
    return Spread(tainted - origin, blocked, tainted, complete, (), frozenset())


def reach_of(graph: DependencyGraph, packages: Iterable[int]) -> set[int]:
    """``packages`` and every package they may need, at run time or to be built, through any
    provider, and the source packages each binary among them was built from: the only packages
    whose taint, or whose lack of a clean way, can reach them.

    A binary is blocked when its source package is (`_build_fixed_point`): a source the run
    holds as context only, with no buildroot free of a tainted package, was left unasked, and
    the plan had every group clear its binaries."""
    found = set(packages)
    pending = list(found)
    runtime, build = graph.runtime, graph.build
    while pending:
        index = pending.pop()
        members = [
            member for group in (*runtime.get(index, ()), *build.get(index, ())) for member in group.members
        ]
        for member in (*members, *graph.sources_of(index)):
            if member not in found:
                found.add(member)
                pending.append(member)
    return found


def origin_of(findings: Mapping[int, Sequence[Finding]]) -> set[int]:
    """The packages with an effective finding: the origin packages `propagate` starts from."""
    return set(categories_of(findings))


def categories_of(findings: Mapping[int, Sequence[Finding]]) -> dict[int, set[Category]]:
    """Each package with an effective finding -> the categories of its findings."""
    categories: dict[int, set[Category]] = {}
    for index, items in findings.items():
        found = {finding.category for finding in items if finding.effective}
        if found:
            categories[index] = found
    return categories


def _build_fixed_point(
    tainted: Container[int],
    build: Mapping[int, list[Group]],
    binaries: Mapping[int, list[int]],
    partly: Mapping[int, Hashable] = NOBODY,
    unbuildable: Iterable[int] = (),
) -> set[int]:
    """Source packages that cannot be built without tainted packages, and the binaries built
    from them. A member some build hosts lack (``partly``) is no way around, as at run time.
    ``unbuildable`` are source packages known to be so already (`auditor.deps.cleanway`)."""
    found: set[int] = set()
    for source in unbuildable:
        found.add(source)
        found.update(binaries.get(source, ()))
    changed = True
    while changed:
        changed = False
        blocked = Either(tainted, found)
        for source, source_groups in build.items():
            if source in found:
                continue
            for group in source_groups:
                if all_tainted(group.members, blocked, partly):
                    found.add(source)
                    # A binary tainted at run time is recorded here too: each taint is its own fact.
                    found.update(binaries.get(source, ()))
                    changed = True
                    break
    return found


def all_tainted(members: Sequence[int], blocked: Container[int], partly: Mapping[int, Hashable]) -> bool:
    """Whether a group leaves no clean way: a member tainted, and every other one tainted or
    lacking on some hosts (unless one reader hides them all: `lacking_alike`)."""
    if not partly or lacking_alike(members, partly):
        return bool(members) and all(member in blocked for member in members)
    return any(member in blocked for member in members) and all(
        member in blocked or member in partly for member in members
    )


@dataclass(frozen=True)
class Either:
    """Membership in either of two sets, without making their union."""

    first: Container[int]
    second: Container[int]

    def __contains__(self, item: object) -> bool:
        return item in self.first or item in self.second
