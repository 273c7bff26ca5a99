"""Red team 49 of one verdict: outputs of one run that disagreed, read back with real parsers
from runs of the CLI on real inputs (spec files the auditor reads without running them, RPMs
built by rpmbuild in repositories createrepo_c made)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository
from tests.reports.test_verdict_redteam import _scan, _spec_of


def test_a_skipped_junit_case_says_what_the_waiver_accepted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package whose one fact is evidence not seen, accepted by a waiver: the table, the
    Markdown and the JSON name the gap the waiver accepted, but its JUnit case was skipped with
    the message ``clean, waived by gaps: `` and nothing else (a failing case holds its facts, a
    passing one its output): the CI page did not say what was waived."""
    _spec_of(tmp_path / "in", "fine")
    waivers = tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nid = "gaps"\npackage = "*"\nrule = "gap:*"\nreason = "r"\nowner = "o"\n'
        "expires = 2999-01-01\n"
    )
    code, junit = _scan(
        [str(tmp_path / "in"), "--strict", "--waivers", str(waivers), "--format", "junit"], capsys
    )
    assert code == 0
    cases = {case.get("name"): case for case in ET.fromstring(junit).iter("testcase")}
    skipped = cases["fine-1.0-1.noarch (spec)"].find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "clean, waived by gaps"
    assert (
        skipped.text is not None
        and skipped.text.startswith("not seen: ")
        and "[waived by gaps" in skipped.text
    )


def test_check_compares_a_rebuild_with_its_own_copy_of_a_shared_nevra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE holds the vendor's fw-1.0-1 (Citrix) and a clean rebuild of that NEVRA, each in its own
    repository; the change is the rebuild made to need Citrix cx. It was compared with whichever
    copy of BASE came first by the inputs' paths: "origin -> depends" with the vendor's repository
    in ``a-vendor/``, "clean -> depends" in ``xs/``, and ``compared_with`` named the bare NEVRA."""
    vendor: list[dict[str, Any]] = [{"name": "fw", **CITRIX}, {"name": "cx", "provides": ["libcx"], **CITRIX}]
    base = [
        build_repository(vendor, tmp_path / "a-vendor"),
        build_repository([{"name": "fw"}], tmp_path / "ng"),
    ]
    change = build_repository([{"name": "fw", "requires": ["libcx"]}], tmp_path / "change" / "ng")
    code = main(["check", str(change), "--against", *map(str, base), "--no-cache", "-q", "--format", "json"])
    assert code == 1
    new = {item["nevra"]: item for item in json.loads(capsys.readouterr().out)["new"]}
    binary = new["fw-1.0-1.noarch"]
    assert (binary["before"], binary["after"]) == ("clean", "depends")
    assert binary["compared_with"] == f"fw-1.0-1.noarch ({base[1]})"


def test_check_says_which_copy_of_a_shared_nevra_got_better(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE holds the vendor's fw-1.0-1 (Citrix) and a rebuild of it needing Citrix cx; the change
    is a clean cx. The rebuild got better, "depends -> clean", but was compared with the vendor's
    copy, first by its path: "origin -> clean", which the vendor's fw, still Citrix's, is not."""
    vendor: list[dict[str, Any]] = [{"name": "fw", **CITRIX}, {"name": "cx", "provides": ["libcx"], **CITRIX}]
    rebuild: list[dict[str, Any]] = [{"name": "fw", "requires": ["libcx"]}]
    base = [build_repository(vendor, tmp_path / "a-vendor"), build_repository(rebuild, tmp_path / "ng")]
    change = build_repository([{"name": "cx", "provides": ["libcx"]}], tmp_path / "change")
    code = main(["check", str(change), "--against", *map(str, base), "--no-cache", "-q", "--format", "json"])
    assert code == 0
    better = json.loads(capsys.readouterr().out)["better"]
    assert [(item["nevra"], item["before"], item["after"]) for item in better] == [
        ("fw-1.0-1.noarch", "depends", "clean")
    ]


def test_check_compares_a_spec_with_the_spec_of_base_not_the_rpm_of_its_nevra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE is a packaging tree (the vendor's spec of fw-1.0-1) beside a repository holding a clean
    build of that NEVRA; the change edits the spec. Its binary and its source package were each
    compared with whichever BASE copy sorted first by path, the RPM's ("clean -> unresolved"),
    not with the spec it edits."""
    built = build_repository([{"name": "fw"}], tmp_path / "a-built")
    _spec_of(tmp_path / "specs", "fw", "Vendor: Citrix Systems, Inc.")
    _spec_of(tmp_path / "change", "fw", "Requires: nothing-provides-this")
    args = [
        str(tmp_path / "change" / "fw.spec"),
        "--against",
        str(built),
        str(tmp_path / "specs" / "fw.spec"),
    ]
    assert main(["check", *args, "--no-cache", "-q", "--format", "json"]) == 1
    new = {item["nevra"]: item for item in json.loads(capsys.readouterr().out)["new"]}
    assert (new["fw-1.0-1.noarch"]["before"], new["fw-1.0-1.noarch"]["compared_with"]) == (
        "origin",
        "fw-1.0-1.noarch (spec)",
    )
    assert (new["fw-1.0-1.src"]["before"], new["fw-1.0-1.src"]["compared_with"]) == (
        "origin",
        "fw-1.0-1.src (spec)",
    )
