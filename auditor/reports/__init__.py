"""Reports: each format renders the one `ReportView` (`auditor.reports.view`); none of them analyses."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditor.reports import dot, graphml, html_report, inventory, json_report, junit, markdown, sarif, table
from auditor.reports.view import ReportView

Renderer = Callable[[ReportView], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_report.render,
    "inventory": inventory.render_table,
    "model": inventory.render_model,
    "sarif": sarif.render,
    "junit": junit.render,
    "markdown": markdown.render,
    "dot": dot.render,
    "graphml": graphml.render,
    "html": html_report.render,
}


def render_pieces(fmt: str, view: ReportView) -> Iterable[str]:
    """A format's text, in pieces where the format can stream (the JSON report can)."""
    if fmt == "json":
        return json_report.render_chunks(view)
    return [FORMATS[fmt](view)]
