"""`auditor check` of a change that makes every package of a long Requires chain worse.

Each package the report names is found among the rows of the audit with the change by its
name (`auditor.reports.check_sides.ChangedRecord.by_name`), which looked at every row for each:
25,000 packages made worse took 185 s (scale63). The rows are now indexed by name once: the
report is the same, and each row's package is looked at a bounded number of times."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from auditor.reports import rows
from benchmarks.generators.rpmmd import Fragments, write_repository

COUNT = 300
"""Packages of the chain p0 -> p1 -> ... -> p298, and a Citrix package cx nothing requires."""


def _package(name: str, requires: str | None, citrix: bool = False) -> Fragments:
    pkgid = hashlib.sha256(name.encode()).hexdigest()
    vendor, url = (
        ("Citrix Systems, Inc.", "https://www.citrix.com/x") if citrix else ("v", "https://example.org/")
    )
    requirement = f'    <rpm:requires>\n      <rpm:entry name="{requires}"/>\n    </rpm:requires>\n'
    head = f'<package pkgid="{pkgid}" name="{name}" arch="noarch">\n  <version epoch="0" ver="1" rel="1"/>\n'
    primary = (
        f'<package type="rpm">\n  <name>{name}</name>\n  <arch>noarch</arch>\n'
        f'  <version epoch="0" ver="1" rel="1"/>\n  <checksum type="sha256" pkgid="YES">{pkgid}</checksum>\n'
        f"  <summary>s</summary>\n  <description>d</description>\n  <packager>p</packager>\n  <url>{url}</url>\n"
        f'  <time file="1" build="1"/>\n  <size package="1" installed="1" archive="1"/>\n'
        f'  <location href="{name}-1-1.noarch.rpm"/>\n  <format>\n    <rpm:license>MIT</rpm:license>\n'
        f"    <rpm:vendor>{vendor}</rpm:vendor>\n    <rpm:sourcerpm>{name}-1-1.src.rpm</rpm:sourcerpm>\n"
        f'    <rpm:provides>\n      <rpm:entry name="{name}"/>\n    </rpm:provides>\n'
        f"{requirement if requires else ''}  </format>\n</package>\n"
    )
    return Fragments(primary, head + "</package>\n", head + "</package>\n")


def _base(directory: Path) -> Path:
    last = COUNT - 2
    packages = [_package(f"p{i}", f"p{i + 1}" if i < last else None) for i in range(last + 1)]
    write_repository(str(directory), iter([*packages, _package("cx", None, citrix=True)]), COUNT)
    return directory


def test_a_change_making_a_long_chain_worse_names_each_package_once_looked_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "last.spec"
    spec.write_text(
        f"Name: p{COUNT - 2}\nVersion: 1\nRelease: 2\nSummary: s\nLicense: MIT\nURL: https://example.org/\n"
        "BuildArch: noarch\nRequires: cx\n%description\nd\n%files\n/usr/share/x\n"
    )
    looked = 0
    package = rows.PackageView.package

    def counted(self: rows.PackageView) -> Any:
        nonlocal looked
        looked += 1
        return package.fget(self)  # type: ignore[attr-defined]

    monkeypatch.setattr(rows.PackageView, "package", property(counted))
    base = _base(tmp_path / "base")
    code = main(
        ["check", str(spec), "--against", str(base), "--metadata-only", "--no-cache", "--format", "json"]
    )
    out, err = capsys.readouterr()
    assert code == 1 and "Traceback" not in err, err
    document = json.loads(out)
    worse = {item["nevra"]: item for item in document["worse"]}
    assert len(worse) == COUNT - 2  # every package of the chain but the changed one
    first = worse["p0-1-1.noarch"]
    assert (first["before"], first["after"]) == ("clean", "depends")
    assert first["why"] == f"needs p1-1-1.noarch (for p1); {COUNT - 1} hop(s) to cx-1-1.noarch"
    assert document["headline"].startswith(f"this change makes things worse: {COUNT - 1} new blocking")
    # each row's package looked at a few times, not once for each package the report names
    assert looked < 20 * COUNT, looked
