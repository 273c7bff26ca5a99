"""The packages read but not audited that carry origin evidence, for the JSON report: the
context (``--with``), and those ``--arch`` or ``--roots`` left out.

They have no entry in ``packages``, yet the audited packages' taints may end at them: a taint's
``ends_at`` named one, and what makes it origin (a clean-looking name served from a Citrix host)
was in no key of the report, where the text formats end the chain with it and the SBOMs give its
component ``auditor:origin``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.origin.findings import Finding
from auditor.reports.rows import FactView, unaudited_fact_view
from auditor.reports.view import ReportView


def unaudited_origins(
    view: ReportView, finding_to_json: Callable[[Finding, FactView], dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each such package, by id, with its tainting findings (the gate rules none: ``not-gated``),
    each as ``finding_to_json`` writes an audited package's."""
    audit = view.audit
    found = []
    for index in sorted(audit.findings):
        findings = [finding for finding in audit.findings[index] if finding.effective]
        if not findings or view.row(index) is not None:
            continue
        package = view.packages[index]
        items = [
            finding_to_json(finding, unaudited_fact_view(index, package, finding)) for finding in findings
        ]
        found.append({"nevra": package.nevra, "input": package.input, "findings": items})
    return found
