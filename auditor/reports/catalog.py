"""The names of the formats each command writes, apart from the code that renders them.

The command line lists them in its help and checks ``--format`` against them on every run, a
replayed one included: naming a format must not import its renderer, nor the view model.
`auditor.reports.render.FORMATS` renders each of `SCAN_FORMATS`.
"""

from __future__ import annotations

SCAN_FORMATS = (
    "table",
    "json",
    "inventory",
    "model",
    "sarif",
    "junit",
    "markdown",
    "dot",
    "graphml",
    "html",
    "cyclonedx",
    "spdx",
)
GRAPH_FORMATS = ("dot", "graphml")
"""The formats ``--focus NAME`` narrows."""
SBOM_FORMATS = ("cyclonedx", "spdx")
"""The formats that write purls, whose namespace ``--purl-namespace NAME`` sets."""
CHECK_FORMATS = ("table", "markdown", "json")
"""``check``'s (`auditor.reports.check_report`)."""
DIFF_FORMATS = ("table", "markdown", "json")
"""``diff``'s (`auditor.reports.diff_report`)."""
PLAN_FORMATS = ("table", "json")
"""``plan``'s (`auditor.reports.plan_report`)."""
