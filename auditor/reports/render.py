"""Every format of ``scan`` by name (`FORMATS`, the names of `auditor.reports.catalog`), and
`render_pieces`, which renders the one `ReportView` in one of them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from auditor.reports import dot, graphml, html_report, inventory, json_report, junit, markdown, sarif, table
from auditor.reports.text import utf8_text
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


def render_pieces(
    fmt: str,
    view: ReportView,
    *,
    width: int | None = None,
    focus: str | None = None,
    purl_namespace: str | None = None,
) -> Iterator[str | bytes]:
    """A format's text, in pieces where the format can stream (the JSON report can: some of
    its pieces are UTF-8 bytes), each one UTF-8 can carry: the name of a file that is not
    UTF-8 has its bad bytes as U+FFFD.
    ``width`` is the terminal's when the table goes to one; ``focus`` a package whose chains
    alone the graph formats draw; ``purl_namespace`` names the packages' vendor in the purls
    of the SBOM formats."""
    if fmt == "json":
        pieces: Iterable[str | bytes] = json_report.render_chunks(view)
    elif fmt == "table":
        pieces = [table.render(view, width)]
    elif fmt == "dot":
        pieces = [dot.render(view, focus)]
    elif fmt == "graphml":
        pieces = [graphml.render(view, focus)]
    elif fmt in SBOM_FORMATS:
        pieces = [SBOM_FORMATS[fmt](view, purl_namespace)]
    else:
        pieces = [FORMATS[fmt](view)]
    for piece in pieces:
        yield piece if isinstance(piece, bytes) else utf8_text(piece)
