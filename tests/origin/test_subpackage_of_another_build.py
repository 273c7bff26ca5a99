"""A binary is not judged by a source package whose spec builds no package of its name.

Red team (hunt55): the vendor's spec ``shared`` builds a subpackage ``vendor-extra`` from a
Citrix Source; a rebuild of the same name, version and release has no such package. The
vendor's binary (``rpmbuild -bb``, as mock's ``--rebuild`` makes it: no SOURCEPKGID) names
``shared-1-1.src.rpm``, the rebuild's file name too: beside the rebuild's source RPM it read
clean and passed ``scan --strict``, judged by a source package that cannot have built it. rpm
4.18 stores no line for the section header ending ``%prep``, so the SPEC tag of a spec with one
said nothing of what it builds: the names its ``%package`` and ``%files`` headers give now do
(`auditor.rpm.spec.builds.built_by_parsed_spec`), and rpmspec is the authority on them."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.origin.scanned import scan_report

HEAD = "Name: shared\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
VENDOR = (
    HEAD + "Source0: https://downloads.citrix.com/shared.tar.gz\n%description\nd\n"
    "%package -n vendor-extra\nSummary: e\n%description -n vendor-extra\ne\n"
    "%prep\necho prep\n%build\necho build\n%files\n%files -n vendor-extra\n"
)
REBUILD = (
    HEAD + "Source0: https://example.org/shared.tar.gz\n%description\nd\n"
    "%package tools\nSummary: t\n%description tools\nt\n"
    "%prep\necho prep\n%files\n%files tools\n"
)


def _build(tmp_path: Path, name: str, text: str) -> tuple[Path, list[Path]]:
    spec = tmp_path / f"{name}.spec"
    spec.write_text(text)
    top = tmp_path / name
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "shared.tar.gz").write_text("x\n")
    # -bs then -bb, as a source RPM is built and then rebuilt elsewhere: no SOURCEPKGID links them
    for mode in ("-bs", "-bb"):
        subprocess.run(
            ["rpmbuild", mode, "--quiet", "--define", f"_topdir {top}", str(spec)],
            check=True,
            capture_output=True,
        )
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return srpm, sorted((top / "RPMS" / "noarch").glob("*.rpm"))


def _by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {package["nevra"]: package for package in report["packages"]}


def test_rpm_says_the_rebuild_builds_no_vendor_extra(tmp_path: Path) -> None:
    spec = tmp_path / "rebuild.spec"
    spec.write_text(REBUILD)
    built = subprocess.run(
        ["rpmspec", "-q", "--builtrpms", "--qf", "%{NAME}\n", str(spec)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert built.stdout.split() == ["shared", "shared-tools"]


def test_a_vendors_subpackage_beside_a_rebuilds_source_rpm_is_not_judged_by_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    vendor_srpm, vendor_rpms = _build(tmp_path, "vendor", VENDOR)
    rebuild_srpm, rebuild_rpms = _build(tmp_path, "rebuild", REBUILD)
    (extra,) = (path for path in vendor_rpms if path.name.startswith("vendor-extra"))
    (tools,) = (path for path in rebuild_rpms if path.name.startswith("shared-tools"))
    code, report, _err = scan_report(capsys, rebuild_srpm, tools, extra, "--strict")
    packages = _by_name(report)
    gaps = [gap["detail"] for gap in packages["vendor-extra-1-1.noarch"]["gaps"]]
    assert gaps == [
        "shared-1-1.src.rpm is among the inputs, but another build of it: its spec builds no package "
        "named vendor-extra"
    ]
    assert code == 3
    # the rebuild's own subpackage is its, with no gap
    assert packages["shared-tools-1-1.noarch"]["gaps"] == []
    assert packages["shared-tools-1-1.noarch"]["status"] == "clean"
    # with the vendor's source RPM in the run too, the binary is judged by it
    code, report, _err = scan_report(capsys, rebuild_srpm, vendor_srpm, tools, extra)
    extra_read = [p for p in report["packages"] if p["name"] == "vendor-extra"]
    assert [p["status"] for p in extra_read] == ["origin"]
    assert extra_read[0]["gaps"] == []
    assert code == 1
