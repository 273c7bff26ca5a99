"""Rendering of ``auditor plan``: the to-do list toward independence."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from auditor.audit.pipeline import AuditResult
from auditor.audit.plan import Plan
from auditor.reports.view import reason

FORMATS = ("table", "json")


def render(plan: Plan, audit: AuditResult, fmt: str) -> str:
    def names(ids: list[int]) -> list[str]:
        return [audit.packages[i].nevra for i in ids]

    if fmt == "json":
        document: dict[str, Any] = {
            "replace": [
                {
                    "source": item.source,
                    "packages": names(item.packages),
                    "holds_back": names(item.holds_back),
                    "replacements": item.replacements,
                    "obsoleted_by": names(item.obsoleted_by),
                }
                for item in plan.items
            ],
            "avoidable": [{"package": r.package.nevra, "why": reason(r, audit)} for r in plan.avoidable],
            "needs_more": [
                {"package": r.package.nevra, "status": r.verdict.value, "why": reason(r, audit)}
                for r in plan.needs_more
            ],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    lines = ["Replace or rebuild, most blocking first:"]
    rows = []
    for rank, item in enumerate(plan.items, start=1):
        held = names(item.holds_back)
        shown = ", ".join(held[:4]) + (f" (+{len(held) - 4})" if len(held) > 4 else "")
        replacement = ", ".join(item.replacements) or ""
        if item.obsoleted_by:
            replacement += (
                (" " if replacement else "") + "obsoleted by " + ", ".join(names(item.obsoleted_by))
            )
        rows.append([rank, item.source, len(item.holds_back), shown, replacement])
    lines.append(
        tabulate(
            rows, headers=["#", "origin source", "holds back", "packages", "replacement"], tablefmt="simple"
        )
    )
    if plan.avoidable:
        lines.append("\nAvoidable now (a clean provider exists: prefer it):")
        lines.extend(f"  {r.package.nevra}: {reason(r, audit)}" for r in plan.avoidable)
    if plan.needs_more:
        lines.append("\nNot cleared by any single replacement (rebuild, or replace several):")
        lines.extend(f"  {r.package.nevra} [{r.verdict.value}]: {reason(r, audit)}" for r in plan.needs_more)
    return "\n".join(lines) + "\n"
