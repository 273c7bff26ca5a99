"""The table fits the terminal it is printed on and reads as causes, not as rows.

On a terminal (a pseudo-terminal here, ``COLUMNS`` respected) no line is wider than the
terminal but a NEVRA too long to fit anywhere, alone on its line; in a pipe or a file every
line is whole. Rows are grouped by the origin source package their chain ends at, groups that
hold back most first, and each row's line starts with its NEVRA and status.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.reports.render import FORMATS
from auditor.reports.rows import Gate
from auditor.reports.table import render
from auditor.reports.view import ReportView
from tests.paths import ROOT
from tests.report_cases import CITRIX, audit_of, view_of
from tests.terminal import on_terminal

EXAMPLE = [str(ROOT / "examples" / "xcp-ng-mini" / "repo"), str(ROOT / "examples" / "xcp-ng-mini" / "srpms")]
LONG = "a-package-name-longer-than-any-terminal-column-would-give-it-" * 2

SPECS: list[dict[str, Any]] = [
    {"name": "xen-hypervisor", **CITRIX, "sourcerpm": "xen-4.17-1.src.rpm"},
    {"name": "xen-libs", **CITRIX, "sourcerpm": "xen-4.17-1.src.rpm", "requires": ["xen-hypervisor"]},
    *({"name": f"toolstack-{n}", "requires": ["xen-libs"]} for n in range(5)),
    {"name": LONG, "requires": ["xen-libs"]},
    {"name": "licensed", **CITRIX, "license": "Proprietary"},
    *({"name": f"needs-licensed-{n}", "requires": ["licensed"]} for n in range(2)),
    {"name": "lonely", "requires": ["nothing-provides-this-requirement-" * 4 + "name >= 1.0"]},
    {"name": "fine"},
]


@pytest.fixture(scope="module")
def view() -> ReportView:
    return view_of(audit_of(SPECS))


def nevras(view: ReportView) -> set[str]:
    return {row.package.nevra for row in view.flagged}


@pytest.mark.parametrize("width", [30, 50, 80, 100, 120, 200])
def test_every_line_fits_the_terminal_but_a_nevra_alone(width: int, view: ReportView) -> None:
    text = render(view, width)
    for line in text.splitlines():
        assert len(line) <= width or line in nevras(view), (width, line)
    for row in view.flagged:  # each row still starts a line with its NEVRA, then its status
        mark = r"\s+\S+ \*" if row.gate is Gate.BLOCKING else r"\s+\S+"
        assert re.search(rf"^{re.escape(row.package.nevra)}{mark}", text, re.M), (width, row.package.nevra)


def test_a_long_why_is_wrapped_then_cut_never_lost_from_the_first_words(view: ReportView) -> None:
    text = render(view, 80)
    lonely = next(row for row in view.flagged if row.package.name == "lonely")
    assert "nothing provides" in text and lonely.why not in text  # the why is longer than it fits
    assert "…" in text


def test_not_a_terminal_gives_whole_lines(view: ReportView) -> None:
    text = FORMATS["table"](view)
    assert text == render(view, None)
    for row in view.flagged:
        assert re.search(rf"^{re.escape(row.package.nevra)}\s+\S+.*  {re.escape(row.why)}$", text, re.M)


def test_rows_are_grouped_by_the_origin_source_package_holding_them_back(view: ReportView) -> None:
    text = render(view, None)
    titles = [line for line in text.splitlines() if line.startswith(("origin source ", "requirements "))]
    assert titles == [
        "origin source xen: 2 origin package(s), 6 flagged through it",
        "origin source licensed: 1 origin package(s), 2 flagged through it",
        "requirements nothing provides: 1 package(s)",
    ]
    xen = text.index(titles[0])
    licensed = text.index(titles[1])
    assert xen < text.index("\ntoolstack-3-1.0-1.noarch ") < licensed < text.index("\nneeds-licensed-1-1.0-1")
    assert text.index("\nxen-libs-1.0-1.noarch ") < text.index("\ntoolstack-0-1.0-1.noarch ")  # origins first


def _in_pipe(args: list[str], columns: int) -> str:
    env = {**os.environ, "COLUMNS": str(columns)}
    return subprocess.run(args, capture_output=True, text=True, env=env, cwd=ROOT, check=False).stdout


def test_the_command_fits_its_terminal_and_keeps_whole_lines_in_a_pipe(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "auditor", "scan", *EXAMPLE, "-q", "--cache-dir", str(tmp_path)]
    terminal = on_terminal(command, columns=60)
    assert "origin source sm: 4 origin package(s), 2 flagged through it" in terminal
    flagged = re.findall(r"^(\S+-\d\S*\.(?:noarch|src))", terminal, re.M)
    assert len(flagged) == 19
    assert all(len(line) <= 60 or line in flagged for line in terminal.splitlines()), terminal
    # The same run in a pipe: not the terminal's table replayed from the cache, whole lines.
    piped = _in_pipe(command, 60)
    assert piped == _in_pipe([*command, "--no-cache"], 60)
    assert max(len(line) for line in piped.splitlines()) > 100
    assert "2 hop(s) to sm-2.30.8-1.xcpng.src" in piped


def test_the_blocking_mark_is_explained_only_when_a_row_has_it(
    view: ReportView, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review 15: "(* blocking; ...)" under a table where nothing blocks explained a mark no row had."""
    assert "(* blocking; run `auditor why NAME ...` for the whole chain)" in render(view, None)
    assert main(["scan", *EXAMPLE, "--fail-on", "unresolved", "--no-cache", "-q"]) == 0
    text = capsys.readouterr().out
    assert "origin " in text and " *" not in text  # flagged rows, none blocking
    assert "(run `auditor why NAME ...` for the whole chain)" in text


@pytest.mark.parametrize("width", [None, 40, 100])
def test_the_table_written_in_pieces_is_the_table_whole(
    width: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.reports import table
    from tests.report_cases import gate_view

    view = gate_view(hostile=True)
    whole = "".join(table.render_chunks(view, width))
    monkeypatch.setattr(table, "SPOOL_PIECE", 1)
    pieces = list(table.render_chunks(view, width))
    assert "".join(pieces) == whole
    assert all(piece.endswith("\n") for piece in pieces)
    assert len(pieces) == whole.count("\n")  # a line a piece
    assert "waived: " in whole and whole.endswith("\n")
