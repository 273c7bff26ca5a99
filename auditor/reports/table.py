"""The human report: a summary line and the flagged packages as a table."""

from __future__ import annotations

from tabulate import tabulate

from auditor.audit import AuditResult
from auditor.findings import Verdict
from auditor.reports.view import reason, status_mark, summary_line


def render(audit: AuditResult) -> str:
    rows = [
        [
            result.package.nevra,
            status_mark(result),
            reason(result, audit),
        ]
        for result in sorted(audit.results, key=lambda r: (r.verdict.rank, r.package.name, r.package.nevra))
        if result.verdict is not Verdict.CLEAN
    ]
    lines = []
    if rows:
        lines.append(tabulate(rows, headers=["package", "status", "why"], tablefmt="simple"))
        lines.append("(* blocking; run `auditor why NAME ...` for the whole chain)")
    lines.append(summary_line(audit))
    return "\n".join(lines) + "\n"
