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
source package's build requirements and follows theirs. It is computed only for taint facts
asked about, from the strongly connected components of the part of the graph they reach,
each component's origin packages once: a distribution's report asks for tens of thousands.
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
        self._names: dict[tuple[int, Category], frozenset[str]] = {}
        """(id of a distinct answer of `_reach`, kept alive in ``_distinct``, a category) -> its names."""

    def _roots(self, fact: Fact) -> set[int] | None:
        """Where the walk for ``fact`` starts; None for a fact that is no taint of a package."""
        build = fact.kind is FactKind.BUILD_DEPENDS
        if fact.package is None or fact.category is None or not (build or fact.kind in _RUNTIME):
            return None
        graph = self.graph
        if not build:
            return {fact.package}
        sources = (
            (fact.package,) if graph.packages[fact.package].is_source else graph.sources_of(fact.package)
        )
        return {
            member for source in sources for group in graph.build.get(source, []) for member in group.members
        }

    def names(self, fact: Fact) -> frozenset[str] | None:
        """The names of the origin packages of ``fact``'s category its package can reach; None
        for a fact that is no taint of a package."""
        roots, category = self._roots(fact), fact.category
        if roots is None or category is None:
            return None
        if len(roots) == 1:
            [root] = roots
            shared = self._reach(root)
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
        reached: set[int] = set()
        for root in roots:
            reached |= self._reach(root)
        return self._named(reached, category, fact.package)

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
