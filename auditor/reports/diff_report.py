"""Rendering of ``auditor diff``: independence progress between two releases, fact by fact."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from auditor.core.pathtext import json_path_text
from auditor.gate.packagechanges import ReleaseDiff
from auditor.gate.progress import Change, FactChange
from auditor.gate.sides import PackageRecord
from auditor.origin.findings import Verdict
from auditor.reports.comment import fitted
from auditor.reports.inert import json_text_inert
from auditor.reports.text import code_span, terminal_text

MAX_LISTED = 100
"""Items of each section a Markdown diff lists (the text lists every one)."""


def render(result: ReleaseDiff, fmt: str) -> str:
    if fmt == "json":
        return json_text_inert(
            json_path_text(json.dumps(_document(result), indent=2, ensure_ascii=False) + "\n")
        )
    return _text(result, markdown=fmt == "markdown")


def _blocking_first(item: FactChange) -> tuple[bool, bool]:
    return not item.blocks_after, item.fact.kind != "origin"


def _progress(result: ReleaseDiff) -> list[str]:
    comparison = result.comparison
    # Blocking facts are counted per package (as `scan` counts them); the facts compared are
    # counted by fingerprint, which a source package and its binaries share.
    parts = [f"blocking facts (per package) {comparison.blocking_before} -> {comparison.blocking_after}"]
    for verdict in Verdict:
        if verdict is Verdict.CLEAN:
            continue
        old, new = result.old_counts.get(verdict.value, 0), result.new_counts.get(verdict.value, 0)
        if old or new:
            parts.append(f"{verdict.value} {old} -> {new} ({new - old:+d})")
    counts = {change: len(comparison.of(change)) for change in Change}
    parts.append(
        f"facts by fingerprint (one for a package's binaries and source package): "
        f"{counts[Change.NEW]} new, {counts[Change.FIXED]} fixed, "
        f"{counts[Change.GONE]} gone with their package or no longer seen, "
        f"{counts[Change.SUPERSEDED]} superseded by a new taint, "
        f"{counts[Change.UNCHANGED]} unchanged"
    )
    parts.append(f"facts that block now and did not before: {len(comparison.newly_blocking)}")
    return parts


def _newly_blocking_unchanged(result: ReleaseDiff) -> list[FactChange]:
    """Facts both sides have that block now and did not before (the waiver that accepted them
    expired or no longer matches the new version, the earlier side was ruled under another
    --fail-on): no new, fixed or gone list holds them, and they are what fails the gate now
    (`Comparison.newly_blocking`, which `check` and `scan --compare` count)."""
    return [item for item in result.comparison.newly_blocking if item.change is Change.UNCHANGED]


def _text(result: ReleaseDiff, *, markdown: bool) -> str:
    bullet = "- " if markdown else "  "
    code: Callable[[str], str] = code_span if markdown else terminal_text

    def pair(old: PackageRecord, new: PackageRecord) -> str:
        # A copy of a shared NEVRA is named as its row is: the bare NEVRA reads as the verdict on both.
        return f"{code(new.named)}: {old.status} -> {new.status}"

    def fact(item: FactChange) -> str:
        mark = " (blocking)" if item.blocks_after else ""
        return f"{code(item.fact.subject)}: {code(item.text)}{mark}"

    comparison = result.comparison
    lines = [("### " if markdown else "") + "Independence progress", ""]
    lines += [bullet + part for part in _progress(result)]
    for side, incomplete in (("earlier", result.old_incomplete), ("later", result.new_incomplete)):
        if incomplete:
            note = "what it did not see is not counted as fixed"
            lines.append(f"{bullet}the {side} audit is {incomplete}: {note}")
    sections: list[tuple[str, list[str]]] = [
        (
            "Packages that got worse (a new fact, or a taint reaching a new origin package)",
            [pair(old, new) for old, new in result.worse],
        ),
        ("Packages that got better (a fact fixed, none new)", [pair(old, new) for old, new in result.better]),
        # What blocks now first, the origin evidence before what depends on it: a list cut short
        # leaves out a blocking fact last.
        ("New facts", [fact(item) for item in sorted(comparison.of(Change.NEW), key=_blocking_first)]),
        (
            "Facts that block now and did not before (unchanged, no longer waived or accepted)",
            [fact(item) for item in sorted(_newly_blocking_unchanged(result), key=_blocking_first)],
        ),
        ("Fixed facts", [fact(item) for item in comparison.of(Change.FIXED)]),
        (
            "Facts gone with their package or provider, or no longer seen (not fixed)",
            [fact(i) for i in comparison.of(Change.GONE)],
        ),
        (
            "Facts superseded by a new taint of their category (not fixed)",
            [fact(i) for i in comparison.of(Change.SUPERSEDED)],
        ),
        ("Packages added", [f"{code(e.named)} ({e.status})" for e in result.added]),
        ("Packages removed", [f"{code(e.named)} ({e.status})" for e in result.removed]),
        ("Packages upgraded", [f"{code(b.named)} -> {code(a.named)}" for b, a in result.upgraded]),
        ("Packages downgraded", [f"{code(b.named)} -> {code(a.named)}" for b, a in result.downgraded]),
    ]
    for title, items in sections:
        if items:
            lines += ["", ("**" + title + "**") if markdown else title + ":"]
            # A comment lists some of each section, so that every section is in it; the text lists all.
            shown = items[:MAX_LISTED] if markdown else items
            lines += [bullet + item for item in shown]
            if len(items) > len(shown):
                lines.append(
                    f"{bullet}... and {len(items) - len(shown)} more: the JSON report lists them all"
                )
    return fitted(lines) if markdown else "\n".join(lines) + "\n"


def _record(record: PackageRecord) -> dict[str, Any]:
    named = {"label": record.label} if record.label else {}
    return {"nevra": record.nevra, **named, "status": record.status, "statuses": list(record.statuses)}


def fact_change_to_json(item: FactChange) -> dict[str, Any]:
    """One fact compared across two audits, as the diff and check reports both write it."""
    return {
        "change": item.change.value,
        "package": item.fact.subject,
        "fingerprint": item.fact.fingerprint,
        "kind": item.fact.kind,
        "rule": item.fact.rule,
        "capability": item.fact.capability,
        "text": item.text,
        "blocked_before": item.blocked_before,
        "blocks_after": item.blocks_after,
        "reaches_more": list(item.reaches_more),
    }


def _document(result: ReleaseDiff) -> dict[str, Any]:
    comparison = result.comparison
    newly_blocking = {id(item) for item in _newly_blocking_unchanged(result)}
    return {
        "statuses": {"old": dict(result.old_counts), "new": dict(result.new_counts)},
        "incomplete": {"old": result.old_incomplete, "new": result.new_incomplete},
        "blocking": {"old": comparison.blocking_before, "new": comparison.blocking_after},
        # Every fact that changed, and every one that blocks now and did not before: an unchanged
        # fact no longer waived is what fails the gate, and must be in the list.
        "facts": [
            fact_change_to_json(item)
            for item in comparison.changes
            if item.change is not Change.UNCHANGED or id(item) in newly_blocking
        ],
        "worse": [{"old": _record(b), "new": _record(a)} for b, a in result.worse],
        "better": [{"old": _record(b), "new": _record(a)} for b, a in result.better],
        "added": [_record(e) for e in result.added],
        "removed": [_record(e) for e in result.removed],
        "upgraded": [{"old": b.nevra, "new": a.nevra} for b, a in result.upgraded],
        "downgraded": [{"old": b.nevra, "new": a.nevra} for b, a in result.downgraded],
    }
