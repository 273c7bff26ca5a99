"""Every origin package a taint can lead to, not only the nearest one its fact names.

A taint fact names the nearest origin package of its category (`auditor.audit.facts`), so a
baseline entry for "app depends on xlib (citrix)" would also accept a new Citrix package app
comes to need by a longer way. The baseline therefore records, for each taint it accepts, the
names of every origin package of that category the package can reach, and accepts the fact
again only while what it reaches stays among them (`auditor.gate.baseline`); comparing two
audits (`auditor.gate.progress`) counts a taint that reaches more than before as new, and a
JSON report records what each taint reaches for that comparison.

Reaching is read on the dependency graph with every alternative counted, as ``may-depend``
reads it: a run-time taint follows the package's requirements; a build taint starts at its
source package's build requirements and follows theirs, and the build requirements of the
source packages those were built from, and so on, as a build chain runs (`_build_chains` of
`auditor.deps.propagation`: a binary whose source cannot be built without Citrix is no clean
build requirement). Without those, a build entry accepting ``cx-bb`` accepted the build coming
to need ``held``, whose own build needs another Citrix package (red team 36). It is computed
only for taint facts asked about, from the strongly connected components of the part of the
graph they reach (and of the source packages a build reaches), each component's origin
packages once: a distribution's report asks for tens of thousands.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Mapping, Sequence

from auditor.audit.facts import Fact, FactKind
from auditor.deps.graph import DependencyGraph
from auditor.deps.hops import HopKind
from auditor.origin.findings import Category, Finding

_RUNTIME = frozenset({FactKind.DEPENDS, FactKind.MAY_DEPEND})
_NONE: frozenset[int] = frozenset()


class OriginReach:
    """The origin packages of each category that a package's taints can lead to."""

    def __init__(self, graph: DependencyGraph, findings: Mapping[int, Sequence[Finding]]) -> None:
        self.graph = graph
        self.categories: dict[int, frozenset[Category]] = {}
        for index, items in findings.items():
            found = frozenset(finding.category for finding in items if finding.effective)
            if found:
                self.categories[index] = found
        # One object per distinct answer, shared by both walks: along a chain every package
        # reaches the same few origin packages, and a set apiece took megabytes at a
        # distribution's peak.
        self._distinct: dict[frozenset[int], frozenset[int]] = {}
        self._runtime = _Closures(len(graph.packages), self._needs, self.categories, self._distinct)
        self._building: _Closures | None = None
        self._names: dict[tuple[int, Category], frozenset[str]] = {}
        """(id of a distinct answer of `_reach`, kept alive in ``_distinct``, a category) -> its names."""

    def names(self, fact: Fact) -> frozenset[str] | None:
        """The names of the origin packages of ``fact``'s category its package can reach; None
        for a fact that is no taint of a package."""
        category = fact.category
        if fact.package is None or category is None:
            return None
        graph = self.graph
        is_source = graph.packages[fact.package].is_source
        # A source package's `may-depend` is its buildroot's, and a binary's may be its source
        # package's, inherited (its chain starts at the source): what the build reaches. Read as
        # the run-time reach (a source package has none), its baseline entry recorded nothing and
        # accepted whatever the build came to reach.
        build = fact.kind is FactKind.BUILD_DEPENDS or (
            fact.kind is FactKind.MAY_DEPEND and (is_source or _built_from(fact))
        )
        if build:
            sources = (fact.package,) if is_source else graph.sources_of(fact.package)
            reached: set[int] = set()
            for source in sources:
                reached |= self._build_reach(source)
            if fact.kind is FactKind.MAY_DEPEND and not is_source:
                reached |= self._runtime.reach(fact.package)  # and at run time, whichever is nearer
            # Not the package's own binaries (a build that may take the package's previous build),
            # unless the taint ends there: a taint's reach is the other origin packages it needs.
            own = (
                "" if fact.ends_at == graph.packages[fact.package].name else graph.packages[fact.package].name
            )
            return frozenset(name for name in self._named(reached, category, fact.package) if name != own)
        if fact.kind not in _RUNTIME:
            return None
        shared = self._runtime.reach(fact.package)
        if fact.package not in shared:
            # One set of names per distinct answer and category, as for the indexes: n
            # packages reaching the same k origin packages made n sets of k names (2,000
            # each: `auditor diff` peaked at 826 MB, now 313 MB).
            key = (id(shared), category)
            found = self._names.get(key)
            if found is None:
                found = self._names[key] = self._named(shared, category, None)
            return found
        return self._named(shared, category, fact.package)

    def _named(self, reached: Iterable[int], category: Category, package: int | None) -> frozenset[str]:
        packages, categories = self.graph.packages, self.categories
        return frozenset(
            packages[index].name for index in reached if index != package and category in categories[index]
        )

    def _needs(self, index: int) -> tuple[int, ...]:
        """What installing package ``index`` may pull in next."""
        return tuple(member for group in self.graph.runtime.get(index, ()) for member in group.members)

    def _build_reach(self, source: int) -> frozenset[int]:
        """The origin packages building source package ``source`` may need: what its build
        requirements' providers reach on a graph where a binary leads, besides its run-time
        requirements, to the source packages it was built from, and a source package to its
        build requirements' providers (no buildroot may hold a binary that cannot be built
        without an origin package, `auditor.deps.spread`)."""
        building = self._building
        if building is None:
            # Source packages never count as origin packages of a build: only binaries are
            # installed into a buildroot.
            packages = self.graph.packages
            binaries = {at: kinds for at, kinds in self.categories.items() if not packages[at].is_source}
            building = self._building = _Closures(len(packages), self._builds, binaries, self._distinct)
        found: set[int] = set()
        for group in self.graph.build.get(source, ()):
            for provider in group.members:
                found |= building.reach(provider)
        return self._distinct.setdefault(frozenset(found), frozenset(found)) if found else _NONE

    def _builds(self, index: int) -> tuple[int, ...]:
        """What building with package ``index`` may need next: a binary's run-time requirements
        and the source packages it was built from; a source package's build requirements."""
        graph = self.graph
        if graph.packages[index].is_source:
            return tuple(member for group in graph.build.get(index, ()) for member in group.members)
        return (*self._needs(index), *graph.sources_of(index))


