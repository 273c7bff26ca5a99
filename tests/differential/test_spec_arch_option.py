"""``--arch`` reads a spec for the hosts it names, as ``rpmspec --target`` does (red team 38).

The spec reader was never told the run's architecture: a spec was read for x86_64 whatever
``--arch`` said, its x86_64 binaries were then left out as no aarch64 host's, and the Source
and BuildRequires its ``%ifarch aarch64`` branch gives were never seen: ``scan --strict --arch
aarch64`` passed clean on a spec rpmbuild builds for aarch64 from a Citrix tarball.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential.test_spec_reading import CITRIX, HEADER, rpmspec

TEXT = (
    f"{HEADER}%ifarch aarch64\nSource1: {CITRIX}/arm.tar.gz\nBuildRequires: citrix-arm-sdk\n%endif\n"
    "Requires: case-common\n%description\nd\n%package common\nSummary: c\nBuildArch: noarch\n"
    "%description common\nc\n%files\n%files common\n"
)


def _scan(tmp_path: Path, capsys: pytest.CaptureFixture[str], *arches: str) -> dict[str, dict[str, object]]:
    path = tmp_path / "case.spec"
    path.write_text(TEXT)
    options = [word for arch in arches for word in ("--arch", arch)]
    main(["scan", str(path), *options, "--format", "json", "--no-cache"])
    return {package["nevra"]: package for package in json.loads(capsys.readouterr().out)["packages"]}


def test_a_spec_is_read_for_the_arch_given(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    printed = rpmspec(tmp_path, TEXT, "--target", "aarch64", "-P")
    assert f"Source1: {CITRIX}/arm.tar.gz" in printed  # the control: rpm's aarch64 reading fetches it
    packages = _scan(tmp_path, capsys, "aarch64")
    assert set(packages) == {"case-1.0-1.src", "case-1.0-1.aarch64", "case-common-1.0-1.noarch"}
    source = packages["case-1.0-1.src"]
    assert f"{CITRIX}/arm.tar.gz" in {item["value"] for item in source["sources"]}  # type: ignore[attr-defined]
    assert source["status"] == "origin"


def test_each_arch_given_is_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With two hosts, one source package holds what either reading fetches; each binary once."""
    packages = _scan(tmp_path, capsys, "x86_64", "aarch64")
    assert set(packages) == {
        "case-1.0-1.src", "case-1.0-1.x86_64", "case-1.0-1.aarch64", "case-common-1.0-1.noarch",
    }  # fmt: skip
    source = packages["case-1.0-1.src"]
    assert f"{CITRIX}/arm.tar.gz" in {item["value"] for item in source["sources"]}  # type: ignore[attr-defined]
    unresolved = {item["requirement"] for item in source["unresolved"]}  # type: ignore[attr-defined]
    assert "citrix-arm-sdk" in unresolved
