"""The human report: the flagged packages grouped by cause, then what the gate did and a summary.

Rows are grouped by the origin source package their chain ends at (`auditor.reports.causes`),
so three hundred rows read as the twenty packages behind them. On a terminal (``width``
given) the table fits it, as dnf's and rich's do: the name and status stay whole, a NEVRA too
long for its column gets a line of its own, and the "why" column wraps onto a second line and
is cut after it (``auditor why NAME`` has the whole chain): its reason is cut, never what else
blocks. Elsewhere (a pipe, a file) lines
are whole, for grep. Each package's line starts with its NEVRA, then its status (``origin *``
when blocking).
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from auditor.gate.decision import Disposition
from auditor.reports.causes import cause_groups
from auditor.reports.jsonlines import SPOOL_PIECE
from auditor.reports.rows import FactView, Gate, PackageView
from auditor.reports.text import MIN_SHORTENED, shorten, shorten_keeping, simple_table, terminal_text
from auditor.reports.view import ReportView

MIN_WHY = 40
"""Fewer columns than this left for "why" beside the NEVRA and status: it goes below them."""
MIN_NAME = 16
"""The narrowest "why" line of a stacked row."""
WHY_LINES = 2
"""Lines of "why" per row beside the NEVRA on a terminal; the rest is cut with an ellipsis."""
GAP = "  "
INDENT = "    "


def status_mark(row: PackageView) -> str:
    """``origin *`` when blocking, ``depends (waived)`` when a waiver accepted what would block."""
    if row.gate is Gate.BLOCKING:
        return f"{row.status.value} *"
    if row.gate is not Gate.NONE:
        return f"{row.status.value} ({row.gate.value})"
    return row.status.value


def render(view: ReportView, width: int | None = None) -> str:
    """The table; ``width`` is the terminal's (None: not a terminal, lines are not cut)."""
    return "".join(render_chunks(view, width))


def render_chunks(view: ReportView, width: int | None = None) -> Iterator[str]:
    """`render`'s text in pieces of about `SPOOL_PIECE` characters: the lines of the waived
    facts (120,000 when a waiver accepts every gap of a distribution) are made as written."""
    pending: list[str] = []
    size = 0
    for line in _lines(view, width):
        pending.append(line)
        size += len(line) + 1
        if size >= SPOOL_PIECE:
            pending.append("")
            yield "\n".join(pending)
            pending.clear()
            size = 0
    if pending:
        pending.append("")
        yield "\n".join(pending)


def _lines(view: ReportView, width: int | None) -> Iterator[str]:
    lines = _flagged_lines(view, width)
    if lines:
        mark = "* blocking; " if view.blocking else ""  # no row has the mark to explain
        lines.extend(_wrapped(f"({mark}run `auditor why NAME ...` for the whole chain)", width))
    if view.config:
        if lines:
            lines.append("")
        lines.extend(_wrapped("Repository configuration on policy hosts:", width))
        lines.append(_config_table(view, width))
    yield from lines
    del lines
    tail = (terminal_text(line) for line in itertools.chain(view.gate_notes(), view.each_gate_fact_line()))
    for line in tail:
        yield from _wrapped(line, width)
    completeness = view.decision.completeness
    end = []
    if not completeness.complete:
        end.append(f"{completeness.summary()}: a clean verdict covers only what was seen")
        end.extend(f"  {terminal_text(line)}" for line in view.unseen_examples())
    # Standard error names them too, but a table written with ``-o`` is all a CI artifact keeps,
    # and its last line ("nothing blocking") must not be the last word on a run that failed.
    end.extend(f"could not read: {terminal_text(e.source)}: {terminal_text(e.reason)}" for e in view.errors)
    end.extend(f"warning: {terminal_text(warning)}" for warning in view.warnings)
    end.append(terminal_text(view.summary_line()))
    if view.headline.state == "failed":
        end.append(f"{terminal_text(view.headline.text)} (exit code {int(view.decision.exit_code)})")
    for line in end:
        yield from _wrapped(line, width)


@dataclass(frozen=True)
class _Layout:
    name: int
    """Columns of the NEVRA column; a longer NEVRA gets a line of its own."""
    status: int
    why: int | None
    """Columns of "why" (None: whole lines, not a terminal)."""
    stacked: bool
    """Too narrow for three columns: "why" goes on the line below the NEVRA and status."""


