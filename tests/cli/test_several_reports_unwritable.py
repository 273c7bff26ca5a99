"""A report file that cannot be written is refused before the audit, whatever makes it so:
with several ``-o``, the ones before it were written, the audit paid, and the one that could
not be written kept what an earlier run had left (a SARIF upload that runs whatever the exit
code then published yesterday's findings). What only writing finds (a full disk, ``/dev/full``)
fails the run (exit 2) with none of the report files put in place: a JSON report already
renamed into place said ``"exit_code": 1`` of a run that exited 2. The inputs are the shipped
example: RPMs built by rpmbuild, repodata by createrepo_c.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.cli.test_report_file import scan_to_full_stdout
from tests.paths import ROOT
from tests.unprivileged import auditor_without_override

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
INPUTS = [str(EXAMPLE / "repo"), str(EXAMPLE / "srpms")]


def test_a_report_in_a_directory_the_user_cannot_write_is_refused_though_it_exists(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    earlier = locked / "report.sarif"
    earlier.write_text("an earlier run's\n")
    locked.chmod(0o555)
    first = tmp_path / "report.json"
    done = auditor_without_override("scan", *INPUTS, "--no-cache", "-o", str(first), "-o", str(earlier))
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"auditor: error: cannot write {earlier}: Permission denied\n"
    assert not first.exists()
    assert earlier.read_text() == "an earlier run's\n"


@pytest.mark.parametrize("name", ["", "new/"])
def test_a_name_no_file_can_have_is_refused_before_any_report_is_written(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["scan", *INPUTS, "--no-cache", "-o", "a.json", "-o", name]) == 2
    assert capsys.readouterr().err == f"auditor: error: cannot write {name}: No such file or directory\n"
    assert os.listdir(tmp_path) == []


def test_a_report_that_fails_while_written_puts_none_of_the_others_in_place(tmp_path: Path) -> None:
    earlier = tmp_path / "b.sarif"
    earlier.write_text("an earlier run's\n")
    first = tmp_path / "a.json"
    done = auditor_without_override(
        "scan", *INPUTS, "--no-cache", "-o", str(first), "-o", str(earlier), "-o", "/dev/full"
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == "auditor: error: cannot write /dev/full: No space left on device\n"
    assert sorted(os.listdir(tmp_path)) == ["b.sarif"]  # no temporary file left either
    assert earlier.read_text() == "an earlier run's\n"


def test_a_replayed_report_that_fails_while_written_puts_none_in_place(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = auditor_without_override(
        "scan", *INPUTS, *cache, "-o", str(reports / "a.json"), "-o", "/dev/null"
    )
    assert first.returncode == 1, first.stderr
    (reports / "a.json").unlink()
    again = auditor_without_override(
        "scan", *INPUTS, *cache, "-o", str(reports / "a.json"), "-o", "/dev/full"
    )
    assert again.returncode == 2, again.stderr
    assert again.stderr.endswith("auditor: error: cannot write /dev/full: No space left on device\n")
    assert os.listdir(reports) == []


def test_standard_output_that_fails_puts_no_report_file_in_place(tmp_path: Path) -> None:
    report = tmp_path / "a.json"
    scan_to_full_stdout(*INPUTS, "--no-cache", "-o", str(report), "-o", "-")
    assert os.listdir(tmp_path) == []
