"""Reports: each format renders the one `AuditResult` to text; none of them analyses."""

from __future__ import annotations

from collections.abc import Callable

from auditor.audit import AuditResult
from auditor.reports import dot, graphml, html_report, inventory, json_report, junit, markdown, sarif, table

Renderer = Callable[[AuditResult], str]

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