def _built_from(fact: Fact) -> bool:
    """Whether ``fact``'s chain starts at the source package its binary was built from."""
    return bool(fact.chain) and fact.chain[0].kind is HopKind.BUILT_FROM


class _Closures:
    """The origin packages reachable from each package along ``successors``, by Tarjan's
    strongly connected components (iterative: a chain of requirements may be deeper than
    Python's stack), every component reached recorded on the way."""

    def __init__(
        self,
        count: int,
        successors: Callable[[int], tuple[int, ...]],
        origins: Mapping[int, object],
        distinct: dict[frozenset[int], frozenset[int]],
    ) -> None:
        self._successors, self._origins, self._distinct = successors, origins, distinct
        # Arrays by package id, shared by every walk (Tarjan's numbering runs on across them):
        # a distribution's report walks most of its 60,000 packages, and dicts of them cost
        # megabytes at the run's peak.
        self._done: list[frozenset[int] | None] = [None] * count
        """package -> the origin packages reachable from it, itself included."""
        self._order = array("q", bytes(8 * count))
        """package -> 1 + its visiting order (0: not visited)."""
        self._low = array("q", bytes(8 * count))
        self._on_stack = bytearray(count)
        self._visited = 0

    def reach(self, start: int) -> frozenset[int]:
        """The origin packages reachable from ``start``, itself included."""
        done, order, low, on_stack = self._done, self._order, self._low, self._on_stack
        found = done[start]
        if found is not None:
            return found
        stack: list[int] = []
        # The walk's own stack, as three parallel lists (a node, its successors, how far they
        # were read): a generator per node on it took megabytes on a distribution's deep chains.
        nodes: list[int] = []
        successors: list[tuple[int, ...]] = []
        positions: list[int] = []
        next_of = self._successors

        def visit(node: int) -> None:
            self._visited += 1
            order[node] = low[node] = self._visited
            stack.append(node)
            on_stack[node] = 1
            nodes.append(node)
            successors.append(next_of(node))
            positions.append(0)

        visit(start)
        while nodes:
            node, children, at = nodes[-1], successors[-1], positions[-1]
            descended = False
            while at < len(children):
                child = children[at]
                at += 1
                if done[child] is not None:
                    continue
                if not order[child]:
                    positions[-1] = at
                    visit(child)
                    descended = True
                    break
                if on_stack[child]:
                    low[node] = min(low[node], order[child])
            if descended:
                continue
            nodes.pop()
            successors.pop()
            positions.pop()
            if nodes:
                parent = nodes[-1]
                low[parent] = min(low[parent], low[node])
            if low[node] == order[node]:
                self._close(node, stack)
        result = done[start]
        assert result is not None, "a walk closes the component it starts in"
        return result

    def _close(self, root: int, stack: list[int]) -> None:
        """Record the origin packages of the component ``root`` heads (the top of ``stack``):
        its own, and those of the components it leads to (all recorded before it)."""
        members: list[int] = []
        while True:
            member = stack.pop()
            self._on_stack[member] = 0
            members.append(member)
            if member == root:
                break
        inside = set(members)
        found = {member for member in members if member in self._origins}
        done = self._done
        for member in members:
            for child in self._successors(member):
                if child not in inside:
                    reached = done[child]
                    assert reached is not None, "a component's successors close before it"
                    found |= reached
        result = self._distinct.setdefault(frozenset(found), frozenset(found)) if found else _NONE
        for member in members:
            done[member] = result
