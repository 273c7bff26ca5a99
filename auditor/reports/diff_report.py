"""Rendering of ``auditor diff``: independence progress between two releases."""

from __future__ import annotations

import json
from typing import Any

from auditor.gate.diff import Diff, Entry
from auditor.origin.findings import Verdict

FORMATS = ("table", "markdown", "json")


def render(result: Diff, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(_document(result), indent=2, ensure_ascii=False) + "\n"
    return _text(result, markdown=fmt == "markdown")


def _progress(result: Diff) -> list[str]:
    parts = []
    for verdict in Verdict:
        if verdict is Verdict.CLEAN:
            continue
        old, new = result.old_counts.get(verdict.value, 0), result.new_counts.get(verdict.value, 0)
        if old or new:
            parts.append(f"{verdict.value} {old} -> {new} ({new - old:+d})")
    return parts


def _text(result: Diff, *, markdown: bool) -> str:
    bullet = "- " if markdown else "  "
    code = (lambda text: f"`{text}`") if markdown else (lambda text: text)
    lines = [("### " if markdown else "") + "Independence progress", ""]
    lines += [bullet + part for part in _progress(result)] or [bullet + "no flagged package on either side"]
    sections: list[tuple[str, list[str]]] = [
        ("Status got worse", [f"{code(a.nevra)}: {b.status} -> {a.status}" for b, a in result.worse]),
        ("Status got better", [f"{code(a.nevra)}: {b.status} -> {a.status}" for b, a in result.better]),
        (
            "Findings that appeared",
            [f"{code(e.nevra)}: [{rule}] {value}" for e, rule, value in result.appeared],
        ),
        (
            "Findings that disappeared",
            [f"{code(e.nevra)}: [{rule}] {value}" for e, rule, value in result.disappeared],
        ),
        ("Packages added", [code(e.nevra) + f" ({e.status})" for e in result.added]),
        ("Packages removed", [code(e.nevra) + f" ({e.status})" for e in result.removed]),
        ("Packages upgraded", [f"{code(b.nevra)} -> {code(a.nevra)}" for b, a in result.upgraded]),
        ("Packages downgraded", [f"{code(b.nevra)} -> {code(a.nevra)}" for b, a in result.downgraded]),
    ]
    for title, items in sections:
        if items:
            lines += ["", ("**" + title + "**") if markdown else title + ":"]
            lines += [bullet + item for item in items]
    return "\n".join(lines) + "\n"


def _entry(entry: Entry) -> dict[str, Any]:
    return {"nevra": entry.nevra, "status": entry.status}


def _document(result: Diff) -> dict[str, Any]:
    return {
        "statuses": {"old": result.old_counts, "new": result.new_counts},
        "worse": [{"old": _entry(b), "new": _entry(a)} for b, a in result.worse],
        "better": [{"old": _entry(b), "new": _entry(a)} for b, a in result.better],
        "appeared": [
            {"package": e.nevra, "rule": rule, "value": value} for e, rule, value in result.appeared
        ],
        "disappeared": [
            {"package": e.nevra, "rule": rule, "value": value} for e, rule, value in result.disappeared
        ],
        "added": [_entry(e) for e in result.added],
        "removed": [_entry(e) for e in result.removed],
        "upgraded": [{"old": b.nevra, "new": a.nevra} for b, a in result.upgraded],
        "downgraded": [{"old": b.nevra, "new": a.nevra} for b, a in result.downgraded],
    }
