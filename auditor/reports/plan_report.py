"""Rendering of ``auditor plan``: the to-do list toward independence."""

from __future__ import annotations

import json
from typing import Any

from auditor.audit.plan import Plan
from auditor.core.pathtext import json_path_text
from auditor.reports.inert import json_text_inert
from auditor.reports.json_gate import completeness_to_json
from auditor.reports.text import simple_table, terminal_text
from auditor.reports.view import ReportView


def render(plan: Plan, view: ReportView, fmt: str) -> str:
    def names(ids: list[int]) -> list[str]:
        return [view.name_of(i) for i in ids]

    def why(index: int) -> str:
        row = view.row(index)
        return row.why if row is not None else ""

    def status(index: int) -> str:
        row = view.row(index)
        return row.status.value if row is not None else ""

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
            "avoidable": [{"package": view.name_of(i), "why": why(i)} for i in plan.avoidable],
            "needs_more": [
                {"package": view.name_of(i), "status": status(i), "why": why(i)} for i in plan.needs_more
            ],
            # A ranking made without some evidence (a source package not read) may miss an
            # origin: say so where a program reads the plan, as every scan format does.
            "completeness": completeness_to_json(view.decision.completeness),
        }
        return json_text_inert(json_path_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
    lines = ["Replace or rebuild, most blocking first:"]
    cells: list[tuple[object, ...]] = []
    for rank, item in enumerate(plan.items, start=1):
        held = names(item.holds_back)
        shown = ", ".join(held[:4]) + (f" (+{len(held) - 4})" if len(held) > 4 else "")
        replacement = ", ".join(item.replacements) or ""
        if item.obsoleted_by:
            replacement += (
                (" " if replacement else "") + "obsoleted by " + ", ".join(names(item.obsoleted_by))
            )
        cells.append((rank, item.source, len(item.holds_back), shown, replacement))
    rows = [[terminal_text(str(cell)) for cell in row] for row in cells]
    lines.append(
        simple_table(rows, ["#", "origin source", "holds back", "packages", "replacement"], right=(0, 2))
    )
    if plan.avoidable:
        lines.append("\nAvoidable now (a clean provider exists: prefer it):")
        lines.extend(f"  {terminal_text(view.name_of(i))}: {terminal_text(why(i))}" for i in plan.avoidable)
    if plan.needs_more:
        lines.append("\nNot cleared by any single replacement (rebuild, or replace several):")
        lines.extend(
            f"  {terminal_text(view.name_of(i))} [{status(i)}]: {terminal_text(why(i))}"
            for i in plan.needs_more
        )
    completeness = view.decision.completeness
    if not completeness.complete:
        lines.append(f"\n{completeness.summary()}: the plan covers only what was seen")
    # Package data was made inert where it was put in (the table's cells, the lines above): the
    # table and the headings have lines of their own, which a pass over the whole would fold.
    return "\n".join(lines) + "\n"
