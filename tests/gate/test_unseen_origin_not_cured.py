"""An origin package whose evidence went unseen is not cured: no other taint names its taint
(red team 59).

``app`` needs Citrix ``xlib``, and Citrix ``ylib`` through ``mid``; its taint names xlib and
reaches both. app-2 drops xlib for a requirement on ylib while xlib stays Citrix's: news, which
the release gate blocks (`test_nearest_origin_fixed`). Audited without xlib's source package,
which holds its Citrix evidence (a Source on code.citrite.net), xlib showed clean with a gap
that does not block, and counted as rebuilt clean: app-2's taint was app's, named by another
origin package it reached, the baseline accepted it, the gate passed and ``diff`` no longer
listed app as worse. Evidence not seen is not cured. Real packages: rpmbuild builds them.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository
from tests.rpmbuild import build_noarch


def spec(name: str, version: str = "1", requires: tuple[str, ...] = (), *, citrix: bool = False) -> str:
    lines = [
        f"Name: {name}",
        f"Version: {version}",
        "Release: 1",
        "Summary: s",
        "License: MIT",
        "BuildArch: noarch",
    ]
    if citrix:
        lines.append(f"Source0: https://code.citrite.net/{name}-{version}.tar.gz")
    lines += [f"Requires: {required}" for required in requires]
    return "\n".join([*lines, "%description", "d", "%files", ""])


PACKAGES = {
    "xlib": spec("xlib", citrix=True),
    "ylib": spec("ylib", citrix=True),
    "mid": spec("mid", requires=("ylib",)),
    "app": spec("app", requires=("xlib", "mid")),
    "app-2": spec("app", "2", requires=("ylib",)),
}


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """old: app-1, its source packages all there; seen: app-2 instead; unseen: the same but
    xlib's source package."""
    top = tmp_path_factory.mktemp("unseen-cured")
    releases = {name: top / name for name in ("old", "seen", "unseen")}
    for directory in releases.values():
        directory.mkdir()
    for name, text in PACKAGES.items():
        path = top / f"{name}.spec"
        path.write_text(text)
        tarball = [f"{name}-1.tar.gz"] if name in ("xlib", "ylib") else []
        srpm, rpm = build_noarch(path, top / f"build-{name}", tarball)
        for release, directory in releases.items():
            if name == ("app-2" if release == "old" else "app"):
                continue
            shutil.copy(rpm, directory)
            if not (release == "unseen" and name == "xlib"):
                shutil.copy(srpm, directory)
    return releases


def test_the_gate_does_not_take_an_unseen_origin_package_for_a_cured_one(
    releases: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    baseline = tmp_path / "baseline.json"
    assert main(["baseline", "-q", "--no-cache", "--baseline", str(baseline), str(releases["old"])]) == 0
    entries = json.loads(baseline.read_text())["entries"]
    assert [entry["reaches"] for entry in entries if entry["package"] == "app"] == [["xlib", "ylib"]]
    assert main(["scan", "-q", "--no-cache", "--baseline", str(baseline), str(releases["seen"])]) == 1
    capsys.readouterr()
    code = main(
        ["scan", "--no-cache", "--baseline", str(baseline), str(releases["unseen"]), "--format", "json"]
    )
    document = json.loads(capsys.readouterr().out)
    dispositions = [
        (fact["capability"], fact["disposition"])
        for package in document["packages"]
        if package["name"] == "app"
        for fact in package["facts"]
    ]
    assert dispositions == [("citrix:ylib", "blocks")]
    assert code == 1


def test_diff_does_not_take_an_unseen_origin_package_for_a_cured_one(
    releases: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = []
    for name in ("old", "unseen"):
        report = tmp_path / f"{name}.json"
        main(
            [
                "scan",
                "-q",
                "--no-cache",
                "--no-baseline",
                str(releases[name]),
                "--format",
                "json",
                "-o",
                str(report),
            ]
        )
        reports.append(str(report))
    capsys.readouterr()
    assert main(["diff", *reports, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    new = [(item["package"], item["capability"]) for item in document["facts"] if item["change"] == "new"]
    assert ("app", "citrix:ylib") in new
    assert "app-2-1.noarch" in [pair["new"]["nevra"] for pair in document["worse"]]


def test_diff_does_not_take_an_origin_package_unseen_on_both_sides_for_a_cured_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """xlib's source package is given on neither side: a gap of both. Its binary, Citrix's by its
    Vendor, is rebuilt of the same NEVRA without one: what was not seen of it (a Source on
    code.citrite.net) may be Citrix's still, and app-2 dropping it for ylib is news, as the
    baseline reads it (never written from an audit with a gap)."""
    rest: list[dict[str, Any]] = [
        {"name": "ylib", "provides": ["y"], **CITRIX},
        {"name": "mid", "requires": ["y"]},
    ]
    releases = {
        "base": [
            {"name": "xlib", "provides": ["x"], **CITRIX},
            *rest,
            {"name": "app", "requires": ["x", "mid"]},
        ],
        "release": [
            {"name": "xlib", "provides": ["x"]},
            *rest,
            {"name": "app", "evr": "2.0-1", "requires": ["y"]},
        ],
    }
    reports = []
    for name, packages in releases.items():
        repo = build_repository(packages, tmp_path / name)
        given = tmp_path / name / "given"
        given.mkdir()
        for path in [*repo.rglob("*.rpm"), *(repo.parent / "SRPMS").glob("*.src.rpm")]:
            if not path.name.startswith("xlib-1.0-1.src"):
                shutil.copy(path, given)
        report = str(tmp_path / f"{name}.json")
        main(["scan", "-q", "--no-cache", "--no-baseline", str(given), "--format", "json", "-o", report])
        reports.append(report)
    capsys.readouterr()
    assert main(["diff", *reports, "--format", "json"]) == 0
    document = json.loads(capsys.readouterr().out)
    new = [(item["package"], item["capability"]) for item in document["facts"] if item["change"] == "new"]
    assert ("app", "citrix:ylib") in new
