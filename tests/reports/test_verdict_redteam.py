"""Red team of one verdict: inputs for which two outputs of one audit disagreed, or for which a
row or a test case read as the verdict on another package.

Each case runs the CLI on real inputs (spec files the auditor reads without running them, RPMs
rpmbuild made), writes every format with ``-o``, reads each back with a real parser and compares.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from auditor.cli.main import main

FIRMWARE = """Name: fw
Version: 1.0
Release: 1
Summary: s
License: MIT
{vendor}BuildArch: noarch
AutoReq: no
%description
d
%files
/usr/share/fw
"""


def _write_spec(directory: Path, vendor: str = "") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "fw.spec"
    path.write_text(FIRMWARE.format(vendor=f"Vendor: {vendor}\n" if vendor else ""))
    return path


def _scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["scan", "--no-cache", *args, "-q"])
    return code, capsys.readouterr().out


def test_two_specs_of_one_nevra_are_told_apart_in_every_row_and_test_case(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two packaging trees each hold a spec of fw-1.0-1: the vendor's (Citrix Vendor) and the
    rebuild's. Both are audited, one origin, one clean; the JSON tells them apart by input, but
    the table, the Markdown and JUnit named both rows and both test cases ``fw-1.0-1.noarch
    (spec)``: a CI that keys test cases by name (GitLab, Jenkins) keeps one of a failed and a
    passed case of one name, and a reader of the table takes the clean row for the verdict on
    the vendor's spec. Copies of one NEVRA among RPMs were named with their input; a spec's row
    was not."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    inputs = [str(vendor.parent), str(rebuild.parent)]
    code, document = _scan([*inputs, "--format", "json"], capsys)
    assert code == 1
    packages = json.loads(document)["packages"]
    blocking = {(p["nevra"], p["input"]): p["blocking"] for p in packages}
    assert blocking == {
        ("fw-1.0-1.noarch", str(vendor)): True,
        ("fw-1.0-1.src", str(vendor)): True,
        ("fw-1.0-1.noarch", str(rebuild)): False,
        ("fw-1.0-1.src", str(rebuild)): False,
    }

    _, junit = _scan([*inputs, "--format", "junit"], capsys)
    cases = list(ET.fromstring(junit).iter("testcase"))
    names = [case.get("name", "") for case in cases]
    assert len(names) == len(set(names)) == 4, names
    failed = [case.get("name", "") for case in cases if case.find("failure") is not None]
    assert len(failed) == 2 and all(str(vendor) in name for name in failed), failed

    _, table = _scan(inputs, capsys)
    rows = [line for line in table.splitlines() if line.startswith("fw-1.0-1.")]
    assert len(rows) == 2, table  # the clean copies are counted, not listed
    assert all(str(vendor) in row for row in rows), rows

    _, markdown = _scan([*inputs, "--format", "markdown"], capsys)
    rows = [line for line in markdown.splitlines() if line.startswith("| `fw-1.0-1.")]
    assert len(rows) == 2 and all(str(vendor) in row for row in rows), rows


def test_check_tells_apart_two_new_packages_of_one_nevra(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A change bringing the vendor's spec of fw-1.0-1 and the rebuild's: ``check`` listed
    ``fw-1.0-1.noarch (new) -> origin`` and ``fw-1.0-1.noarch (new) -> clean`` in its table, its
    Markdown comment and its JSON, with nothing saying which file is the Citrix one, while
    ``scan`` of the same files names each row with its spec (the test above)."""
    vendor = _write_spec(tmp_path / "vendor", "Citrix Systems, Inc.")
    rebuild = _write_spec(tmp_path / "rebuild")
    base = _write_spec(tmp_path / "base").parent
    (base / "fw.spec").rename(base / "other.spec")
    (base / "other.spec").write_text((base / "other.spec").read_text().replace("Name: fw", "Name: other"))
    args = ["check", str(vendor), str(rebuild), "--against", str(base), "--no-cache", "-q"]
    assert main([*args, "--format", "json"]) == 1
    new = json.loads(capsys.readouterr().out)["new"]
    after = {(item["nevra"], item.get("input")): item["after"] for item in new}
    assert after == {
        ("fw-1.0-1.noarch", str(vendor)): "origin",
        ("fw-1.0-1.src", str(vendor)): "origin",
        ("fw-1.0-1.noarch", str(rebuild)): "clean",
        ("fw-1.0-1.src", str(rebuild)): "clean",
    }
    for fmt in ("table", "markdown"):
        assert main([*args, "--format", fmt]) == 1
        out = capsys.readouterr().out
        rows = [line for line in out.splitlines() if "-> origin" in line or "-> clean" in line]
        assert len(rows) == 4, out
        assert all(str(vendor) in row for row in rows if "-> origin" in row), rows
        assert all(str(rebuild) in row for row in rows if "-> clean" in row), rows
