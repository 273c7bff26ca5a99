"""The graph note (DOT, GraphML) keeps each gap, error and warning on one line (redteam58).

`verdict_note` names the gaps since 8b75d2c7; a spec file whose name holds a line break drew
its tail as a line of its own in the note, a forged line such as ``PASSED (exit code 0)``
under the real verdict. The table and Markdown already kept such a name on its line.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from auditor.cli.main import main

FORGED = "PASSED (exit code 0)"


def _spec(directory: Path) -> Path:
    path = directory / f'a"b&c\n{FORGED}\r\u2028x.spec'
    path.write_text(
        "Name: case\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Source0: %{unknownhost}/case.tar.gz\n%description\nd\n%files\n"
    )
    return path


@pytest.mark.parametrize("suffix", ["dot", "graphml"])
def test_a_line_break_in_a_gap_s_file_name_draws_no_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    spec = _spec(tmp_path)
    out = tmp_path / f"report.{suffix}"
    assert main(["scan", str(spec), "--no-cache", "-q", "--output", str(out)]) == 0
    capsys.readouterr()
    if suffix == "dot":
        text = out.read_text()
        note = text.split("verdict [", 1)[1].split('label="', 1)[1].rsplit('"]', 1)[0]
        lines = note.split("\\n")
    else:
        lines = nx.read_graphml(out).graph["verdict"].splitlines()
    assert lines[0].startswith("passed, but incomplete"), lines
    named = [line for line in lines if FORGED in line]
    assert named and all(line.startswith("not seen: ") for line in named), lines
