"""Graphviz DOT: the flagged subgraph, coloured by status (render with ``dot -Tsvg``).

Nodes are every non-clean package and the packages on their chains; they carry the
verdict as attributes (``status``, ``gate``, ``nevra``, ``name``). Edges carry ``kind`` and
``requirement``; the hops of explanation chains are drawn bold. Written by hand: every
identifier is a generated ``n0``, ``n1``... and every value a quoted, escaped string.
"""

from __future__ import annotations

from auditor.reports.flagged import PALETTE, flagged_graph
from auditor.reports.view import ReportView

EDGE_STYLES = {"requires": "solid", "buildrequires": "dashed", "built-from": "dotted"}


def render(view: ReportView) -> str:
    graph = flagged_graph(view)
    ids = {node.id: f"n{position}" for position, node in enumerate(graph.nodes)}
    lines = [
        "digraph auditor {",
        '  graph [rankdir="LR", fontname="Helvetica", label="auditor: flagged packages and their chains"];',
        '  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
    ]
    for node in graph.nodes:
        stroke, fill = PALETTE[node.status]
        status = f"{node.status} ({node.gate})" if node.gate else node.status
        attributes = {
            "label": f"{node.nevra}\n{status}",
            "tooltip": node.reason,
            "color": stroke,
            "fillcolor": fill,
            "penwidth": "2" if node.gate == "blocking" else "1",
            "status": node.status,
            "gate": node.gate,
            "nevra": node.nevra,
            "name": node.name,
            "kind": node.kind,
        }
        lines.append(f"  {ids[node.id]} [{_attributes(attributes)}];")
    for edge in graph.edges:
        attributes = {
            "label": edge.requirement,
            "kind": edge.kind,
            "requirement": edge.requirement,
            "style": EDGE_STYLES.get(edge.kind, "solid") + (",bold" if edge.on_chain else ""),
        }
        lines.append(f"  {ids[edge.source]} -> {ids[edge.target]} [{_attributes(attributes)}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _attributes(attributes: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value)}" for key, value in attributes.items())


def quote(value: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as ``\\n``."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{escaped}"'
