"""A short Markdown summary for a pull-request comment.

Counts per status, a table of the flagged packages with a one-line reason, then one
``<details>`` block per blocking package with its chain as a nested list. It stays short on
a whole distribution: the table and the detailed blocks are capped and say how many were
left out. Package data is untrusted and ends up in a comment many people read: every piece
of it is written as a code span (no links, mentions, HTML or Markdown inside) or, inside
HTML, escaped.
"""

from __future__ import annotations

import html
import re

from auditor.audit.pipeline import AuditResult, PackageResult
from auditor.origin.findings import Verdict
from auditor.reports.view import (
    chain_evidence,
    clean_text,
    finding_text,
    gate,
    hop_source,
    hop_text,
    reason,
    report_order,
    verdicts_by_index,
)

MAX_ROWS = 100
MAX_DETAILS = 50
MAX_REASON = 200


def render(audit: AuditResult) -> str:
    blocking = [result for result in audit.results if gate(result) == "blocking"]
    waived = [result for result in audit.results if gate(result) == "waived"]
    if audit.errors:
        verdict = "incomplete: some inputs could not be read"
    elif blocking:
        verdict = f"{len(blocking)} blocking package{'s' if len(blocking) != 1 else ''}"
    else:
        verdict = "passed"
    lines = [f"## auditor: {verdict}", ""]
    lines.append(
        f"{len(audit.results)} packages audited from {len(audit.inputs)} input(s); "
        f"{len(blocking)} blocking, {len(waived)} waived; exit code {int(audit.exit_code())}."
    )
    lines += ["", *_counts(audit)]
    if audit.errors:
        lines += ["", "Inputs that could not be read (the audit is incomplete):", ""]
        lines += [f"- {code(error.source)}: {code(error.reason)}" for error in audit.errors]
    flagged = report_order(audit.results)
    if flagged:
        lines += ["", "### Flagged packages", "", "| package | status | why |", "|---|---|---|"]
        for result in flagged[:MAX_ROWS]:
            why = _shorten(reason(result, audit))
            lines.append(
                f"| {code(result.package.nevra, table=True)} | {_status(result)} | {code(why, table=True)} |"
            )
        if len(flagged) > MAX_ROWS:
            lines += ["", f"... and {len(flagged) - MAX_ROWS} more flagged packages not listed here."]
    details = [result for result in flagged if gate(result) == "blocking"]
    if details:
        verdicts = verdicts_by_index(audit)
        lines += ["", "### Why they block", ""]
        for result in details[:MAX_DETAILS]:
            lines += _details(result, audit, verdicts)
        if len(details) > MAX_DETAILS:
            lines.append(f"... and {len(details) - MAX_DETAILS} more blocking packages not detailed here.")
            lines.append("")
    while lines and not lines[-1]:
        lines.pop()
    lines += [
        "",
        "Run `auditor why NAME PATH...` to explain one package; `--format html` gives the whole report.",
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _counts(audit: AuditResult) -> list[str]:
    counts = audit.counts()
    rows = ["| status | packages | blocking | waived |", "|---|---:|---:|---:|"]
    for verdict in Verdict:
        if not counts[verdict.value]:
            continue
        members = [result for result in audit.results if result.verdict is verdict]
        blocking = sum(1 for result in members if gate(result) == "blocking")
        waived = sum(1 for result in members if gate(result) == "waived")
        rows.append(f"| {verdict.value} | {counts[verdict.value]} | {blocking} | {waived} |")
    return rows


def _status(result: PackageResult) -> str:
    state = gate(result)
    if state == "blocking":
        return f"**{result.verdict.value}** (blocking)"
    return f"{result.verdict.value} ({state})" if state else result.verdict.value


def _details(result: PackageResult, audit: AuditResult, verdicts: dict[int, Verdict]) -> list[str]:
    nevra = html.escape(clean_text(result.package.nevra))
    lines = [f"<details><summary><code>{nevra}</code>: {result.verdict.value}</summary>", ""]
    for finding in result.findings:
        if finding.effective:
            lines.append(f"- evidence: {code(finding_text(finding))}")
    if result.chain:
        lines.append(f"- {code(result.package.nevra)}")
        for depth, hop in enumerate(result.chain, start=1):
            lines.append(
                "  " * depth + f"- {code(hop_text(hop, audit.packages, hop_source(result, hop, verdicts)))}"
            )
        evidence = chain_evidence(result, audit)
        if evidence is not None:
            lines.append(
                "  " * (len(result.chain) + 1) + f"- which is origin: {code(finding_text(evidence))}"
            )
    for resolution in result.unresolved[:MAX_ROWS]:
        lines.append(f"- nothing provides {code(str(resolution.dependency))}")
    lines += ["", "</details>", ""]
    return lines


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 3] + "..."


_BACKTICKS = re.compile("`+")


def code(text: str, *, table: bool = False) -> str:
    """``text`` as one inline code span: nothing in it is read as Markdown, HTML, link or mention.

    The fence is one backtick longer than the longest run inside; in a table cell a ``|``
    is escaped, as GitHub's table syntax requires even inside a code span.
    """
    text = clean_text(" ".join(text.split()))
    if table:
        text = text.replace("|", "\\|")
    if not text:
        return ""
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    padding = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{padding}{text}{padding}{fence}"
