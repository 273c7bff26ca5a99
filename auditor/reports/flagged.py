"""The flagged subgraph the graph formats draw: every non-clean package and the packages on its chain.

Nothing here analyses: the nodes are read from the results and their chains, the edges
from the run's dependency graph (`auditor.deps.graph.DependencyGraph.graph`) between those
nodes. A package on a chain that is not audited (a ``--with`` context package, or one
outside ``--roots``) has the status ``unaudited``: the audit gives no verdict for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.deps.graph import Hop
from auditor.reports.text import clean_text
from auditor.reports.view import PackageView, ReportView

UNAUDITED = "unaudited"

PALETTE: dict[str, tuple[str, str]] = {
    "origin": ("#b31d28", "#fde2e4"),
    "depends": ("#c24e00", "#ffe8d6"),
    "may-depend": ("#8a6d00", "#fff5c2"),
    "build-depends": ("#5a32a3", "#eee6ff"),
    "unresolved": ("#4a5560", "#e8ebef"),
    "clean": ("#1a7f37", "#dcfce7"),
    UNAUDITED: ("#6e7781", "#ffffff"),
}
"""Stroke and fill colour of each status, shared by the DOT and HTML reports."""


@dataclass(frozen=True)
class Node:
    index: int
    id: str
    """Unique within the graph: the NEVRA, qualified by its input when two packages share one."""
    nevra: str
    name: str
    kind: str
    status: str
    gate: str
    reason: str


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: str
    requirement: str
    """The requirements behind the edge, sorted and joined with ``, ``."""
    on_chain: bool
    """Whether the edge is a hop of some package's explanation chain."""


@dataclass(frozen=True)
class FlaggedGraph:
    nodes: list[Node]
    edges: list[Edge]


def flagged_graph(view: ReportView) -> FlaggedGraph:
    flagged = view.flagged
    indexes = {row.index for row in flagged}
    hops: dict[tuple[int, int], Hop] = {}
    for row in flagged:
        for hop in row.chain:
            indexes.update((hop.source, hop.target))
            hops[(hop.source, hop.target)] = hop
    packages = view.packages
    order = sorted(indexes, key=lambda i: (packages[i].nevra, packages[i].input, i))
    ids = _node_ids(view, order)
    nodes = [_node(index, ids[index], view.row(index), view) for index in order]
    graph = view.audit.graph.graph
    pairs = {(a, b) for a, b in graph.subgraph(indexes).edges()} | set(hops)
    edges = []
    for a, b in pairs:
        if graph.has_edge(a, b):
            data = graph.edges[a, b]
            kind = str(data.get("kind", "requires"))
            requirements = [str(item) for item in data.get("requirements", [])]
        else:
            kind, requirements = hops[(a, b)].kind, [hops[(a, b)].requirement]
        text = ", ".join(sorted(set(requirements)))
        edges.append(Edge(ids[a], ids[b], kind, clean_text(text), (a, b) in hops))
    edges.sort(key=lambda edge: (edge.source, edge.target))
    return FlaggedGraph(nodes, edges)


def _node(index: int, node_id: str, row: PackageView | None, view: ReportView) -> Node:
    package = view.packages[index]
    return Node(
        index=index,
        id=node_id,
        nevra=clean_text(package.nevra),
        name=clean_text(package.name),
        kind=package.kind.value,
        status=row.status.value if row is not None else UNAUDITED,
        gate=row.gate.value if row is not None else "",
        reason=clean_text(row.why) if row is not None else "not audited in this run",
    )


def _node_ids(view: ReportView, order: list[int]) -> dict[int, str]:
    counts = Counter(view.packages[index].nevra for index in order)
    ids: dict[int, str] = {}
    seen: set[str] = set()
    for index in order:
        package = view.packages[index]
        node_id = package.nevra if counts[package.nevra] == 1 else f"{package.nevra} [{package.input}]"
        while node_id in seen:
            node_id += "'"
        seen.add(node_id)
        ids[index] = clean_text(node_id)
    return ids
