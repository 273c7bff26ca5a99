"""Each case the README's exit code table names gives its code, run as a user runs it.

The table is a contract CI jobs are written against (`if [ $? -eq 3 ]`): every case a row
lists is exercised here with real inputs (the fixture RPMs, an empty directory, a file that
is not TOML), and the row itself is read from the README so that the two cannot drift.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.core.errors import ExitCode
from tests.conftest import RPMS
from tests.paths import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def exit_table() -> dict[int, str]:
    section = README[README.index("### Exit codes") : README.index("## Remote repositories")]
    return {int(code): meaning for code, meaning in re.findall(r"^\| (\d) \| (.+) \|$", section, re.M)}


def test_the_table_names_every_exit_code_once() -> None:
    assert sorted(exit_table()) == sorted(int(code) for code in ExitCode)


CASES = [
    ("passed", [], 0, "nothing blocking"),
    ("blocking findings", [], 1, "blocking findings"),
    ("an architecture rpm does not know", ["--arch", "sparc-not"], 2, "an architecture rpm does not know"),
    ("an empty --fail-on", ["--fail-on", ""], 2, "an empty `--fail-on`"),
    ("-o naming no format", ["-o", "{tmp}/report.unknown"], 2, "`-o` with an extension that names no format"),
    (
        "a report that cannot be written",
        ["-o", "{tmp}/missing/report.json"],
        2,
        "a report that cannot be written",
    ),
    ("a policy that cannot be used", ["--policy", "{tmp}/bad.toml"], 2, "a policy, waiver or baseline file"),
    ("waivers that cannot be used", ["--waivers", "{tmp}/bad.toml"], 2, "a policy, waiver or baseline file"),
    (
        "a baseline that cannot be used",
        ["--baseline", "{tmp}/bad.toml"],
        2,
        "a policy, waiver or baseline file",
    ),
    ("an input that cannot be read", ["{tmp}/missing-input"], 3, "an input could not be read"),
    ("nothing audited", ["EMPTY"], 3, "nothing was audited"),
    ("--strict and evidence not seen", ["--strict"], 3, "with `--strict`, evidence was not seen"),
]


@pytest.mark.parametrize(("extra", "code", "said"), [case[1:] for case in CASES], ids=[c[0] for c in CASES])
def test_each_case_of_the_table_gives_its_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], code: int, said: str
) -> None:
    assert said in exit_table()[code] or said == "nothing blocking"
    (tmp_path / "bad.toml").write_text("not [ toml\n")
    (tmp_path / "empty").mkdir()
    words = [word.format(tmp=tmp_path) for word in extra]
    targets = [str(tmp_path / "empty")] if words == ["EMPTY"] else [str(RPMS)]
    words = [] if words == ["EMPTY"] else words
    fail_on = ["--fail-on", "none"] if code == 0 else []
    argv = ["scan", *targets, *words, *fail_on, "-q", "--no-cache", "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == code
    capsys.readouterr()


def test_an_input_not_read_wins_over_blocking_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The fixture RPMs block (exit 1); with an input that cannot be read beside them the run is
    3, and the readable input is still reported."""
    assert "(wins over 1)" in exit_table()[3]
    argv = ["scan", str(RPMS), str(tmp_path / "missing"), "--format", "json", "-q", "--no-cache"]
    assert main([*argv, "--cache-dir", str(tmp_path / "cache")]) == 3
    assert '"packages": [' in capsys.readouterr().out
