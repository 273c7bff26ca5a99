"""A short Markdown summary for a pull-request comment or a CI job summary.

The headline is the gate's decision (it cannot say "passed" beside a failing exit code);
then counts per status and category, what the audit could not see, a table of the flagged
packages with a one-line reason, and one ``<details>`` block per blocking package with each
fact and the gate's ruling on it. It stays short on a whole distribution: the table, the
detailed blocks and each block's facts are capped and say how many were left out and where
they all are; what blocks and the gaps come before anything else, and a one-line reason is cut
before what else blocks. The whole stays within what a pull-request comment holds
(`auditor.reports.comment`): past it, its last lines are left out and counted. Package data
is untrusted and ends up in a comment many people read: every piece of it is written as a
code span (no links, mentions, HTML or Markdown inside) or, inside HTML, escaped.
"""

from __future__ import annotations

import html

from auditor.audit.facttext import hop_text
from auditor.origin.findings import Verdict
from auditor.reports.chains import shown as shown_chain
from auditor.reports.comment import fitted
from auditor.reports.failures import inputs_blocking
from auditor.reports.inert import markup_inert
from auditor.reports.rows import Gate, PackageView, left_out
from auditor.reports.text import code_span, plural, reader_line, shorten
from auditor.reports.view import ReportView

MAX_ROWS = 100
MAX_DETAILS = 50
MAX_FACTS = 100
"""Facts listed in one package's details: every one that blocks and every gap, then others up to
this many; the rest are counted."""
MAX_REASON = 200
MAX_LISTED = 20
"""Unreadable inputs and repository configuration facts listed before the flagged packages."""
MAX_ITEM = 1_000
"""Characters of one name or text in the comment: repository metadata bounds no name's length,
and six 10,000-character names in the list of what was not seen pushed what blocks out of it."""
ICONS = {"passed": "✅", "incomplete": "⚠️", "blocking": "❌", "failed": "❌"}


def render(view: ReportView) -> str:
    headline = view.headline
    lines = [f"## {ICONS[headline.state]} auditor: {headline.text}", ""]
    # Counted as the headline counts them: a configured URL on a policy host blocks too.
    said = f"{len(view.blocking)} blocking"
    if view.blocking_config:
        urls = len(view.blocking_config)
        url_word = "URL" if urls == 1 else "URLs"
        said = (
            f"{len(view.blocking) + urls} blocking ({len(view.blocking)} packages, "
            f"{urls} configured repository {url_word})"
        )
    if unseen := inputs_blocking(view.run_gaps):  # as the table says them, beside the packages
        said += f", {unseen}"
    lines.append(
        f"{plural(len(view.rows), 'package')} audited from {len(view.inputs)} input(s); "
        f"{said}, {len(view.waived)} waived; exit code {int(view.exit_code)}."
    )
    lines += ["", *_counts(view)]
    categories = view.category_counts()
    lines += [
        "",
        "Origin evidence by category: " + ", ".join(f"{n} {c}" for c, n in categories.items()) + ".",
    ]
    completeness = view.decision.completeness
    if not completeness.complete:
        lines += [
            "",
            f"**The audit is {completeness.summary()}**: a clean verdict covers only what was seen.",
            "",
        ]
        lines += [f"- {_span(line)}" for line in view.unseen_examples()]
    if view.errors:
        lines += ["", "Inputs that could not be read:", ""]
        errors = view.errors
        lines += [f"- {_span(error.source)}: {_span(error.reason)}" for error in errors[:MAX_LISTED]]
        if len(errors) > MAX_LISTED:
            lines.append(f"- ... and {len(errors) - MAX_LISTED} more inputs (the JSON report lists them all)")
    if view.warnings:
        # A bot posting the comment never sees standard error (a policy rule replaced whole is
        # why a Citrix package passes).
        lines += ["", "Warnings:", ""]
        lines += [f"- {_span(warning)}" for warning in view.warnings[:MAX_LISTED]]
        if len(view.warnings) > MAX_LISTED:
            left = len(view.warnings) - MAX_LISTED
            lines.append(f"- ... and {left} more warnings (the JSON report lists them all)")
    if view.config:
        lines += ["", "Repository configuration on policy hosts:", ""]
        config = sorted(view.config, key=lambda item: not item.blocks)  # what blocks before a cut
        for item in config[:MAX_LISTED]:
            mark = " (blocking)" if item.blocks else f" ({_span(item.reason)})"  # accepted, and how
            lines.append(f"- {_span(item.fact.subject)}: {_span(item.text)}{mark}")
        if len(config) > MAX_LISTED:
            unlisted = config[MAX_LISTED:]
            blocking = sum(1 for item in unlisted if item.blocks)
            lines.append(
                f"- ... and {len(unlisted)} more ({blocking} blocking; the JSON report lists them all)"
            )
    # Expired and stale waivers may block the run: said before the lists a long report cuts.
    gate_notes = view.gate_notes()
    if gate_notes:
        lines += ["", "Waivers and baseline:", ""]
        waivers = [line for line in gate_notes if line.startswith(("expired waiver", "stale waiver"))]
        lines += [f"- {_span(line)}" for line in waivers[:MAX_LISTED]]
        if len(waivers) > MAX_LISTED:
            lines.append(
                f"- ... and {len(waivers) - MAX_LISTED} more expired or stale waivers: the JSON report's "
                "`gate` lists them all"
            )
        lines += [f"- {_span(line)}" for line in gate_notes if line not in waivers]
    flagged = view.flagged
    if flagged:
        lines += ["", "### Flagged packages", "", "| package | status | why |", "|---|---|---|"]
        for row in flagged[:MAX_ROWS]:
            nevra = _span(row.label, table=True)
            why = code_span(row.short_why(MAX_REASON), table=True)
            lines.append(f"| {nevra} | {_status(row)} | {why} |")
        if len(flagged) > MAX_ROWS:
            rest = flagged[MAX_ROWS:]
            blocking = sum(1 for row in rest if row.blocking)
            lines += [
                "",
                f"... and {len(rest)} more flagged packages ({blocking} blocking) not listed here: "
                "the JSON report lists them all.",
            ]
    details = [row for row in flagged if row.blocking]
    if details:
        lines += ["", "### Why they block", ""]
        for row in details[:MAX_DETAILS]:
            lines += _details(row, view)
        if len(details) > MAX_DETAILS:
            lines.append(
                f"... and {len(details) - MAX_DETAILS} more blocking packages not detailed here: "
                "the JSON report has every fact."
            )
            lines.append("")
    # One line a fact a waiver accepted or the baseline saw fixed or gone: none blocks, and a
    # distribution waived by category has thousands.
    gate_facts = view.gate_fact_lines()
    if gate_facts:
        while lines and not lines[-1]:
            lines.pop()
        lines += ["", "### Waived, fixed and gone facts (none blocking)", ""]
        lines += [f"- {_span(line)}" for line in gate_facts[:MAX_ROWS]]
        if len(gate_facts) > MAX_ROWS:
            lines.append(
                f"- ... and {len(gate_facts) - MAX_ROWS} more: the JSON report's `gate` lists them all"
            )
    while lines and not lines[-1]:
        lines.pop()
    footer = "Run `auditor why NAME PATH...` to explain one package; `--format html` gives the whole report."
    return fitted(lines, [footer])


