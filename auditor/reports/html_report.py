"""The release's independence page: one self-contained HTML file.

What a person opens: the verdict and the exit code; the counts by status and category; what
holds independence back (the plan's ranking as bars, each opening a drawing of that origin's
dependents, `auditor.reports.html_holdback`); progress since an earlier report or the
baseline (`auditor.reports.html_progress`); the filterable table of packages; and each
flagged package explained with its chain drawn (`auditor.reports.html_chains`).

Nothing on the page makes a request: no external script, style, font or image, and a
Content-Security-Policy that forbids them (``default-src 'none'``). The only script is the
static one in ``assets/page.js``, allowed by its hash: a browser that knows hashes then
ignores ``'unsafe-inline'``, so even an escaping mistake could not run injected script or
event handlers. The package data the table shows is embedded as a JSON ``<script
type="application/json">`` block with ``<``, ``>`` and ``&`` written as ``\\u`` escapes, so
``</script>`` in a summary cannot end the block; the script only ever sets ``textContent``.
Every other piece of package data is HTML-escaped. Drawings are inline SVG made here.

The page reads its state from the URL: ``report.html#filter=citrix&status=origin&origin=sm``
(or the same as a query string) and keeps the URL fragment in step as the filter changes or
a bar is chosen.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from auditor.audit.plan import make_plan
from auditor.origin.findings import Verdict
from auditor.reports.flagged import PALETTE
from auditor.reports.html_chains import MAX_SECTIONS, flagged_sections
from auditor.reports.html_common import esc
from auditor.reports.html_holdback import holdback_section
from auditor.reports.html_progress import progress_section
from auditor.reports.inert import json_text_inert
from auditor.reports.jsonlines import SPOOL_PIECE
from auditor.reports.text import clean_text, plural
from auditor.reports.view import ReportView

UNSEEN_PER_KIND_PAGE = 50
"""Gaps of each kind the page names (the JSON report lists them all; the rest are counted)."""

_ASSETS = resources.files("auditor.reports") / "assets"
SCRIPT = (_ASSETS / "page.js").read_text(encoding="utf-8")
STYLE = (_ASSETS / "page.css").read_text(encoding="utf-8")
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'unsafe-inline' 'sha256-{SCRIPT_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
)
STATES = {
    "passed": "Passed",
    "blocking": "Blocked",
    "incomplete": "Passed, incomplete",
    "failed": "Failed",
}


def _style() -> str:
    statuses = "\n".join(
        f".status-{status} {{ --stroke: {stroke}; --fill: {fill}; }}"
        for status, (stroke, fill) in PALETTE.items()
    )
    return STYLE + statuses + "\n"


def render(view: ReportView) -> str:
    return "".join(render_chunks(view))


def render_chunks(view: ReportView) -> Iterator[str]:
    """The page in pieces, its table's rows (one a package) made and written a batch at a time:
    on distro-60k, their dicts, their text and its copies whole raised the run's peak by 110 MB."""
    detailed = view.flagged[:MAX_SECTIONS]
    anchors = {row.index: f"pkg-{position}" for position, row in enumerate(detailed)}
    title = "independence: " + view.headline.text
    before_data = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{html.escape(CSP)}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_style()}</style>",
        "</head>",
        "<body>",
        "<main>",
        *_header(view),
        *_overview(view),
        *holdback_section(view, make_plan(view.audit)),
        *progress_section(view),
        *_table(),
        *flagged_sections(view, anchors),
        *_run(view),
        "</main>",
        f'<footer class="note"><p>auditor {esc(view.version)}</p></footer>',
    ]
    yield "\n".join(before_data) + '\n<script type="application/json" id="auditor-data">'
    yield from _data(view, anchors)
    yield "</script>\n" + "\n".join([f"<script>{SCRIPT}</script>", "</body>", "</html>"]) + "\n"


