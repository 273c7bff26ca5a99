"""``-o`` given again with standard output among the reports: only the report to standard
output is fitted to a terminal, a replay writes each report where a run of its own would,
and a file standard output already is cannot take a second report.

The replay's key named each report's format but not which one went to standard output, so
``-o - -o table.txt`` replayed the reports ``-o table.txt -o -`` had stored: the table fitted
to the terminal went to the file, the whole one to the terminal. The inputs are the shipped
example: RPMs built by rpmbuild, repodata by createrepo_c.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.paths import ROOT
from tests.terminal import on_terminal

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
INPUTS = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")]


def test_a_replay_fits_to_the_terminal_only_the_table_written_to_it(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "auditor", "scan", *INPUTS]
    cached = [*command, "--cache-dir", str(tmp_path / "cache")]
    first = on_terminal([*cached, "-o", str(tmp_path / "first.txt"), "-o", "-"], columns=60)
    table = tmp_path / "table.txt"
    replayed = on_terminal([*cached, "-o", "-", "-o", str(table)], columns=60)
    fresh = tmp_path / "fresh.txt"
    assert replayed == on_terminal([*command, "--no-cache", "-o", "-", "-o", str(fresh)], columns=60)
    assert table.read_bytes() == fresh.read_bytes() == (tmp_path / "first.txt").read_bytes()
    assert max(len(line) for line in replayed.splitlines()) <= 60
    assert max(len(line) for line in table.read_text().splitlines()) > 60
    assert replayed == first


def test_a_file_standard_output_already_is_is_not_a_second_report(tmp_path: Path) -> None:
    # `-o - -o /dev/stdout > out.txt`: the report to /dev/stdout replaced out.txt, and the
    # one written to standard output before it was left in a file no name reaches.
    out = tmp_path / "out.txt"
    command = [sys.executable, "-m", "auditor", "scan", *INPUTS, "--no-cache", "-o", "-"]
    for other in ["/dev/stdout", str(out)]:
        with out.open("wb") as stdout:
            done = subprocess.run([*command, "-o", other], stdout=stdout, stderr=subprocess.PIPE, check=False)
        assert done.returncode == 2
        assert (
            done.stderr.decode()
            == f"auditor: error: -o - and -o {other} are one file: each report needs its own\n"
        )
        assert out.read_bytes() == b""