def _span(text: str, *, table: bool = False) -> str:
    return code_span(shorten(text, MAX_ITEM), table=table)


def _counts(view: ReportView) -> list[str]:
    counts = view.counts()
    rows = ["| status | packages | blocking | waived |", "|---|---:|---:|---:|"]
    for verdict in Verdict:
        if not counts[verdict.value]:
            continue
        blocking, waived = view.gate_counts(verdict)
        rows.append(f"| {verdict.value} | {counts[verdict.value]} | {blocking} | {waived} |")
    return rows


def _status(row: PackageView) -> str:
    if row.gate is Gate.BLOCKING:
        return f"**{row.status.value}** (blocking)"
    return f"{row.status.value} ({row.gate.value})" if row.gate is not Gate.NONE else row.status.value


def _details(row: PackageView, view: ReportView) -> list[str]:
    # HTML in the comment: a name from repository metadata (which rpm's rules do not bind) may
    # hold ``##vso[`` or a line break and ``::``. On one line, as the code spans beside it, and
    # with character references, it runs no command in a CI log (`auditor.reports.inert`).
    nevra = markup_inert(html.escape(reader_line(shorten(row.label, MAX_ITEM))))
    lines = [f"<details><summary><code>{nevra}</code>: {row.status.value}</summary>", ""]
    # Every fact that blocks and every gap, whatever their number; the rest while there is room.
    facts = row.facts_that_matter_first()
    shown = facts[: max(MAX_FACTS, sum(1 for item in facts if item.blocks or item.fact.gap))]
    for item in shown:
        lines.append(f"- {item.fact.kind.value}: {_span(item.text)} ({_span(item.reason)})")
    if len(facts) > len(shown):
        lines.append(f"- ... and {left_out(facts[len(shown) :])}: the JSON report lists them all")
    if row.chain:
        chain = shown_chain(row.chain)
        lines.append(f"- {_span(row.package.nevra)}")
        for depth, hop in enumerate(chain.head, start=1):
            lines.append("  " * depth + f"- {_span(hop_text(hop, view.packages))}")
        depth = len(chain.head)
        if chain.shortened:
            depth += 1
            lines.append("  " * depth + f"- {chain.note} (the JSON report has them)")
            for hop in chain.end:
                depth += 1
                lines.append("  " * depth + f"- {_span(hop_text(hop, view.packages))}")
        evidence = view.row_evidence(row)
        if evidence is not None:
            lines.append("  " * (depth + 1) + f"- which is origin: {_span(evidence.text)}")
    lines += ["", "</details>", ""]
    return lines
