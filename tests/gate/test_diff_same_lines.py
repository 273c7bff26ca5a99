"""``auditor diff`` prints the same lines whether each release is given as its inputs or as the
JSON report its scan wrote: red team 48 found the facts read from a report keeping the first
hop of a taint's chain (``: needs sm-2.30.8-1.xcpng.noarch (for sm = ...)``) and where an origin
finding was inherited from (``(from sm-2.30.8-1.xcpng.src)``), and the same facts from an audit
without them. The releases are the shipped example (RPMs built by rpmbuild, repodata by
createrepo_c): the earlier one its binary repository alone, the later one with its source
packages, whose Citrix Source URLs make new facts of both kinds."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"


def _releases(top: Path) -> tuple[Path, Path]:
    old, new = top / "old", top / "new"
    shutil.copytree(EXAMPLE / "repo", old / "repo")
    shutil.copytree(EXAMPLE / "repo", new / "repo")
    shutil.copytree(EXAMPLE / "srpms", new / "srpms")
    return old, new


def _report(release: Path) -> str:
    report = release.parent / f"{release.name}.json"
    assert main(["scan", str(release), "--no-cache", "-q", "--no-baseline", "-o", str(report)]) == 1
    return str(report)


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_a_diff_of_reports_prints_the_lines_of_a_diff_of_audits(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = _releases(tmp_path)
    reports = [_report(old), _report(new)]
    capsys.readouterr()
    printed = []
    for sides in ([str(old), str(new)], reports, [reports[0], str(new)], [str(old), reports[1]]):
        options = [] if fmt == "table" else ["--format", fmt]
        assert main(["diff", *sides, "--no-cache", "-q", *options]) == 0
        printed.append(capsys.readouterr().out)
    assert printed[1:] == printed[:1] * 3
    # The lines are the reports' own: the first hop of a taint, an origin finding's source package.
    assert ": needs " in printed[0] and "(from sm-2.30.8-1.xcpng.src)" in printed[0]
