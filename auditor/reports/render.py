"""Every format of ``scan`` by name (`FORMATS`, the names of `auditor.reports.catalog`), and
`render_pieces`, which renders the one `ReportView` in one of them."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, cast

from auditor.reports.catalog import GRAPH_FORMATS, SBOM_FORMATS, SCAN_FORMATS
from auditor.reports.inert import json_inert, markup_inert
from auditor.reports.text import json_utf8_text, utf8_text
from auditor.reports.view import ReportView

Renderer = Callable[[ReportView], str]

_RENDERERS = {
    "table": ("table", "render"),
    "json": ("json_report", "render"),
    "inventory": ("inventory", "render_table"),
    "model": ("inventory", "render_model"),
    "sarif": ("sarif", "render"),
    "junit": ("junit", "render"),
    "markdown": ("markdown", "render"),
    "dot": ("dot", "render"),
    "graphml": ("graphml", "render"),
    "html": ("html_report", "render"),
    "cyclonedx": ("cyclonedx", "render"),
    "spdx": ("spdx", "render"),
}
"""Each format's module in this package and its function. A run imports the one it writes: all
of them took 41 ms at every start (tabulate alone 17 ms, the SBOM libraries a tenth of a second)."""


def _function(module: str, name: str) -> Callable[..., Any]:
    """``name`` of the module ``module`` of this package, imported now."""
    return cast("Callable[..., Any]", getattr(importlib.import_module(f"auditor.reports.{module}"), name))


def _renderer(fmt: str) -> Callable[..., str]:
    return _function(*_RENDERERS[fmt])


class _Formats(Mapping[str, Renderer]):
    """Format name -> its renderer, imported when first looked up."""

    def __getitem__(self, fmt: str) -> Renderer:
        return _renderer(fmt)

    def __iter__(self) -> Iterator[str]:
        return iter(SCAN_FORMATS)

    def __len__(self) -> int:
        return len(SCAN_FORMATS)


FORMATS: Mapping[str, Renderer] = _Formats()
JSON_FORMATS = frozenset({"json", "model", "sarif", *SBOM_FORMATS})
MARKUP_FORMATS = frozenset({"junit", "graphml"})
"""XML without script or style, whose whole text can take character references (html does it
in its escaping, which knows the page's script from its text)."""


def render_pieces(
    fmt: str,
    view: ReportView,
    *,
    width: int | None = None,
    focus: str | None = None,
    purl_namespace: str | None = None,
    sarif_max_results: int | None = None,
) -> Iterator[str | bytes]:
    """A format's text, in pieces where the format can stream (the JSON report can: some of
    its pieces are UTF-8 bytes), each one UTF-8 can carry: the name of a file that is not
    UTF-8 has its bad bytes as ``\\xff`` (`auditor.core.pathtext`), in a JSON string too.
    ``width`` is the terminal's when the table goes to one; ``focus`` a package whose chains
    alone the graph formats draw; ``purl_namespace`` names the packages' vendor in the purls
    of the SBOM formats; ``sarif_max_results`` bounds SARIF's results (None: its default)."""
    if fmt == "json":  # the one format written in pieces as it is encoded
        pieces: Iterable[str | bytes] = _function("json_report", "render_chunks")(view)
    elif fmt == "table":  # the waived facts' lines made as written
        pieces = _function("table", "render_chunks")(view, width)
    elif fmt in GRAPH_FORMATS:
        pieces = [_renderer(fmt)(view, focus)]
    elif fmt == "model":  # written a package at a time
        pieces = _function("inventory", "render_model_chunks")(view)
    elif fmt == "html":  # its table's rows written a batch at a time
        pieces = _function("html_report", "render_chunks")(view)
    elif fmt == "junit":  # written a test case at a time
        pieces = _function("junit", "render_chunks")(view)
    elif fmt == "sarif":  # written a result at a time
        bound = {} if sarif_max_results is None else {"max_results": sarif_max_results}
        pieces = _function("sarif", "render_chunks")(view, **bound)
    elif fmt in SBOM_FORMATS:  # written a package at a time
        pieces = _function(fmt, "render_chunks")(view, purl_namespace=purl_namespace)
    else:
        pieces = [_renderer(fmt)(view)]
    text = json_utf8_text if fmt in JSON_FORMATS else utf8_text
    pieces = (piece if isinstance(piece, bytes) else text(piece) for piece in pieces)
    # Printed to a CI job's log, no value may be run as a command (`auditor.reports.inert`).
    if fmt in JSON_FORMATS:
        yield from json_inert(pieces)
    elif fmt in MARKUP_FORMATS:
        yield from (markup_inert(piece) if isinstance(piece, str) else piece for piece in pieces)
    else:  # text formats make each value inert themselves; html and dot theirs
        yield from pieces
