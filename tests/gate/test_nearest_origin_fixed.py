"""Fixing the nearest origin package of a taint is progress, not a regression (readme59).

BASE: ``app`` needs Citrix ``xlib`` and the clean ``mid``, which needs Citrix ``ylib``. app's
taint names the nearest origin package, xlib, and reaches xlib and ylib. The change rebuilds
xlib clean: app still depends on Citrix, through ylib, which its taint reached before. Its
fingerprint names ylib now, and ``check`` said "this change makes things worse" (exit 1),
``diff`` listed app among the packages that got worse, and the baseline written on BASE (its
entry recording ``reaches: [xlib, ylib]``) blocked the release as a new finding: the team fixing
Citrix packages one at a time was told each fix made things worse. A taint of the same package,
kind and category whose whole reach lies in what the earlier one reached is that taint, named
by another origin package; one reaching an origin package the earlier did not is new still.
Real packages (rpmbuild) in real repositories (createrepo_c).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

XLIB = {"name": "xlib", "provides": ["x"], **CITRIX}
XLIB_CLEAN = {"name": "xlib", "evr": "2.0-1", "provides": ["x"]}
OTHERS: list[dict[str, Any]] = [
    {"name": "ylib", "provides": ["y"], **CITRIX},
    {"name": "mid", "requires": ["y"]},
    {"name": "app", "requires": ["x", "mid"]},
]
NARROW_APP = {"name": "app", "requires": ["x"]}
"""An app that needs xlib alone: its taint reached xlib only."""
MOVED_APP = {"name": "app", "evr": "2.0-1", "requires": ["y"]}
"""app-2 drops xlib, which stays Citrix's, for Citrix ylib, which app-1 reached through mid."""


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each the binary repository, its source packages in ../SRPMS."""
    top = tmp_path_factory.mktemp("nearest")
    rest = [package for package in OTHERS if package["name"] != "app"]
    return {
        "base": build_repository([XLIB, *OTHERS], top / "base"),
        "change": build_repository([XLIB_CLEAN], top / "change"),
        "fixed": build_repository([XLIB_CLEAN, *OTHERS], top / "fixed"),
        "narrow": build_repository([XLIB, *rest, NARROW_APP], top / "narrow"),
        "moved": build_repository([MOVED_APP], top / "moved"),
        "moved-release": build_repository([XLIB, *rest, MOVED_APP], top / "moved-release"),
    }


def sides(repo: Path) -> list[str]:
    return [str(repo), str(repo.parent / "SRPMS")]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().out


def test_check_of_a_fixed_origin_package_is_progress(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["check", *sides(repos["change"]), "--against", *sides(repos["base"]), "-q", "--format", "json"]
    code, out = run(args, capsys)
    document = json.loads(out)
    assert document["regressions"] == []
    assert document["headline"] == "nothing gets worse"
    assert code == 0


def test_diff_calls_the_taint_unchanged_not_new(
    repos: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(["diff", str(repos["base"]), str(repos["fixed"]), "--format", "json"], capsys)
    assert code == 0
    document = json.loads(out)
    changes = {(item["package"], item["change"], item["capability"]) for item in document["facts"]}
    assert not [item for item in document["facts"] if item["change"] == "new"]
    # app still depends on Citrix: its taint is neither fixed nor gone.
    assert ("app", "fixed", "citrix:xlib") not in changes
    assert ("xlib", "fixed", "vendor:citrix") in changes
    assert [pair["new"]["nevra"] for pair in document["worse"]] == []


def test_the_baseline_written_before_the_fix_accepts_the_taint_it_reached(
    repos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(repos["base"]), "-q"]) == 0
    entries = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    [app] = [entry for entry in entries if entry["package"] == "app"]
    assert (app["capability"], app["reaches"]) == ("citrix:xlib", ["xlib", "ylib"])
    capsys.readouterr()
    code, out = run(["scan", *sides(repos["fixed"]), "--format", "json"], capsys)
    document = json.loads(out)
    [taint] = [
        fact
        for package in document["packages"]
        if package["nevra"] == "app-1.0-1.noarch"
        for fact in package["facts"]
        if fact["kind"] == "depends"
    ]
    assert (taint["capability"], taint["disposition"]) == ("citrix:ylib", "baselined")
    assert code == 0
    # `auditor baseline` again, without --rewrite: the entry is kept as today's fact states it.
    assert main(["baseline", *sides(repos["fixed"]), "-q"]) == 0
    entries = json.loads((tmp_path / ".auditor-baseline.json").read_text())["entries"]
    [app] = [entry for entry in entries if entry["package"] == "app"]
    assert (app["capability"], app["reaches"]) == ("citrix:ylib", ["ylib"])
    assert main(["scan", *sides(repos["fixed"]), "-q"]) == 0


def test_a_taint_reaching_an_origin_package_the_earlier_did_not_is_new_still(
    repos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``narrow``'s app needed xlib alone; with xlib fixed, app needing ylib through mid is news."""
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(repos["narrow"]), "-q"]) == 0
    assert main(["scan", *sides(repos["fixed"]), "-q"]) == 1
    capsys.readouterr()
    code, out = run(["diff", str(repos["narrow"]), str(repos["fixed"]), "--format", "json"], capsys)
    assert code == 0
    new = [
        (item["package"], item["capability"]) for item in json.loads(out)["facts"] if item["change"] == "new"
    ]
    assert ("app", "citrix:ylib") in new


