"""GraphML: the flagged subgraph for yEd, Gephi or networkx (``nx.read_graphml``).

The same nodes and edges as the DOT report (`auditor.reports.flagged`), written by
networkx with string and integer attributes only: nodes carry ``nevra``, ``name``,
``kind``, ``status``, ``gate`` and ``reason``; edges ``kind``, ``requirement`` and
``on_chain`` (1 for a hop of an explanation chain).
"""

from __future__ import annotations

from auditor.reports.flagged import flagged_graph
from auditor.reports.view import ReportView


def render(view: ReportView) -> str:
    flagged = flagged_graph(view)
    import networkx as nx  # on first use: other formats never load it

    graph = nx.DiGraph(name="auditor flagged subgraph")
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
    for edge in flagged.edges:
        graph.add_edge(
            edge.source,
            edge.target,
            kind=edge.kind,
            requirement=edge.requirement,
            on_chain=int(edge.on_chain),
        )
    body = "\n".join(nx.generate_graphml(graph, encoding="utf-8", prettyprint=True))
    if not body.startswith("<?xml"):
        body = '<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return body + "\n"
