"""A taint that went with its origin package's evidence is not progress (red team 36).

``cx``'s Citrix evidence is its source package's (a Source on code.citrite.net), which its
binary inherits; ``app`` requires ``cx``. Audited without cx's source package, cx shows clean
with a gap, and app's taint vanishes: the baseline called it "fixed since the baseline" and
``diff`` listed app as better, though nothing was cured and the evidence was only not seen.
Real packages: rpmbuild builds them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.rpmbuild import build_noarch

CX = """Name: cx
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Source0: https://code.citrite.net/cx-1.tar.gz
%description
d
%files
"""
APP = """Name: app
Version: 1
Release: 1
Summary: s
License: MIT
BuildArch: noarch
Requires: cx
%description
d
%files
"""


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """old: both packages and both source packages; new: the same but cx's source package."""
    top = tmp_path_factory.mktemp("unseen")
    old, new = top / "old", top / "new"
    old.mkdir()
    new.mkdir()
    for name, text in (("cx", CX), ("app", APP)):
        spec = top / f"{name}.spec"
        spec.write_text(text)
        srpm, rpm = build_noarch(spec, top / f"build-{name}", ["cx-1.tar.gz"] if name == "cx" else [])
        for built in (srpm, rpm):
            shutil.copy(built, old)
            if built != srpm or name != "cx":
                shutil.copy(built, new)
    return {"old": old, "new": new}


def test_baseline_calls_a_taint_whose_origin_package_is_no_longer_seen_gone_not_fixed(
    releases: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--baseline", str(baseline), str(releases["old"])]) == 0
    capsys.readouterr()
    assert main(["scan", "--baseline", str(baseline), str(releases["new"]), "--format", "json"]) == 0
    gate = json.loads(capsys.readouterr().out)["gate"]
    assert gate["fixed"] == []
    assert sorted(entry["package"] for entry in gate["gone"]) == ["app", "cx"]
    code = main(["scan", "--baseline", str(baseline), str(releases["new"])])
    out = capsys.readouterr().out
    assert code == 0
    assert "fixed since the baseline" not in out
    assert "gone since the baseline: app: status:depends citrix:cx" in out


def test_diff_calls_a_taint_whose_origin_package_is_no_longer_seen_gone_not_fixed(
    releases: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["diff", str(releases["old"]), str(releases["new"]), "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    app = [item for item in document["facts"] if item["package"] == "app"]
    assert [item["change"] for item in app] == ["gone"]
    assert not [pair for pair in document["better"] if pair["new"]["name"] == "app"]
