"""The human report: a summary line and the flagged packages as a table."""

from __future__ import annotations

from tabulate import tabulate

from auditor.audit.pipeline import AuditResult
from auditor.origin.findings import Verdict
from auditor.reports.view import gate_lines, reason, status_mark, summary_line

WHY_WIDTH = 140


def _short(text: str) -> str:
    return text if len(text) <= WHY_WIDTH else text[: WHY_WIDTH - 1] + "…"


def render(audit: AuditResult) -> str:
    rows = [
        [result.package.nevra, status_mark(result), _short(reason(result, audit))]
        for result in sorted(audit.results, key=lambda r: (r.verdict.rank, r.package.name, r.package.nevra))
        if result.verdict is not Verdict.CLEAN
    ]
    lines = []
    if rows:
        lines.append(tabulate(rows, headers=["package", "status", "why"], tablefmt="simple"))
        lines.append("(* blocking; run `auditor why NAME ...` for the whole chain)")
    if audit.config_findings:
        blocking = audit.blocking_config
        config_rows = [
            [
                f"{item.file} [{item.section}]" if item.section else item.file,
                item.key + (" *" if item in blocking else ""),
                item.url,
                item.finding.rule,
            ]
            for item in audit.config_findings
        ]
        if rows:
            lines.append("")
        lines.append("Repository configuration on policy hosts:")
        lines.append(tabulate(config_rows, headers=["config", "key", "url", "rule"], tablefmt="simple"))
    lines.extend(gate_lines(audit))
    lines.append(summary_line(audit))
    return "\n".join(lines) + "\n"
