"""A package's status is the one every output shows, whatever ``--fail-on`` leaves out.

The status shown is the worst one among a package's blocking facts (a displayed status never
hides a blocking fact). Under ``--fail-on may-depend``, the example's ``xapi-core`` (depends
on Citrix xcp-python-libs, may-depend on emu-manager) is shown ``may-depend`` by `scan`. `check`
and `diff` compared the analysis's own worst status (``depends``) instead: `check` called the
new package ``depends`` beside a why that spoke of may-depend, and `diff` of a JSON report
with the same audit reported statuses moving (``depends 1 -> 3``) when nothing had changed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
NEW = ("xapi-core", "xenopsd")
"""The binaries a contributor adds to a repository holding the rest of the example."""


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main(args)
    return code, json.loads(capsys.readouterr().out)


def _split(tmp_path: Path) -> tuple[Path, Path, Path]:
    """BASE (the example without NEW), NEW, and ALL (both in one directory): RPM files only."""
    base, new, whole = tmp_path / "base", tmp_path / "new", tmp_path / "all"
    for directory in (base, new, whole):
        directory.mkdir()
    for rpm in [
        *(EXAMPLE / "repo" / "Packages").glob("*.rpm"),
        *(EXAMPLE / "srpms" / "Packages").glob("*.rpm"),
    ]:
        is_new = rpm.name.endswith(".noarch.rpm") and rpm.name.rsplit("-", 2)[0] in NEW
        shutil.copy(rpm, new if is_new else base)
        shutil.copy(rpm, whole)
    return base, new, whole


@pytest.mark.parametrize("fail_on", ["may-depend", "origin,depends,build-depends,unresolved"])
def test_check_and_diff_show_the_status_scan_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fail_on: str
) -> None:
    base, new, whole = _split(tmp_path)
    report = tmp_path / "report.json"
    code, _ = _run(["scan", "-q", "--fail-on", fail_on, str(whole), "--format", "json"], capsys)
    assert main(["scan", "-q", "--fail-on", fail_on, str(whole), "-o", str(report)]) == code == 1
    capsys.readouterr()
    scanned = json.loads(report.read_text())
    status = {package["nevra"]: package["status"] for package in scanned["packages"]}
    assert status["xapi-core-1.249.0-1.xcpng.noarch"] == (
        "may-depend" if fail_on == "may-depend" else "depends"
    )

    _, checked = _run(
        ["check", "-q", "--fail-on", fail_on, str(new), "--against", str(base), "--format", "json"], capsys
    )
    assert {item["nevra"]: item["after"] for item in checked["new"]} == {
        nevra: status[nevra] for nevra in (item["nevra"] for item in checked["new"])
    }

    # The report and the audit it was written from are the same release: nothing moves.
    _, compared = _run(["diff", "--fail-on", fail_on, str(report), str(whole), "--format", "json"], capsys)
    assert compared["statuses"]["old"] == compared["statuses"]["new"] == scanned["summary"]["statuses"]
    assert compared["worse"] == compared["better"] == []


@pytest.mark.parametrize(
    "written_with",
    [["--baseline", "{baseline}"], ["--fail-on", "origin"], ["--fail-on", "none", "--strict"]],
    ids=["under-a-baseline", "narrower-fail-on", "fail-on-none-strict"],
)
def test_diff_rules_a_report_with_the_gate_it_audits_with_not_the_one_it_was_written_under(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], written_with: list[str]
) -> None:
    """A report written under a baseline (`scan` reads ./.auditor-baseline.json by itself) or
    another --fail-on, diffed with the very audit it was written from: `diff` applies no baseline
    and its own --fail-on to the audited side, and took the report's blocks as written, so the
    same release read "blocking facts (per package) 0 -> 51" and statuses moved."""
    _, _, whole = _split(tmp_path)
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "-q", str(whole), "--baseline", str(baseline)]) == 0
    report = tmp_path / "report.json"
    args = [arg.format(baseline=baseline) for arg in written_with]
    main(["scan", "-q", *args, str(whole), "-o", str(report)])
    capsys.readouterr()
    _, plain = _run(["scan", "-q", "--no-baseline", str(whole), "--format", "json"], capsys)

    _, compared = _run(["diff", str(report), str(whole), "--format", "json"], capsys)
    assert compared["blocking"]["old"] == compared["blocking"]["new"] == plain["summary"]["blocking_facts"]
    assert compared["statuses"]["old"] == compared["statuses"]["new"] == plain["summary"]["statuses"]
    assert compared["worse"] == compared["better"] == compared["facts"] == []
