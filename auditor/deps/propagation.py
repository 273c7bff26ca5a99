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

Requirements asked one at a time miss a package whose clean providers cannot be installed
together: `auditor.deps.cleanway` finds those, which taint what needs them in turn, until
nothing more is found. Their chains end at a hop that says what rules the clean way out.
Asked with every origin package tainted, it asks no package tainted already and names one
group per package, so each category is asked again with its own origin packages alone where
there are others (`_alone`): a package tainted by one category may need the other only
because a Conflicts rules that one's clean way out.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from auditor.deps import lifting
from auditor.deps.chains import ChainMaker, make_hop, no_clean_way_chain, runtime_chains, shortest
from auditor.deps.edges import Edges, nearest_two, reverse
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import Chain, Group, Hop, HopKind, PackageVerdict
from auditor.deps.hostruntime import HostRuntime, groups_on_hosts
from auditor.deps.maybuild import may_build
from auditor.deps.noclean import CleanInstalls, NoCleanWay
from auditor.deps.spread import NOBODY_HOSTS, Either, all_tainted, categories_of, spread
from auditor.origin.findings import Category, Finding, Verdict

_CLEAN = PackageVerdict(Verdict.CLEAN)
_UNRESOLVED = PackageVerdict(Verdict.UNRESOLVED)
NOBODY_CHAINS: Mapping[int, Chain] = MappingProxyType({})
"""No build chain known beforehand (`_build_chains`)."""
NOBODY_HELD_BACK: Mapping[int, NoCleanWay] = MappingProxyType({})


def propagate(graph: DependencyGraph, findings: Mapping[int, Sequence[Finding]]) -> Propagation:
    """Every taint of every package: what makes it origin, and each way it depends on origin.

    A package can be several things at once (a binary that depends on an origin package at
    run time *and* whose source cannot be built without one; a source package whose build is
    tainted *and* that has a requirement nothing provides; an origin package that also needs
    another origin package). Each status is recorded per category of the origin packages it
    leads to, each with its own shortest chain, so that accepting one (a waiver scoped by
    category, a baseline entry) never accepts another.
    """
    categories = categories_of(findings)
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
    taint = spread(graph, origin, reverse_edges)
    spared = lifting.spared(graph, origin, taint)  # asked for itself, no ban of its name holds
    tainted, blocked, names = taint.tainted, taint.blocked, graph.packages
    unbuildable, held_back, unusable = taint.unbuildable, taint.held_back, taint.unusable
    by_category: dict[Verdict, dict[Category, dict[int, Chain]]] = {
        verdict: {} for verdict in (Verdict.DEPENDS, Verdict.MAY_DEPEND, Verdict.BUILD_DEPENDS)
    }
    unasked, screened_only = set(taint.unasked), taint.screened_only
    lost_alone: list[str] = []
    for category in Category:
        # Sorted by name: of two origin packages equally near, a chain ends at the same one
        # whatever order the inputs were read in (a baseline entry names it).
        sources = sorted(
            (index for index, found in categories.items() if category in found),
            key=lambda index: (names[index].name, index),
        )
        if not sources:
            continue
        runtime, ruled_chains = runtime_chains(graph, sources, origin_chain, taint)
        own = {index: origin_chain.get(index) for index in sources}
        preset = {index: chain for index, chain in ruled_chains.items() if index in unbuildable}
        builds = _build_chains(
            blocked, tainted, graph, runtime, own, preset, held_back, unusable, taint.hosts
        )
        if len(sources) < len(origin):
            alone = _alone(graph, sources, origin_chain, reverse_edges, runtime, builds, taint.installed)
            unasked |= alone.unasked
            screened_only |= alone.screened_only
            lost_alone += [names[index].nevra for index in alone.lost]
        for index in spared:  # its own installation's verdict (what needs it keeps its chain)
            runtime.pop(index, None)
        labels = nearest_two(sources, reverse_edges)
        anyway = ChainMaker(labels, origin_chain, set(labels[0]), partly)
        may = {index: anyway.chain(index, end) for index, end in anyway.ends() if index not in runtime}
        may.update(may_build(graph, own, runtime, may, builds, reverse_edges))
        by_category[Verdict.DEPENDS][category] = runtime
        by_category[Verdict.MAY_DEPEND][category] = may
        by_category[Verdict.BUILD_DEPENDS][category] = builds
    found = Propagation(
        origin={index: origin_chain.get(index, ()) for index in origin},
        depends=shortest(by_category[Verdict.DEPENDS]),
        may_depend=shortest(by_category[Verdict.MAY_DEPEND]),
        build_depends=shortest(by_category[Verdict.BUILD_DEPENDS]),
        unresolved=frozenset(graph.unresolved),
        by_category=by_category,
        unasked=frozenset(unasked),
        screened_only=screened_only,
    )
    # A taint is shown only with a chain that proves it: a blocked package the chains missed
    # would show clean in every output (red team 40 found one). An internal error says the
    # audit failed; a silent clean would not. Nor is a may-depend chain one: a blocked source it
    # alone showed read may-depend, a clean way claimed where none is (rt-builddep).
    chained = (found.origin, found.depends, found.build_depends)
    lost = sorted(names[index].nevra for index in blocked if not any(index in chains for chains in chained))
    if lost:
        raise AssertionError(f"blocked with no chain to show: {', '.join(lost[:5])}")
    if lost_alone:
        raise AssertionError(f"needing one category with no chain to show: {', '.join(lost_alone[:5])}")
    return found


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
    unasked: frozenset[int] = frozenset()
    """Packages whose clean providers were not checked together (`auditor.deps.spread.Spread`)."""
    screened_only: bool = False
    """Only the clean-way screen's choice was asked (`auditor.deps.spread.Spread`)."""

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


