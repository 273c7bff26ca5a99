"""``-o`` given again: one audit, written to each file in the format its extension names.

A release gate publishes several reports of one run: JSON for programs, SARIF for code
scanning, JUnit for the CI's test view, the HTML page and the SBOM. Each used to cost an audit
of its own, and ``-o`` given twice kept the last file silently, so a CI job read a report the
run never wrote. Each report written here is the one a run of its own writes, byte for byte,
and all of them come from the same audit, so they cannot disagree. The inputs are the shipped
example: RPMs built by rpmbuild, repodata by createrepo_c.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from auditor.cli import replay
from auditor.cli.main import main
from tests.paths import ROOT
from tests.terminal import on_terminal

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
INPUTS = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")]
REPORTS = {
    "report.json": "json",
    "report.sarif": "sarif",
    "junit.xml": "junit",
    "page.html": "html",
    "summary.md": "markdown",
    "release.cdx.json": "cyclonedx",
    "release.spdx.json": "spdx",
    "chains.dot": "dot",
    "table.txt": "table",
}


def several(directory: Path, *more: str) -> list[str]:
    return [item for name in REPORTS for item in ("-o", str(directory / name))] + list(more)


def test_each_report_is_the_one_a_run_of_its_own_writes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["scan", *INPUTS, "--no-cache", *several(tmp_path, "-o", "-")])
    out, err = capsys.readouterr()
    assert code == 1, err
    alone = tmp_path / "alone"
    alone.mkdir()
    for name, fmt in REPORTS.items():
        assert main(["scan", *INPUTS, "--no-cache", "--format", fmt, "-o", str(alone / name)]) == code
        assert (tmp_path / name).read_bytes() == (alone / name).read_bytes(), name
    assert main(["scan", *INPUTS, "--no-cache"]) == code
    assert capsys.readouterr() == (out, err)  # the table on standard output, and the messages


def test_a_later_run_replays_every_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    args = ["scan", *INPUTS, "--cache-dir", str(tmp_path / "cache"), *several(reports)]
    assert main(args) == 1
    first = {name: (reports / name).read_bytes() for name in REPORTS}
    said = capsys.readouterr()
    hits: list[bool] = []
    hit = replay.Replay.hit

    def noted(self: replay.Replay) -> bool:
        hits.append(hit(self))
        return hits[-1]

    monkeypatch.setattr(replay.Replay, "hit", noted)
    for name in REPORTS:
        (reports / name).unlink()
    assert main(args) == 1
    assert hits == [True]
    assert {name: (reports / name).read_bytes() for name in REPORTS} == first
    assert capsys.readouterr() == said
    # One report more is another run: audited, not a replay of the others.
    assert main([*args, "-o", str(reports / "more.graphml")]) == 1
    assert hits == [True, False]
    assert {name: (reports / name).read_bytes() for name in REPORTS} == first


def test_only_the_table_on_a_terminal_is_fitted_to_it(tmp_path: Path) -> None:
    table = tmp_path / "table.txt"
    command = [sys.executable, "-m", "auditor", "scan", *INPUTS, "--no-cache"]
    fitted = on_terminal([*command, "-o", "-", "-o", str(table)], columns=60)
    assert fitted == on_terminal(command, columns=60)
    assert max(len(line) for line in fitted.splitlines()) <= 60
    whole = tmp_path / "whole.txt"
    on_terminal([*command, "-o", str(whole)], columns=60)
    assert table.read_bytes() == whole.read_bytes()
    assert max(len(line) for line in table.read_text().splitlines()) > 60


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--format", "json", "-o", "a.json", "-o", "b.sarif"], "--format json with 2 -o files"),
        (["-o", "a.json", "-o", "./a.json"], "-o a.json and -o ./a.json are one file"),
        (["-o", "-", "-o", "a.json", "-o", "-"], "-o - is given twice"),
        (["-o", "a.json", "-o", "b.csv"], "-o b.csv: the extension names no format"),
        (["--focus", "xapi-core", "-o", "a.json", "-o", "b.sarif"], "only the graph formats"),
        (["--purl-namespace", "xcp-ng", "-o", "a.json", "-o", "b.sarif"], "only the SBOM formats"),
        (["--sarif-max-results", "3", "-o", "a.json", "-o", "b.xml"], "only --format sarif"),
        # before the audit, so that no report is written when one of them cannot be
        (["-o", "a.json", "-o", "gone/b.sarif"], "cannot write gone/b.sarif: No such file or directory"),
        (["-o", "a.json", "-o", "a.json/b.sarif"], "cannot write a.json/b.sarif: No such file or directory"),
        (["-o", "a.json", "-o", "."], "cannot write .: is a directory"),
    ],
)
def test_reports_that_cannot_all_be_written_are_a_usage_error(
    args: list[str],
    said: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", *INPUTS, "--no-cache", *args]) == 2
    assert said in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_an_option_of_one_format_applies_to_its_report_among_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    focused = ["--focus", "xapi-core", "--purl-namespace", "xcp-ng", "--sarif-max-results", "2"]
    names = ["chains.dot", "release.cdx.json", "report.sarif", "report.json"]
    outputs = [item for name in names for item in ("-o", str(tmp_path / name))]
    assert main(["scan", *INPUTS, "--no-cache", *focused, *outputs]) == 1
    for name, only in zip(names[:3], [focused[:2], focused[2:4], focused[4:]], strict=True):
        alone = tmp_path / f"alone-{name}"
        assert main(["scan", *INPUTS, "--no-cache", *only, "-o", str(alone)]) == 1
        assert (tmp_path / name).read_bytes() == alone.read_bytes(), name
    assert main(["scan", *INPUTS, "--no-cache", "-o", str(tmp_path / "alone.json")]) == 1
    assert (tmp_path / "report.json").read_bytes() == (tmp_path / "alone.json").read_bytes()


@pytest.mark.parametrize("command", ["check", "plan"])
def test_a_command_that_writes_one_report_refuses_a_second_file(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = {
        "check": [str(EXAMPLE / "specs" / "sm.spec"), "--against", *INPUTS],
        "plan": INPUTS,
    }[command]
    two = ["-o", str(tmp_path / "a.json"), "-o", str(tmp_path / "b.json")]
    assert main([command, *args, "--no-cache", *two]) == 2
    assert "-o is given 2 times: this command writes one report" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
