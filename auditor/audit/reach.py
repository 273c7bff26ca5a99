"""Every origin package a taint can lead to, not only the nearest one its fact names.

A taint fact names the nearest origin package of its category (`auditor.audit.facts`), so a
baseline entry for "app depends on xlib (citrix)" would also accept a new Citrix package app
comes to need by a longer way. The baseline therefore records, for each taint it accepts, the
names of every origin package of that category the package can reach, and accepts the fact
again only while what it reaches stays among them (`auditor.gate.baseline`).

Reaching is read on the dependency graph with every alternative counted, as ``may-depend``
reads it: a run-time taint follows the package's requirements; a build taint starts at its
source package's build requirements and follows theirs. It is computed only for the facts a
baseline entry with such a list accepts by fingerprint, once per package.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.audit.facts import Fact, FactKind
from auditor.deps.graph import DependencyGraph
from auditor.origin.findings import Category, Finding

_RUNTIME = frozenset({FactKind.DEPENDS, FactKind.MAY_DEPEND})


class OriginReach:
    """The origin packages of each category that a package's taints can lead to."""

    def __init__(self, graph: DependencyGraph, findings: Mapping[int, Sequence[Finding]]) -> None:
        self.graph = graph
        self.categories: dict[int, frozenset[Category]] = {}
        for index, items in findings.items():
            found = frozenset(finding.category for finding in items if finding.effective)
            if found:
                self.categories[index] = found
        self._closures: dict[tuple[int, bool], frozenset[int]] = {}

    def names(self, fact: Fact) -> frozenset[str] | None:
        """The names of the origin packages of ``fact``'s category its package can reach; None
        for a fact that is no taint of a package."""
        build = fact.kind is FactKind.BUILD_DEPENDS
        if fact.package is None or fact.category is None or not (build or fact.kind in _RUNTIME):
            return None
        packages = self.graph.packages
        return frozenset(
            packages[index].name
            for index in self._closure(fact.package, build)
            if index != fact.package and fact.category in self.categories.get(index, ())
        )

    def _closure(self, index: int, build: bool) -> frozenset[int]:
        key = (index, build)
        found = self._closures.get(key)
        if found is None:
            graph = self.graph
            if build:
                sources = (index,) if graph.packages[index].is_source else graph.sources_of(index)
                groups = [group for source in sources for group in graph.build.get(source, [])]
                roots: set[int] = {member for group in groups for member in group.members}
            else:
                roots = {index}
            found = frozenset(graph.runtime_closure(roots))
            self._closures[key] = found
        return found
