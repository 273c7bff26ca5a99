"""``auditor diff`` names a package whose NEVRA another audited package has (a vendor's build and
a rebuild of one N-V-R, each in its own repository) as its row in ``scan`` names it, with its
input: red team 48 found "fw-1.0-1.noarch: clean -> depends" under "Packages that got worse",
which read as the verdict on the vendor's copy too. Each copy is also compared with its own
earlier self, not both with the first of that NEVRA. The packages are built by rpmbuild, the
repositories by createrepo_c."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository
from tests.paths import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "report-v2.schema.json").read_text())


def _release(top: Path, side: str, rebuild_needs_cx: bool) -> Path:
    """``top``/``side``: the vendor's repository (its Citrix fw and cx) and the rebuild's (a clean
    fw of the same NEVRA, needing cx's libcx when ``rebuild_needs_cx``), binaries only."""
    release = top / side
    rebuild: dict[str, Any] = {"name": "fw", **({"requires": ["libcx"]} if rebuild_needs_cx else {})}
    vendor: list[dict[str, Any]] = [{"name": "fw", **CITRIX}, {"name": "cx", "provides": ["libcx"], **CITRIX}]
    for name, packages in (("xs", vendor), ("ng", [rebuild])):
        built = build_repository(packages, top / "build" / f"{side}-{name}")
        shutil.copytree(built, release / name)
    return release


def _diffs(old: Path, new: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    """The JSON of `diff` of the two releases given as directories, as reports and mixed."""
    reports = []
    for release in (old, new):
        report = release.parent / f"{release.name}.json"
        assert main(["scan", str(release), "--no-cache", "-q", "--no-baseline", "-o", str(report)]) == 1
        document = json.loads(report.read_text())
        jsonschema.validate(document, SCHEMA)  # its `label` too
        assert {item.get("label") for item in document["packages"] if item["name"] == "fw"} == {
            f"fw-1.0-1.noarch ({release / name})" for name in ("xs", "ng")
        }
        reports.append(str(report))
    documents = []
    for sides in ([str(old), str(new)], reports, [reports[0], str(new)], [str(old), reports[1]]):
        capsys.readouterr()
        assert main(["diff", *sides, "--no-cache", "-q", "--format", "json"]) == 0
        documents.append(json.loads(capsys.readouterr().out))
    return documents


def _pairs(document: dict[str, Any], which: str) -> list[tuple[str, str, str]]:
    return [(pair["new"]["label"], pair["old"]["status"], pair["new"]["status"]) for pair in document[which]]


def test_the_rebuild_that_got_worse_is_named_with_its_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = _release(tmp_path, "old", rebuild_needs_cx=False)
    new = _release(tmp_path, "new", rebuild_needs_cx=True)
    for document in _diffs(old, new, capsys):
        assert _pairs(document, "worse") == [(f"fw-1.0-1.noarch ({new / 'ng'})", "clean", "depends")]
    assert main(["diff", str(old), str(new), "--no-cache", "-q"]) == 0
    assert f"  fw-1.0-1.noarch ({new / 'ng'}): clean -> depends\n" in capsys.readouterr().out


def test_the_rebuild_that_got_better_is_compared_with_its_own_earlier_self(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rebuild stops needing cx: it went from depends to clean. Compared with the vendor's
    copy, listed first, it read "origin -> clean"."""
    old = _release(tmp_path, "old", rebuild_needs_cx=True)
    new = _release(tmp_path, "new", rebuild_needs_cx=False)
    for document in _diffs(old, new, capsys):
        assert _pairs(document, "better") == [(f"fw-1.0-1.noarch ({new / 'ng'})", "depends", "clean")]
        assert document["worse"] == []
