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
from collections.abc import Iterable, Iterator, Mapping, Sequence

from auditor.audit.facts import Fact, FactKind
from auditor.deps.graph import DependencyGraph
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
        # Arrays by package id, shared by every walk (Tarjan's numbering runs on across them):
        # a distribution's report walks most of its 60,000 packages, and dicts of them cost
        # megabytes at the run's peak.
        count = len(graph.packages)
        self._origins: list[frozenset[int] | None] = [None] * count
        """package -> the origin packages (of any category) installing it may pull in, itself included."""
        self._order = array("q", bytes(8 * count))
        """package -> 1 + its visiting order (0: not visited)."""
        self._low = array("q", bytes(8 * count))
        self._on_stack = bytearray(count)
        self._visited = 0
        self._distinct: dict[frozenset[int], frozenset[int]] = {}
        self._built: dict[int, frozenset[int]] = {}
        """source package -> the origin packages building it may need (`_build_reach`)."""
        self._names: dict[tuple[int, Category], frozenset[str]] = {}
        """(id of a distinct answer of `_reach`, kept alive in ``_distinct``, a category) -> its names."""

    def names(self, fact: Fact) -> frozenset[str] | None:
        """The names of the origin packages of ``fact``'s category its package can reach; None
        for a fact that is no taint of a package."""
        category = fact.category
        if fact.package is None or category is None:
            return None
        if fact.kind is FactKind.BUILD_DEPENDS:
            graph = self.graph
            sources = (
                (fact.package,) if graph.packages[fact.package].is_source else graph.sources_of(fact.package)
            )
            reached: set[int] = set()
            for source in sources:
                reached |= self._build_reach(source)
            return self._named(reached, category, fact.package)
        if fact.kind not in _RUNTIME:
            return None
        shared = self._reach(fact.package)
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

    def _successors(self, index: int) -> Iterator[int]:
        for group in self.graph.runtime.get(index, ()):
            yield from group.members

    def _reach(self, start: int) -> frozenset[int]:
        """The origin packages in ``graph.runtime_closure({start})``, by Tarjan's strongly
        connected components (iterative: a chain of requirements may be deeper than Python's
        stack), every component reached recorded on the way."""
        done, order, low, on_stack = self._origins, self._order, self._low, self._on_stack
        found = done[start]
        if found is not None:
            return found
        stack: list[int] = []
        # The walk's own stack, as three parallel lists (a node, its successors, how far they
        # were read): a generator per node on it took megabytes on a distribution's deep chains.
        nodes: list[int] = []
        successors: list[tuple[int, ...]] = []
        positions: list[int] = []
        runtime = self.graph.runtime

        def visit(node: int) -> None:
            self._visited += 1
            order[node] = low[node] = self._visited
            stack.append(node)
            on_stack[node] = 1
            nodes.append(node)
            successors.append(tuple(member for group in runtime.get(node, ()) for member in group.members))
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
        found = {member for member in members if member in self.categories}
        done = self._origins
        for member in members:
            for child in self._successors(member):
                if child not in inside:
                    reached = done[child]
                    assert reached is not None, "a component's successors close before it"
                    found |= reached
        # One object per distinct answer: along a chain every package reaches the same few
        # origin packages, and a set apiece took megabytes at a distribution's peak.
        result = self._distinct.setdefault(frozenset(found), frozenset(found)) if found else _NONE
        for member in members:
            done[member] = result

    def _build_reach(self, start: int) -> frozenset[int]:
        """The origin packages building source package ``start`` may need: those its build
        requirements' providers reach at run time, and, for each provider, what building the
        source packages it was built from may need (Tarjan's components over source packages,
        iterative as `_reach`; build requirements run in cycles, a compiler built with itself)."""
        built = self._built
        found = built.get(start)
        if found is not None:
            return found
        graph = self.graph
        order: dict[int, int] = {}
        low: dict[int, int] = {}
        stack: list[int] = []
        on_stack: set[int] = set()
        walk: list[tuple[int, tuple[int, ...], int]] = []

        def visit(source: int) -> None:
            order[source] = low[source] = len(order)
            stack.append(source)
            on_stack.add(source)
            members = {member for group in graph.build.get(source, ()) for member in group.members}
            nexts = sorted({one for member in members for one in graph.sources_of(member)})
            walk.append((source, tuple(nexts), 0))

        visit(start)
        while walk:
            source, nexts, at = walk[-1]
            descended = False
            while at < len(nexts):
                child = nexts[at]
                at += 1
                if child in built:
                    continue
                if child not in order:
                    walk[-1] = (source, nexts, at)
                    visit(child)
                    descended = True
                    break
                if child in on_stack:
                    low[source] = min(low[source], order[child])
            if descended:
                continue
            walk.pop()
            if walk:
                parent = walk[-1][0]
                low[parent] = min(low[parent], low[source])
            if low[source] == order[source]:
                self._close_build(source, stack, on_stack)
        return built[start]

    def _close_build(self, root: int, stack: list[int], on_stack: set[int]) -> None:
        """Record what building each source package of the component ``root`` heads may need."""
        members: list[int] = []
        while True:
            member = stack.pop()
            on_stack.discard(member)
            members.append(member)
            if member == root:
                break
        inside = set(members)
        graph, built = self.graph, self._built
        found: set[int] = set()
        for source in members:
            for group in graph.build.get(source, ()):
                for provider in group.members:
                    found |= self._reach(provider)
                    for one in graph.sources_of(provider):
                        if one not in inside:
                            found |= built[one]
        result = self._distinct.setdefault(frozenset(found), frozenset(found)) if found else _NONE
        for source in members:
            built[source] = result
