"""The human report: the flagged packages as a table, then what the gate did and a summary line."""

from __future__ import annotations

from tabulate import tabulate

from auditor.reports.text import shorten, terminal_text
from auditor.reports.view import Gate, PackageView, ReportView

WHY_WIDTH = 140


def status_mark(row: PackageView) -> str:
    """``origin *`` when blocking, ``depends (waived)`` when a waiver accepted what would block."""
    if row.gate is Gate.BLOCKING:
        return f"{row.status.value} *"
    if row.gate is not Gate.NONE:
        return f"{row.status.value} ({row.gate.value})"
    return row.status.value


def render(view: ReportView) -> str:
    rows = [
        [terminal_text(row.package.nevra), status_mark(row), terminal_text(shorten(row.why, WHY_WIDTH))]
        for row in sorted(view.flagged, key=lambda r: (r.status.rank, r.package.name, r.package.nevra))
    ]
    lines = []
    if rows:
        lines.append(tabulate(rows, headers=["package", "status", "why"], tablefmt="simple"))
        lines.append("(* blocking; run `auditor why NAME ...` for the whole chain)")
    if view.config:
        config_rows = [
            [
                terminal_text(item.fact.subject),
                (item.fact.config.key if item.fact.config else "") + (" *" if item.blocks else ""),
                terminal_text(item.fact.config.url if item.fact.config else ""),
                item.fact.rule,
            ]
            for item in view.config
        ]
        if rows:
            lines.append("")
        lines.append("Repository configuration on policy hosts:")
        lines.append(tabulate(config_rows, headers=["config", "key", "url", "rule"], tablefmt="simple"))
    lines.extend(terminal_text(line) for line in view.gate_lines())
    completeness = view.decision.completeness
    if not completeness.complete:
        lines.append(f"{completeness.summary()}: a clean verdict covers only what was seen")
    lines.append(terminal_text(view.summary_line()))
    return "\n".join(lines) + "\n"