def _layout(cells: Sequence[tuple[str, str, str]], width: int | None) -> _Layout:
    lengths = sorted(len(nevra) for nevra, _, _ in cells)
    status = max(len("status"), *(len(mark) for _, mark, _ in cells))
    if width is None:
        return _Layout(max(lengths[-1], len("package")), status, None, stacked=False)
    # The column fits nine NEVRAs in ten: the few longest get a line of their own rather than
    # every row giving up "why" columns to them.
    typical = max(lengths[(len(lengths) - 1) * 9 // 10], len("package"))
    if width - status - 2 * len(GAP) - MIN_WHY >= typical:
        return _Layout(typical, status, width - typical - status - 2 * len(GAP), stacked=False)
    name = max(min(typical, width - status - len(GAP)), len("package"))
    return _Layout(name, status, max(width - len(INDENT), MIN_NAME), stacked=True)


def _flagged_lines(view: ReportView, width: int | None) -> list[str]:
    groups = cause_groups(view)
    if not groups:
        return []
    cells = {
        row.index: (
            terminal_text(row.label),
            status_mark(row),
            terminal_text(row.status_reason),
            terminal_text(row.also),
        )
        for group in groups
        for row in group.rows
    }
    layout = _layout([(nevra, mark, reason + also) for nevra, mark, reason, also in cells.values()], width)
    longest_why = max(len(reason) + len(also) for _, _, reason, also in cells.values())
    if layout.stacked:
        header = f"{'package':<{layout.name}}{GAP}status"
        rule = f"{'-' * layout.name}{GAP}{'-' * layout.status}"
        lines = [header, f"{INDENT}why", rule]
    else:
        header = f"{'package':<{layout.name}}{GAP}{'status':<{layout.status}}{GAP}why"
        why_rule = "-" * min(layout.why or longest_why, longest_why) if longest_why else "---"
        lines = [header, f"{'-' * layout.name}{GAP}{'-' * layout.status}{GAP}{why_rule}"]
    for position, group in enumerate(groups):
        if position:
            lines.append("")
        lines.extend(_wrapped(terminal_text(group.title()), width))
        for row in group.rows:
            lines.extend(_row_lines(*cells[row.index], layout))
    return lines


def _row_lines(nevra: str, status: str, reason: str, also: str, layout: _Layout) -> list[str]:
    """One row: ``NEVRA  status  why`` on one line, the NEVRA alone on its line when it does
    not fit its column; stacked, "why" goes on the line below. A "why" cut to fit loses some
    of its ``reason``, never ``also`` (what else blocks), which takes more lines if it must."""
    fits = len(nevra) <= layout.name
    why = reason + also
    if layout.stacked:
        width = layout.why or len(why)
        if fits or len(nevra) + len(GAP) + len(status) <= width + len(INDENT):
            first = [f"{nevra:<{layout.name}}{GAP}{status}"]
        else:
            first = [nevra, f"{INDENT}{status}"]
        short = shorten_keeping(reason, also, width)
        pieces = [short] if len(short) <= width else textwrap.wrap(short, width, break_on_hyphens=False)
        return [*first, *(f"{INDENT}{piece}".rstrip() for piece in pieces)]
    if layout.why is None:
        return [f"{nevra:<{layout.name}}{GAP}{status:<{layout.status}}{GAP}{why}".rstrip()]
    pieces = _why_lines(reason, also, layout.why)
    indent = " " * (layout.name + len(GAP))
    rest = f"{status:<{layout.status}}{GAP}{pieces[0]}".rstrip()
    lines = [f"{nevra:<{layout.name}}{GAP}{rest}"] if fits else [nevra, indent + rest]
    follow = indent + " " * (layout.status + len(GAP))
    lines.extend(follow + piece for piece in pieces[1:])
    return lines


def _why_lines(reason: str, also: str, width: int) -> list[str]:
    """``reason + also`` in at most `WHY_LINES` lines of ``width``, the last cut with an
    ellipsis; with ``also``, the reason alone is cut, and ``also`` takes more lines if it must."""
    pieces = textwrap.wrap(reason + also, width, break_on_hyphens=False) or [""]
    if len(pieces) <= WHY_LINES:
        return pieces
    if not also:
        rest = " ".join(pieces[WHY_LINES - 1 :])
        return [*pieces[: WHY_LINES - 1], shorten(rest, width)]
    room = WHY_LINES * width - len(also)
    while True:  # wrapping at words wastes a few columns a line: cut the reason until it fits
        pieces = textwrap.wrap(shorten_keeping(reason, also, room + len(also)), width, break_on_hyphens=False)
        if len(pieces) <= WHY_LINES or room <= MIN_SHORTENED:
            return pieces
        room -= max(width // 8, 1)


def _wrapped(line: str, width: int | None) -> list[str]:
    if width is None or len(line) <= width:
        return [line]
    return textwrap.wrap(line, width, subsequent_indent="  ", break_on_hyphens=False) or [line]


_ACCEPTED = frozenset({Disposition.WAIVED, Disposition.BASELINED, Disposition.ALLOWED})


def _config_mark(item: FactView) -> str:
    """A configured URL's state at the gate, as a package's status column says it."""
    if item.blocks:
        return " *"
    return f" ({item.disposition.value})" if item.disposition in _ACCEPTED else ""


def _config_table(view: ReportView, width: int | None) -> str:
    rows: list[Sequence[str]] = [
        [
            terminal_text(item.fact.subject),
            (item.fact.config.key if item.fact.config else "") + _config_mark(item),
            terminal_text(item.fact.config.url if item.fact.config else ""),
            item.fact.rule,
        ]
        for item in view.config
    ]
    if width is not None:
        others = max(len(row[0]) for row in rows) + max(len(row[1]) for row in rows)
        others += max(len(row[3]) for row in rows) + 3 * len(GAP)
        rows = [[row[0], row[1], shorten(row[2], max(width - others, 24)), row[3]] for row in rows]
    return simple_table(rows, ["config", "key", "url", "rule"])
