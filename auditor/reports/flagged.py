"""The flagged subgraph the graph formats draw: every non-clean package and the packages on its chain.

Nothing here analyses: the nodes are read from the results and their chains, the edges
from the run's dependency graph (`auditor.deps.graph.DependencyGraph.graph`) between those
nodes. A package on a chain that is not audited (a ``--with`` context package, or one
outside ``--roots``) has the status ``unaudited``: the audit gives no verdict for it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.deps.graph import Hop
from auditor.origin.findings import Verdict
from auditor.reports.view import clean_text, gate, reason

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


def flagged_graph(audit: AuditResult) -> FlaggedGraph:
    results = {result.index: result for result in audit.results}
    flagged = [result for result in audit.results if result.verdict is not Verdict.CLEAN]
    indexes = {result.index for result in flagged}
    hops: dict[tuple[int, int], Hop] = {}
    for result in flagged:
        for hop in result.chain:
            indexes.update((hop.source, hop.target))
            hops[(hop.source, hop.target)] = hop
    order = sorted(indexes, key=lambda i: (audit.packages[i].nevra, audit.packages[i].input, i))
    ids = _node_ids(audit, order)
    nodes = [_node(index, ids[index], results.get(index), audit) for index in order]
    graph = audit.graph.graph
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


def _node(index: int, node_id: str, result: PackageResult | None, audit: AuditResult) -> Node:
    package = audit.packages[index]
    status = result.verdict.value if result is not None else UNAUDITED
    return Node(
        index=index,
        id=node_id,
        nevra=clean_text(package.nevra),
        name=clean_text(package.name),
        kind=package.kind.value,
        status=status,
        gate=gate(result) if result is not None else "",
        reason=clean_text(reason(result, audit)) if result is not None else "not audited in this run",
    )


def _node_ids(audit: AuditResult, order: list[int]) -> dict[int, str]:
    counts = Counter(audit.packages[index].nevra for index in order)
    ids: dict[int, str] = {}
    seen: set[str] = set()
    for index in order:
        package = audit.packages[index]
        node_id = package.nevra if counts[package.nevra] == 1 else f"{package.nevra} [{package.input}]"
        while node_id in seen:
            node_id += "'"
        seen.add(node_id)
        ids[index] = clean_text(node_id)
    return ids