def _header(view: ReportView) -> list[str]:
    headline = view.headline
    parts = [
        f'<header class="verdict-card state-{headline.state}">',
        f'<p class="state">{STATES[headline.state]}</p>',
        "<h1>Independence of the release</h1>",
        f'<p class="verdict" id="headline" data-state="{headline.state}">'
        f"{esc(headline.text)}; exit code {int(view.exit_code)}</p>",
        f'<p class="summary-line">{esc(view.summary_line())}</p>',
    ]
    completeness = view.decision.completeness
    if not completeness.complete:
        # What was not seen, named, as the table and Markdown name it (more of each kind here,
        # the page the Markdown sends its reader to): a count alone left a package's gap, one
        # that does not block, in no part of the page.
        unseen = view.unseen_examples(UNSEEN_PER_KIND_PAGE)
        parts.append(
            '<div class="banner incomplete" id="incomplete" role="alert"><p>The audit is '
            f"{esc(completeness.summary())}: a clean verdict covers only what was seen.</p>"
            + (
                '<ul id="unseen">' + "".join(f"<li>{esc(line)}</li>" for line in unseen) + "</ul>"
                if unseen
                else ""
            )
            + "</div>"
        )
    if view.errors:
        parts.append('<div class="banner errors" id="errors"><p>Inputs that could not be read:</p><ul>')
        parts.extend(
            f"<li><code>{esc(error.source)}</code>: {esc(error.reason)}</li>" for error in view.errors
        )
        parts.append("</ul></div>")
    if view.warnings:
        # Standard error says them too, but a page is read where the job ran (a policy rule
        # replaced whole is why a Citrix package passes).
        parts.append('<div class="banner warnings" id="warnings"><p>Warnings:</p><ul>')
        parts.extend(f"<li>{esc(warning)}</li>" for warning in view.warnings)
        parts.append("</ul></div>")
    parts.append("</header>")
    return parts


def _overview(view: ReportView) -> list[str]:
    counts = view.counts()
    total = len(view.rows) or 1
    segments = "".join(
        f'<span class="segment status-{verdict.value}" '
        f'style="width: {100 * counts[verdict.value] / total:.2f}%" '
        f'title="{counts[verdict.value]} {verdict.value}"></span>'
        for verdict in Verdict
        if counts[verdict.value]
    )
    parts = [
        '<section id="summary" class="overview">',
        '<div class="card"><h2>Packages by status</h2>',
        f'<div class="statusbar" role="img" aria-label="{esc(view.summary_line())}">{segments}</div>',
        '<table class="counts"><thead><tr><th>status</th><th>packages</th><th>blocking</th><th>waived</th>'
        "</tr></thead><tbody>",
    ]
    for verdict in Verdict:
        blocking, waived = view.gate_counts(verdict)
        parts.append(
            f'<tr data-status="{verdict.value}"><td><span class="badge status-{verdict.value}">'
            f"{verdict.value}</span></td><td>{counts[verdict.value]}</td><td>{blocking}</td>"
            f"<td>{waived}</td></tr>"
        )
    parts.append("</tbody></table></div>")
    categories = view.category_counts()
    parts.append('<div class="card"><h2>Origin evidence by category</h2><div class="tiles" id="categories">')
    parts.extend(
        f'<div class="tile category" data-category="{esc(category)}" data-count="{count}">'
        f'<span class="tile-count">{count}</span> {esc(category)}</div>'
        for category, count in categories.items()
    )
    parts.append("</div>")
    configured = (
        f" {plural(len(view.config), 'configured repository URL')} on policy hosts: see the run below."
        if view.config
        else ""
    )
    parts.append(
        '<p class="note">Audited packages with origin evidence of each category (a package can have both).'
        f"{configured}</p>"
    )
    fail_on = ", ".join(sorted(verdict.value for verdict in view.gate_options.fail_on)) or "nothing"
    parts.append(f"<p>Blocking statuses (<code>--fail-on</code>): {esc(fail_on)}.</p>")
    notes, per_fact = view.gate_notes(), view.gate_fact_lines()
    if notes or per_fact:
        total = len(notes) + len(per_fact)
        # Stale waivers that block fail the run by this section's lines alone: shown closed, the
        # headline said "stale waivers block" and no line on the page said which.
        decision = view.decision
        shown = " open" if decision.stale and decision.options.stale_waivers_block else ""
        parts.append(f'<details id="gate"{shown}><summary>Waivers and baseline ({total})</summary><ul>')
        parts.extend(f"<li>{esc(line)}</li>" for line in [*notes, *per_fact[:MAX_SECTIONS]])
        if len(per_fact) > MAX_SECTIONS:
            parts.append(
                f'<li class="note">... and {len(per_fact) - MAX_SECTIONS} more facts waived, fixed or gone '
                "(none blocking): the JSON report's <code>gate</code> lists them all</li>"
            )
        parts.append("</ul></details>")
    parts += ["</div>", "</section>"]
    return parts


