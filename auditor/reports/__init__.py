"""Reports: each format renders the one `ReportView` (`auditor.reports.view`); none of them analyses."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from auditor.reports import dot, graphml, html_report, inventory, json_report, junit, markdown, sarif, table
from auditor.reports.view import ReportView

Renderer = Callable[[ReportView], str]


def _cyclonedx(view: ReportView, purl_namespace: str | None = None) -> str:
    # The SBOM libraries take a tenth of a second or more to import: only the runs that ask for a BOM pay it.
    from auditor.reports import cyclonedx

    return cyclonedx.render(view, purl_namespace=purl_namespace)


def _spdx(view: ReportView, purl_namespace: str | None = None) -> str:
    from auditor.reports import spdx

    return spdx.render(view, purl_namespace=purl_namespace)


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
    "cyclonedx": _cyclonedx,
    "spdx": _spdx,
}
SBOM_FORMATS = {"cyclonedx": _cyclonedx, "spdx": _spdx}


def render_pieces(fmt: str, view: ReportView, *, purl_namespace: str | None = None) -> Iterable[str | bytes]:
    """A format's text, in pieces where the format can stream (the JSON report can: some of
    its pieces are UTF-8 bytes).
    ``purl_namespace`` names the packages' vendor in the purls of the SBOM formats."""
    if fmt == "json":
        return json_report.render_chunks(view)
    if fmt in SBOM_FORMATS:
        return [SBOM_FORMATS[fmt](view, purl_namespace)]
    return [FORMATS[fmt](view)]
