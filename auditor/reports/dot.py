"""Graphviz DOT: the flagged subgraph, coloured by status (render with ``dot -Tsvg``); with
``--focus NAME`` one package's chains; one node per cause when it is too large to lay out
(`auditor.reports.flagged`), the graph's label saying which.

Nodes are every non-clean package and the packages on their chains; they carry the
verdict as attributes (``status``, ``gate``, ``nevra``, ``name``). Edges carry ``kind`` and
``requirement``; the hops of explanation chains are drawn bold. Written by hand: every
identifier is a generated ``n0``, ``n1``... and every value a quoted, escaped string.
"""

from __future__ import annotations

from auditor.deps.hops import HopKind
from auditor.reports.flagged import PALETTE, UNAUDITED, graph_of, run_state, verdict_note
from auditor.reports.inert import label_inert
from auditor.reports.view import ReportView

EDGE_STYLES = {HopKind.REQUIRES: "solid", HopKind.BUILD_REQUIRES: "dashed", HopKind.BUILT_FROM: "dotted"}


def render(view: ReportView, focus: str | None = None) -> str:
    """The graph `auditor.reports.flagged.graph_of` chooses: ``focus``'s chains, every flagged
    package, or one node per cause when those are too many for Graphviz."""
    graph = graph_of(view, focus)
    names = [node.id for node in graph.nodes] + [group.id for group in graph.groups]
    ids = {name: f"n{position}" for position, name in enumerate(names)}
    lines = [
        "digraph auditor {",
        f'  graph [rankdir="LR", fontname="Helvetica", label={quote(graph.label, drawn=True)}];',
        '  node [shape="box", style="rounded,filled", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
        f"  graph [{_attributes(run_state(view))}];",
    ]
    note = verdict_note(view)
    if note is not None:
        # Not an ``n`` identifier: no package. Drawn, so the picture of a failed run is not
        # read as a clean one.
        lines.append(
            f'  verdict [shape="note", color="#b31d28", fontsize="10", label={quote(note, drawn=True)}];'
        )
    for node in graph.nodes:
        stroke, fill = PALETTE[node.status]
        status = f"{node.status} ({node.gate})" if node.gate else node.status
        attributes = {
            "label": f"{node.id}\n{status}",  # the NEVRA, with its input when copies share it
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
    for group in graph.groups:
        stroke, fill = PALETTE.get(group.status, PALETTE[UNAUDITED])
        attributes = {
            "label": f"{group.name}\n{group.packages} package(s), {group.blocking} blocking\n"
            f"{group.flagged_through} flagged through it",
            "tooltip": group.title,
            "color": stroke,
            "fillcolor": fill,
            "penwidth": "2" if group.blocking else "1",
            "status": group.status,
            "name": group.name,
            "kind": "group",
            "cause": group.kind,
            "packages": str(group.packages),
            "blocking": str(group.blocking),
            "through": str(group.flagged_through),
        }
        lines.append(f"  {ids[group.id]} [{_attributes(attributes)}];")
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


DRAWN = frozenset({"label", "tooltip"})
"""The attributes Graphviz draws, reading ``&amp;``, ``&#35;``... in them as the characters
they name: a vendor ``AT&amp;T`` would be drawn ``AT&T``. The others are data, written as given."""


def _attributes(attributes: dict[str, str]) -> str:
    return ", ".join(f"{key}={quote(value, drawn=key in DRAWN)}" for key, value in attributes.items())


def quote(value: str, *, drawn: bool = False) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as ``\\n``; in
    an attribute Graphviz draws (``drawn``), ``&`` as ``&amp;``, so that it draws the value as
    given and not an entity the value happens to spell."""
    if drawn and "&" in value:
        value = value.replace("&", "&amp;")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return f'"{label_inert(escaped)}"'