def test_a_taint_whose_earlier_end_is_still_an_origin_package_is_new_still(
    repos: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A reach counts every alternative: app-1 reaching ylib says nothing of whether it needed it
    surely, so app-2 needing ylib directly while xlib, where app-1's taint ended, is still Citrix's
    is news, as before: only the nearest origin package rebuilt clean lets the next one name the
    same taint."""
    args = ["check", *sides(repos["moved"]), "--against", *sides(repos["base"]), "-q", "--format", "json"]
    code, out = run(args, capsys)
    regressions = [(item["package"], item["capability"]) for item in json.loads(out)["regressions"]]
    assert (code, regressions) == (1, [("app", "citrix:ylib")])
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", *sides(repos["base"]), "-q"]) == 0
    assert main(["scan", *sides(repos["moved-release"]), "-q"]) == 1


XLIB_SPEC = """Name: xlib
Version: 2.0
Release: 1
Summary: x
License: MIT
BuildArch: noarch
Provides: x
Source0: https://example.org/xlib-2.0.tar.gz
%description
x
%install
mkdir -p %{buildroot}%{_datadir}/xlib
echo 2.0 > %{buildroot}%{_datadir}/xlib/VERSION
%files
%{_datadir}/xlib
"""


def test_a_contributor_checking_the_clean_spec_is_told_it_is_progress(
    repos: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A spec read for `check` always has gaps of what its built files would add
    (automatic-provides, automatic-requires): they hide what it provides and needs, never its own
    origin evidence, and read as unseen evidence they kept a clean rebuild from being cured."""
    spec = tmp_path / "xlib.spec"
    spec.write_text(XLIB_SPEC)
    args = ["check", str(spec), "--against", *sides(repos["base"]), "-q", "--format", "json"]
    code, out = run(args, capsys)
    document = json.loads(out)
    assert document["headline"] == "nothing gets worse, but the audit is incomplete: 1 automatic-requires"
    assert (code, document["regressions"]) == (0, [])


def test_a_rebuild_whose_own_evidence_is_unseen_is_not_cured(
    repos: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Source the reader cannot expand may still be Citrix's: that spec's xlib is not rebuilt clean."""
    spec = tmp_path / "xlib.spec"
    spec.write_text(XLIB_SPEC.replace("https://example.org/", "%{lua: print('https://example.org/')}"))
    args = ["check", str(spec), "--against", *sides(repos["base"]), "-q", "--format", "json"]
    code, out = run(args, capsys)
    regressions = [(item["package"], item["capability"]) for item in json.loads(out)["regressions"]]
    assert (code, regressions) == (1, [("app", "citrix:ylib")])