def _build_chains(
    blocked: set[int],
    tainted: set[int],
    graph: DependencyGraph,
    runtime: Mapping[int, Chain],
    own: Mapping[int, Chain | None],
    preset: Mapping[int, Chain] = NOBODY_CHAINS,
    held_back: Mapping[int, NoCleanWay] = NOBODY_HELD_BACK,
    unusable: frozenset[int] = frozenset(),
    hosts: HostRuntime = NOBODY_HOSTS,
) -> dict[int, Chain]:
    """The shortest build chain of each of ``blocked`` to an origin package of one category.

    ``runtime`` and ``own`` are the run-time chains of that category and its origin packages (an
    origin package is its own chain's end). Relaxed until nothing gets shorter: the build
    packages a distribution blocks are few, and their chains short. A source package of
    ``held_back`` (`auditor.deps.spread.Spread`) has the chain of its answer, through the
    nearest of the group's tainted or blocked providers, as well as any per-requirement one.
    A package of ``unusable`` (no buildroot may take it: it needs a blocked binary) has a
    run-time chain to one, relaxed with the rest: ``app2.src`` BuildRequires ``tool``, which
    Requires ``heldlib``, built from ``heldlib.src``, which BuildRequires ``cx-zz``. With several
    build hosts (``hosts``), that chain may run through a group as one host reads it.
    """
    build, binaries, sources_of, packages = graph.build, graph.binaries, graph.sources_of, graph.packages
    partly = graph.resolved.present_on
    sources = sorted(index for index in blocked if index in build and index not in preset)
    chains: dict[int, Chain] = dict(preset)

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
        if found is None:
            found = needing.get(member)
        return None if found is None else (found,)

    either = Either(tainted, Either(blocked, unusable)) if unusable else Either(tainted, blocked)

    def through(owner: int, group: Group, best: Chain | None) -> Chain | None:
        """A chain of ``owner`` through ``group`` (all of whose members are tainted, blocked or
        unusable) shorter than ``best``, if one of its members has a chain."""
        shorter = None
        for member in group.members:
            found = tail(member)
            if found is None:
                continue
            rest = found[0]
            if best is None or (0 if rest is None else len(rest)) + 1 < len(best):
                counted = sum(1 for one in group.members if one in either)
                best = shorter = Chain(make_hop(owner, group, member, counted, partly), rest)
        return shorter

    needing: dict[int, Chain] = {}
    """Package no buildroot may take -> its run-time chain to one of this category's packages."""
    # A blocked binary that is also unusable needs its run-time chain too: its own source's chain
    # may run through it (lib0.src BuildRequires lib1, which Requires lib0, which Requires heldlib).
    # So does a package tainted in another category only: app.src BuildRequires a proprietary
    # ``blob``, which Requires ``cx`` (Citrix) or ``held`` (blocked), so the buildroot takes ``cx``
    # and the build is Citrix's too, which a waiver of the proprietary taint alone must not pass.
    unusable_order = sorted(
        index
        for index in unusable.union(tainted)
        if index not in build and index not in own and index not in runtime
    )
    changed = True
    while changed:
        changed = False
        for index in unusable_order:
            best = needing.get(index)
            groups = groups_on_hosts(graph, hosts, index) if hosts else graph.runtime.get(index, ())
            for group in groups:
                if index in group.members or not all_tainted(group.members, either, partly):
                    continue
                shorter = through(index, group, best)
                if shorter is not None:
                    best = needing[index] = shorter
                    changed = True
        for source in sources:
            best = chains.get(source)
            why = held_back.get(source)
            if why is not None:
                found_whole = no_clean_way_chain(graph, why, tail, either, either)
                if found_whole is not None and (best is None or len(found_whole) < len(best)):
                    best = found_whole
                    changed = True
            for group in build[source]:
                if not all_tainted(group.members, either, partly):
                    continue
                shorter = through(source, group, best)
                if shorter is not None:
                    best = shorter
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
class _Alone:
    """What `_alone` adds to nothing: the packages its clean-way check left unasked, and those
    it found needing the category with no chain to show (an internal error, never a clean)."""

    unasked: frozenset[int]
    lost: list[int]
    screened_only: bool


