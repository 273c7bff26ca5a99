"""GraphML: the flagged subgraph for yEd, Gephi or networkx (``nx.read_graphml``).

The same nodes and edges as the DOT report (`auditor.reports.flagged`), written by
networkx with string and integer attributes only: nodes carry ``nevra``, ``name``,
``kind``, ``status``, ``gate`` and ``reason``; edges ``kind``, ``requirement`` and
``on_chain`` (1 for a hop of an explanation chain). A graph too large to draw package by
package has one node per cause instead (``kind`` ``group``, with ``cause``, ``packages``,
``blocking`` and ``flagged_through``); the graph's ``name`` says which was drawn.
"""

from __future__ import annotations

from auditor.reports.flagged import graph_of, run_state, verdict_note
from auditor.reports.view import ReportView


def render(view: ReportView, focus: str | None = None) -> str:
    flagged = graph_of(view, focus)
    import networkx as nx  # on first use: other formats never load it
    from networkx.readwrite.graphml import GraphMLWriter

    graph = nx.DiGraph(name=flagged.label, **run_state(view))
    note = verdict_note(view)
    if note is not None:
        graph.graph["verdict"] = note
    for node in flagged.nodes:
        graph.add_node(
            node.id,
            nevra=node.nevra,
            name=node.name,
            kind=node.kind,
            status=node.status,
            gate=node.gate,
            reason=node.reason,
        )
    for group in flagged.groups:
        graph.add_node(
            group.id,
            name=group.name,
            kind="group",
            cause=group.kind,
            status=group.status,
            reason=group.title,
            packages=group.packages,
            blocking=group.blocking,
            flagged_through=group.flagged_through,
        )
    for edge in flagged.edges:
        graph.add_edge(
            edge.source,
            edge.target,
            kind=edge.kind.value,
            requirement=edge.requirement,
            on_chain=int(edge.on_chain),
        )
    # The writer's text whole, not nx.generate_graphml's lines: it cuts the document with
    # str.splitlines, which reads a carriage return in a value (a Vendor "a\rb") as a line
    # break and so wrote it as "\n"; whole, the carriage return reaches `markup_inert`, which
    # writes it as a character reference that every XML reader reads back as it.
    writer = GraphMLWriter(encoding="utf-8", prettyprint=True)
    writer.add_graph_element(graph)
    body = str(writer)
    if not body.startswith("<?xml"):
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return body if body.endswith("\n") else body + "\n"