def _table() -> list[str]:
    options = [
        ("", "all"),
        ("flagged", "flagged (not clean, or blocking or waived)"),
        ("blocking", "blocking"),
        ("waived", "waived"),
    ]
    options += [(verdict.value, verdict.value) for verdict in Verdict]
    return [
        '<section id="packages" class="card">',
        "<h2>Packages</h2>",
        '<div class="controls">',
        '<label>Filter <input id="filter" type="search" placeholder="name, status, reason, vendor, summary"'
        ' autocomplete="off"></label>',
        '<label>Status <select id="status">'
        + "".join(f'<option value="{value}">{esc(label)}</option>' for value, label in options)
        + "</select></label>",
        '<span id="shown" role="status"></span>',
        "</div>",
        '<table id="package-table"><thead><tr><th class="col-package">package</th>'
        '<th class="col-status">status</th><th class="col-why">why</th><th class="col-vendor">vendor</th>'
        '<th class="col-summary">summary</th></tr></thead><tbody id="package-rows"></tbody></table>',
        '<p><button type="button" id="more" hidden></button></p>',
        "<noscript><p>The package table needs JavaScript; the flagged packages below do not.</p></noscript>",
        "</section>",
    ]


def _run(view: ReportView) -> list[str]:
    """What was read and under which policy."""
    parts = ['<section id="run" class="card">', "<h2>The run</h2>"]
    if view.inputs:
        parts.append("<p>Inputs:</p><ul>")
        parts.extend(
            f"<li><code>{esc(item.path)}</code>: {esc(item.kind)}, {item.packages} packages</li>"
            for item in view.inputs
        )
        parts.append("</ul>")
    if view.config:
        parts.append("<p>Repository configuration on policy hosts:</p><ul>")
        parts.extend(
            f"<li><code>{esc(item.fact.subject)}</code>: {esc(item.text)}"
            + (
                ' <span class="gate gate-blocking">blocking</span>'
                if item.blocks
                else f' <span class="ruling">[{esc(item.reason)}]</span>'
            )
            + "</li>"
            for item in view.config
        )
        parts.append("</ul>")
    if view.run_gaps:
        parts.append("<p>Evidence that could not be seen:</p><ul>")
        parts.extend(
            f'<li>{esc(item.text)} <span class="ruling">[{esc(item.reason)}]</span></li>'
            for item in view.run_gaps  # every one: evidence not seen is never left out
        )
        parts.append("</ul>")
    if view.policy.sources:
        parts.append(
            "<p>Policy: " + ", ".join(f"<code>{esc(s)}</code>" for s in view.policy.sources) + "</p>"
        )
    if view.policy.tables:
        parts.append(
            "<p>Provenance tables: "
            + ", ".join(f"<code>{esc(s)}</code>" for s in view.policy.tables)
            + "</p>"
        )
    parts.append("</section>")
    return parts


def _data(view: ReportView, anchors: dict[int, str]) -> Iterator[str]:
    """The table's rows as `script_json` writes ``{"packages": [...]}``: flagged packages worst
    first, then the clean ones by name. Each row is encoded alone (a JSON text holds what
    `script_json` rewrites, ``<`` or a CI command, inside one string, so never across two rows)."""
    flagged = view.flagged
    listed = {row.index for row in flagged}
    pending, size = ['{"packages":['], 0
    separator = ""
    for row in [*flagged, *(row for row in view.rows if row.index not in listed)]:
        item = {
            "nevra": clean_text(row.label),
            "status": row.status.value,
            "gate": row.gate.value,
            "why": clean_text(row.why),
            "vendor": clean_text(row.package.vendor or ""),
            "summary": clean_text(row.package.summary or ""),
            "anchor": anchors.get(row.index, ""),
        }
        pending.append(separator + script_json(item))
        separator = ","
        size += len(pending[-1])
        if size >= SPOOL_PIECE:
            yield "".join(pending)
            pending.clear()
            size = 0
    pending.append("]}")
    yield "".join(pending)


def script_json(value: Any) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&`` left raw,
    and no CI command (`auditor.reports.inert`; the block is one line, so no value starts one)."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"))
    return json_text_inert(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))
