"""Rendering of ``auditor check``: only what the change does to the repository."""

from __future__ import annotations

import json
from typing import Any

from tabulate import tabulate

from auditor import __version__
from auditor.audit.check import Change, CheckResult
from auditor.reports.view import chain_text, reason

FORMATS = ("table", "markdown", "json")


def _status(change: Change) -> str:
    before = change.before.verdict.value if change.before else "(new)"
    return f"{before} -> {change.after.verdict.value}"


def render(result: CheckResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_document(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(result)
    return _table(result)


def _rows(result: CheckResult, changes: list[Change]) -> list[list[str]]:
    return [[c.after.package.nevra, _status(c), reason(c.after, result.after)] for c in changes]


def _table(result: CheckResult) -> str:
    lines = []
    regressions = {id(change) for change in result.regressions}
    if result.new:
        lines.append("New packages:")
        rows = [
            [*row, "yes" if id(change) in regressions else ""]
            for row, change in zip(_rows(result, result.new), result.new, strict=True)
        ]
        lines.append(tabulate(rows, headers=["package", "status", "why", "worse"], tablefmt="simple"))
    if result.worse:
        lines.append("\nRepository packages that get worse:")
        lines.append(
            tabulate(_rows(result, result.worse), headers=["package", "status", "why"], tablefmt="simple")
        )
    if result.unresolved:
        lines.append("\nRequirements of the new packages that nothing satisfies:")
        lines.extend(
            f"  {item.package.nevra}: {resolution.dependency}" for item, resolution in result.unresolved
        )
    if result.better:
        lines.append("\nRepository packages that get better:")
        lines.append(
            tabulate(_rows(result, result.better), headers=["package", "status", "why"], tablefmt="simple")
        )
    for replacement, target in result.obsoletes:
        lines.append(
            f"\n{replacement.package.nevra} obsoletes {target.package.nevra} ({target.verdict.value})"
        )
    verdict = "worse: the check fails" if result.regressions else "nothing gets worse"
    lines.append(
        f"\n{len(result.new)} new package(s), {len(result.worse)} worse, {len(result.better)} better"
        f"; {verdict}"
    )
    return "\n".join(lines).lstrip("\n") + "\n"


def _markdown(result: CheckResult) -> str:
    icon = "❌" if result.regressions else "✅"
    lines = [
        f"### {icon} auditor check: "
        + ("this change makes things worse" if result.regressions else "nothing gets worse"),
        "",
    ]
    if result.new:
        lines += ["| new package | status | why |", "|---|---|---|"]
        lines += [
            f"| `{c.after.package.nevra}` | {_status(c)} | {_cell(reason(c.after, result.after))} |"
            for c in result.new
        ]
        lines.append("")
    for title, changes in (
        ("Repository packages that get worse", result.worse),
        ("Repository packages that get better", result.better),
    ):
        if changes:
            lines += [f"**{title}**", "", "| package | status | why |", "|---|---|---|"]
            lines += [
                f"| `{c.after.package.nevra}` | {_status(c)} | {_cell(reason(c.after, result.after))} |"
                for c in changes
            ]
            lines.append("")
    if result.unresolved:
        lines.append("**Requirements nothing satisfies**")
        lines.append("")
        lines += [
            f"- `{item.package.nevra}`: `{resolution.dependency}`" for item, resolution in result.unresolved
        ]
        lines.append("")
    for change in result.regressions:
        chain = chain_text(change.after, result.after.packages, " → ")
        if chain:
            lines += [
                f"<details><summary>{change.after.package.nevra}</summary>",
                "",
                chain,
                "",
                "</details>",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _change(change: Change, result: CheckResult) -> dict[str, Any]:
    return {
        "nevra": change.after.package.nevra,
        "before": change.before.verdict.value if change.before else None,
        "after": change.after.verdict.value,
        "why": reason(change.after, result.after),
        "chain": chain_text(change.after, result.after.packages),
    }


def _document(result: CheckResult) -> dict[str, Any]:
    return {
        "tool": {"name": "auditor", "version": __version__},
        "command": "check",
        "new": [_change(c, result) for c in result.new],
        "worse": [_change(c, result) for c in result.worse],
        "better": [_change(c, result) for c in result.better],
        "unresolved": [
            {"package": item.package.nevra, "requirement": str(r.dependency)} for item, r in result.unresolved
        ],
        "obsoletes": [
            {"package": a.package.nevra, "obsoletes": b.package.nevra, "status": b.verdict.value}
            for a, b in result.obsoletes
        ],
        "regressions": [_change(c, result) for c in result.regressions],
        "errors": [
            {"input": e.source, "message": e.reason} for e in [*result.before.errors, *result.after.errors]
        ],
        "exit_code": int(result.exit_code()),
    }
