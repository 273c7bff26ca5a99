"""``auditor diff`` lists as worse every package of the later release that holds a new fact, each
version a repository keeps of a name (and each copy of one NEVRA), as ``check`` does: it compared
the newest of each name and arch alone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main


def _spec(directory: Path, name: str, version: str, *lines: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    preamble = "".join(f"{line}\n" for line in lines)
    (directory / f"{name}-{version}.spec").write_text(
        f"Name: {name}\nVersion: {version}\nRelease: 1\nSummary: s\nLicense: MIT\n{preamble}"
        "BuildArch: noarch\nAutoReq: no\n%description\nd\n%files\n"
    )


def _release(directory: Path, app_1_needs_cx: bool) -> Path:
    _spec(directory, "cx", "1.0", "Vendor: Citrix Systems, Inc.", "Provides: libcx")
    _spec(directory, "app", "1.0", *(["Requires: libcx"] if app_1_needs_cx else []))
    _spec(directory, "app", "2.0")
    return directory


def test_an_older_version_that_comes_to_need_an_origin_package_got_worse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both releases keep app-1.0 beside app-2.0; in the later one app-1.0 comes to need Citrix's
    cx. The diff said "facts that block now and did not before: 1" and listed the new blocking
    taint of app, but no package that got worse: only the newest app (2.0, clean) was compared."""
    old = _release(tmp_path / "old", app_1_needs_cx=False)
    new = _release(tmp_path / "new", app_1_needs_cx=True)
    args = ["diff", str(old), str(new), "--no-cache", "-q"]
    assert main([*args, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(f["package"], f["kind"], f["change"]) for f in document["facts"]] == [("app", "depends", "new")]
    assert [
        (pair["old"]["nevra"], pair["new"]["nevra"], pair["new"]["status"]) for pair in document["worse"]
    ] == [("app-1.0-1.noarch", "app-1.0-1.noarch", "depends")]
    assert document["better"] == []
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "Packages that got worse" in text and "  app-1.0-1.noarch (spec): clean -> depends" in text, text


def test_an_older_version_that_no_longer_needs_an_origin_package_got_better(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same releases the other way round: app-1.0's taint is fixed, and the diff listed it
    under "Fixed facts" with no package that got better."""
    old = _release(tmp_path / "old", app_1_needs_cx=True)
    new = _release(tmp_path / "new", app_1_needs_cx=False)
    assert main(["diff", str(old), str(new), "--no-cache", "-q", "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [(f["package"], f["kind"], f["change"]) for f in document["facts"]] == [
        ("app", "depends", "fixed")
    ]
    assert [
        (pair["new"]["nevra"], pair["old"]["status"], pair["new"]["status"]) for pair in document["better"]
    ] == [("app-1.0-1.noarch", "depends", "clean")]
    assert document["worse"] == []