def _alone(
    graph: DependencyGraph,
    sources: Sequence[int],
    origin_chain: Mapping[int, Chain],
    reverse_edges: Edges,
    runtime: dict[int, Chain],
    builds: dict[int, Chain],
    found_clean: CleanInstalls | None,
) -> _Alone:
    """The chains of what cannot do without one category's origin packages (``sources``) with
    every other package allowed, the other categories' origin packages too, that ``runtime``
    and ``builds`` (that category's chains, found with every origin package tainted) lack:
    added to them.

    With every origin package tainted, the clean-way check asks none of them, nor what they
    taint, and names one group with no clean way: ``app`` Requires ``libp`` (only the
    proprietary ``prop-p``) and ``mid`` (which Requires ``liba``: ``cx-a``, Citrix's, or
    ``clean-a``), and Conflicts with ``clean-a``; libsolv cannot install it without ``cx-a``
    either, but it was found proprietary only (tainted at once), and so was a proprietary
    ``blob`` in its place, and ``app-two`` whose other group needing the proprietary one was
    named. A waiver of the proprietary facts passed them (rt-category; seed 3 of
    tests/deps/test_category_clean_way_random.py). Asked with this category's origin packages
    alone, as libsolv is with them locked, each is found; so are the buildroots. The clean
    installations found with every origin package tainted (``found_clean``) answer there too."""
    # What the first pass found blocked for this category stays so: its binaries are no clean way
    # for this category's buildroots, though asked alone its own build may not be found blocked
    # (a buildroot that cannot be installed at all: tests/deps/test_build_category_blocked.py).
    before = frozenset(index for index in builds if graph.packages[index].is_source)
    alone = spread(graph, set(sources), reverse_edges, found_clean=found_clean, blocked_before=before)
    missing = [index for index in sorted(alone.depends) if index not in runtime]
    missing_builds = [index for index in sorted(alone.blocked) if index not in builds]
    # An origin package of this category that needs another: shown where a chain proves it.
    needing = [index for index in sorted(alone.origin_needs) if index not in runtime]
    lost: list[int] = []

    def add(indexes: list[int], found: Mapping[int, Chain], into: dict[int, Chain]) -> None:
        for index in indexes:
            chain = found.get(index)
            if chain is None:
                lost.append(index)
            else:
                into[index] = chain

    if not missing and not missing_builds and not needing:
        return _Alone(alone.unasked, lost, alone.screened_only)
    own_runtime, ruled = runtime_chains(graph, sources, origin_chain, alone)
    add(missing, own_runtime, runtime)
    runtime.update((index, own_runtime[index]) for index in needing if index in own_runtime)
    if missing_builds:
        own = {index: origin_chain.get(index) for index in sources}
        preset = {index: chain for index, chain in ruled.items() if index in alone.unbuildable}
        preset.update((index, builds[index]) for index in before)
        found = _build_chains(
            alone.blocked,
            alone.tainted,
            graph,
            own_runtime,
            own,
            preset,
            alone.held_back,
            alone.unusable,
            alone.hosts,
        )
        add(missing_builds, found, builds)
    return _Alone(alone.unasked, lost, alone.screened_only)
