"""The HTML report's progress view: what changed since an earlier report, and since the baseline.

Against an earlier report (``scan --compare REPORT``) facts are compared by fingerprint
(`auditor.gate.progress`): *fixed* (its package is still there, the fact is not), *new*,
*gone* with its package or with the origin package its chain ended at (a deletion, not a
fix), and *superseded* by a new taint (worse, not a fix). Against the baseline, the
decision's own fixed, gone and superseded entries are shown.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.audit.facts import FactKind
from auditor.gate.baseline import BaselineEntry
from auditor.gate.decision import Disposition
from auditor.gate.progress import Change, Comparison, FactChange
from auditor.reports.html_common import esc
from auditor.reports.text import plural
from auditor.reports.view import ReportView

MAX_CHANGES = 500
"""Facts listed per kind of change; the counts cover them all."""

WORDS = {
    Change.FIXED: ("Fixed", "the fact is gone while its package is still there"),
    Change.NEW: ("New", "only this audit has it, or its taint now reaches an origin package it did not"),
    Change.GONE: (
        "Gone",
        "its package, or the origin its chain ended at, is no longer there, or its evidence is no longer "
        "seen: not a fix",
    ),
    Change.SUPERSEDED: (
        "Superseded",
        "a may-depend taint whose package now depends or build-depends on its category instead (new): "
        "not a fix",
    ),
    Change.UNCHANGED: ("Unchanged", "both have it"),
}


def progress_section(view: ReportView) -> list[str]:
    parts = ['<section id="progress" class="card">', "<h2>Progress</h2>"]
    comparison = view.progress
    baseline = view.decision.baseline
    if comparison is None and baseline is None:
        parts.append(
            '<p class="note" id="no-progress">To see what was fixed since an earlier release, give its '
            "JSON report (<code>auditor scan --format json -o before.json ...</code>, then "
            "<code>auditor scan --format html --compare before.json ...</code>), or adopt a baseline "
            "(<code>auditor baseline</code>).</p>"
        )
    if comparison is not None:
        parts.extend(_comparison(comparison))
    if baseline is not None:
        parts.extend(_baseline(view))
    parts.append("</section>")
    return parts


def _comparison(comparison: Comparison) -> list[str]:
    before, after = comparison.blocking_before, comparison.blocking_after
    parts = [
        '<div class="tiles" id="compare-counts">',
        *(
            f'<div class="tile change-{change.value}" data-change="{change.value}" '
            f'data-count="{len(comparison.of(change))}"><span class="tile-count">'
            f"{len(comparison.of(change))}</span> {WORDS[change][0].lower()}</div>"
            for change in Change
        ),
        "</div>",
        '<p id="compare-blocking">Blocking facts (per package; the changes above are counted by '
        "fingerprint, one for a package's binaries and source package): "
        f"{before} in the earlier report, {after} now "
        f"({_delta(after - before)}); {plural(len(comparison.newly_blocking), 'fact')} "
        f"{'blocks' if len(comparison.newly_blocking) == 1 else 'block'} now that did not before.</p>",
    ]
    for change in (Change.FIXED, Change.NEW, Change.GONE, Change.SUPERSEDED):
        parts.append(_changes(change, comparison.of(change)))
    return parts


def _delta(delta: int) -> str:
    return f"+{delta}" if delta > 0 else ("no change" if delta == 0 else str(delta))


def _changes(change: Change, items: Sequence[FactChange]) -> str:
    title, meaning = WORDS[change]
    rows = [
        f'<details class="changes" id="changes-{change.value}" data-count="{len(items)}"'
        f"{' open' if change is Change.NEW and items else ''}>"
        f"<summary>{title} ({len(items)}): {esc(meaning)}</summary>"
    ]
    if items:
        rows.append(
            '<table class="facts"><thead><tr><th class="col-package">package</th><th class="col-kind">kind'
            '</th><th class="col-fact">fact</th><th class="col-blocks">blocks</th></tr></thead><tbody>'
        )
        # What blocks now first: a list cut at MAX_CHANGES leaves out a blocking fact last.
        items = sorted(items, key=lambda item: not item.blocks_after)
        for item in items[:MAX_CHANGES]:
            rows.append(
                f'<tr><td class="col-package"><code>{esc(item.fact.subject)}</code></td>'
                f'<td class="col-kind">{esc(item.fact.kind)}</td>'
                f'<td class="col-fact">{esc(item.text)}</td>'
                f'<td class="col-blocks">{_blocks(item)}</td></tr>'
            )
        rows.append("</tbody></table>")
        if len(items) > MAX_CHANGES:
            blocking = sum(1 for item in items[MAX_CHANGES:] if item.blocks_after)
            rows.append(
                f'<p class="note">and {len(items) - MAX_CHANGES} more ({blocking} blocking now): '
                "<code>auditor diff EARLIER.json LATER.json</code> lists them all</p>"
            )
    rows.append("</details>")
    return "".join(rows)


def _blocks(item: FactChange) -> str:
    before = "blocked" if item.blocked_before else "did not block"
    after = "blocks" if item.blocks_after else "does not block"
    if item.change is Change.NEW:
        return after
    if item.change in (Change.FIXED, Change.GONE, Change.SUPERSEDED):
        return before
    return f"{before}; {after}"


def _baseline(view: ReportView) -> list[str]:
    decision = view.decision
    accepted = decision.count(Disposition.BASELINED)
    # What blocks and the baseline does not accept is said here too, as the gate's line says it
    # ("baseline: N accepted, M new, ..."): a taint of a listed fingerprint that now reaches one
    # more origin package is one of them.
    new = sum(1 for ruling in decision.blocking if ruling.fact.kind is not FactKind.GAP)
    unused = (
        f", {plural(len(decision.unused), 'entry', 'entries')} accepting nothing" if decision.unused else ""
    )
    replaced = len(decision.superseded)
    superseded = f", {replaced} superseded by a new taint (not a fix)" if replaced else ""
    parts = [
        "<h3>Since the baseline</h3>",
        f'<p id="baseline-counts" data-new="{new}" data-fixed="{len(decision.fixed)}" '
        f'data-gone="{len(decision.gone)}" data-superseded="{replaced}">'
        f"{plural(accepted, 'fact')} still accepted by the baseline, {new} new (blocking), "
        f"{len(decision.fixed)} fixed, {len(decision.gone)} gone with their package or no longer seen "
        f"(not a fix){superseded}{unused}.</p>",
    ]
    for title, entries in (
        ("Fixed since the baseline", decision.fixed),
        ("Gone", decision.gone),
        ("Superseded by a new taint", decision.superseded),
    ):
        parts.append(_entries(title, entries))
    # Entries whose facts a waiver (or an allow, or --fail-on) took: they take them back when it ends.
    parts.append(
        _entries("Accepting nothing (its facts ruled otherwise)", [item.entry for item in decision.unused])
    )
    return parts


def _entries(title: str, entries: Sequence[BaselineEntry]) -> str:
    if not entries:
        return ""
    rows = [f'<details class="changes"><summary>{esc(title)} ({len(entries)})</summary><ul>']
    rows.extend(
        f"<li><code>{esc(entry['package'])}</code>: {esc(entry['kind'])} {esc(entry['capability'])}</li>"
        for entry in entries[:MAX_CHANGES]
    )
    if len(entries) > MAX_CHANGES:
        rows.append(
            f'<li class="note">and {len(entries) - MAX_CHANGES} more (none blocking): the JSON report\'s '
            "<code>gate</code> lists them all</li>"
        )
    rows.append("</ul></details>")
    return "".join(rows)
