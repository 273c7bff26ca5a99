"""``auditor check``'s table and Markdown comment: the view (`auditor.reports.checkview.CheckView`)
as text, its tables each listing what the change does, the summary last."""

from __future__ import annotations

from collections.abc import Callable

from auditor.core.errors import ExitCode
from auditor.gate.packagechanges import Counterpart
from auditor.gate.progress import Change
from auditor.reports.checkview import CheckView
from auditor.reports.comment import fitted
from auditor.reports.text import code_span, shorten, simple_table, terminal_text

MAX_WHY = 160
MAX_ROWS = 100
"""Rows of each table the Markdown lists (the table and the JSON list every one)."""
MAX_HEADLINE_GAPS = 3
"""What BASE could not see, listed in the Markdown headline; the rest are counted."""
MAX_UNSEEN = 12
"""Distinct texts of new gaps listed in the table and the Markdown; the JSON lists every one."""


def _status(item: Counterpart) -> str:
    before = item.before.status if item.before is not None else "(new)"
    return f"{before} -> {item.after.status}"


def text(view: CheckView, *, markdown: bool) -> str:
    code: Callable[[str], str] = code_span if markdown else terminal_text
    icon = ""
    if markdown:
        icon = "❌ " if view.exit_code is not ExitCode.PASSED else "⚠️ " if view.incomplete else "✅ "
    # What BASE could not see is named by its inputs (a directory's name, a .repo file's URL):
    # on a terminal, an escape sequence in one would rewrite the screen, as in any other cell.
    headline = view.headline_with(_markdown_listed) if markdown else terminal_text(view.headline)
    lines = [("### " if markdown else "") + f"{icon}auditor check: {headline}", ""]
    for error in view.errors:
        lines.append(f"- input error: {code(error.source)}: {code(error.reason)}")
    if view.errors:
        lines.append("")
    if view.new:
        rows = [
            [
                code(view.name(item.after)),
                _status(item),
                item.basis.value
                + (f": {code(item.before.label)}" if item.before and item.before.label else ""),
                code(view.why(item.after, MAX_WHY)),
            ]
            for item in view.new
        ]
        lines += _table("New packages", ["package", "status", "compared with", "why"], rows, markdown)
    if view.regressions:
        # The change's own evidence before what depends on it: a comment lists only some.
        regressions = sorted(view.regressions, key=lambda item: item.fact.kind != "origin")
        rows = [[code(item.fact.subject), code(item.text)] for item in regressions]
        lines += _table("Facts that now block", ["package", "fact"], rows, markdown)
    for title, pairs in (
        ("Repository packages that get worse", view.worse),
        ("Repository packages that get better", view.better),
    ):
        rows = [[code(view.name(new)), f"{old.status} -> {new.status}", code(view.why(new, MAX_WHY))]
                for old, new in pairs]  # fmt: skip
        lines += _table(title, ["package", "status", "why"], rows, markdown)
    unseen = view.unseen_new
    if unseen:
        # What the change brings that was not seen, gap by gap: a spec's %include or %{lua:}
        # line was counted in the headline alone (the JSON's facts list them; scan's table names them).
        texts = list(dict.fromkeys(item.text for item in unseen))
        rows = [[code(text)] for text in texts[:MAX_UNSEEN]]
        if len(texts) > MAX_UNSEEN:
            rows.append([f"... and {len(texts) - MAX_UNSEEN} more (the JSON report lists them all)"])
        lines += _table(
            "Evidence the change brings that was not seen (not blocking)", ["gap"], rows, markdown
        )
    gone = view.comparison.of(Change.GONE)
    if gone:
        rows = [[code(item.fact.subject), code(item.fact.text)] for item in gone]
        title = "Facts gone with a replaced package, or no longer seen (not fixed)"
        lines += _table(title, ["package", "fact"], rows, markdown)
    # BASE's binaries the change's source package no longer builds: gone with the rebuild, in no
    # other list, and the reason of the "unresolved" facts of what needed them.
    rows = [[code(binary), status, code(source)] for binary, status, source in view.not_rebuilt]
    title = "Repository packages the change no longer builds (gone after the rebuild)"
    lines += _table(title, ["package", "status in BASE", "rebuilt source package"], rows, markdown)
    for new, old, status in view.obsoletes:
        lines.append(f"{code(new)} obsoletes {code(old)} ({status})")
    if markdown and view.warnings:  # the terminal's are on standard error
        lines += ["**Warnings**", ""] + [f"- {code(warning)}" for warning in view.warnings] + [""]
    comparison = view.comparison
    summary = (
        f"{len(view.new)} new package(s)"
        + (f" ({view.new_with_fact} with a new fact)" if view.new_with_fact else "")
        + f", {len(view.worse)} other package(s) worse, {len(view.better)} better"
        + (f", {len(view.not_rebuilt)} no longer built; " if view.not_rebuilt else "; ")
        + f"blocking facts (per package) {comparison.blocking_before} -> {comparison.blocking_after}; "
        f"exit code {int(view.exit_code)}"
    )
    if markdown:  # a change touching thousands of packages: still one comment, its summary last
        return fitted(lines, [summary])
    return "\n".join([*lines, summary]).rstrip() + "\n"


def _markdown_listed(texts: list[str]) -> str:
    """Gap texts in the Markdown headline: each a code span (a .repo file's names and URLs are
    no Markdown, link or mention), a few of them: thousands of repositories not read made a
    headline longer than the comment holds, and `fitted` left it out whole with the exit code."""
    said = "; ".join(code_span(shorten(text, MAX_WHY)) for text in texts[:MAX_HEADLINE_GAPS])
    if len(texts) > MAX_HEADLINE_GAPS:
        said += f"; and {len(texts) - MAX_HEADLINE_GAPS} more (the table and JSON formats list them all)"
    return said


def _table(title: str, headers: list[str], rows: list[list[str]], markdown: bool) -> list[str]:
    if not rows:
        return []
    if markdown:
        # A comment lists some rows of each table, so that every table is in it; the text lists all.
        cells = [[cell.replace("|", "\\|") for cell in row] for row in rows[:MAX_ROWS]]
        more = [f"... and {len(rows) - MAX_ROWS} more: the JSON report lists them all", ""]
        return (
            [f"**{title}**", "", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            + ["| " + " | ".join(row) + " |" for row in cells]
            + [""]
            + (more if len(rows) > MAX_ROWS else [])
        )
    return [f"{title}:", simple_table(rows, headers), ""]
