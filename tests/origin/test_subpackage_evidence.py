"""A subpackage's Vendor, License or URL is evidence on its source package (red team rt5).

rpm records only the main package's tags in a source RPM's header; a ``%package`` whose
Vendor is Citrix or whose License is Proprietary is in the spec the SRPM carries (its SPEC
tag) and nowhere else. An SRPM audited alone read clean while rpmbuild makes a Citrix,
proprietary binary of it, and the same spec scanned as a file was origin.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.origin.scanned import scan_report, sources

SPEC = """Name: subt
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
%description
d
%package blob
Summary: b
License: {license}
Vendor: {vendor}
%description blob
b
%files
%files blob
"""


def source_rpm(directory: Path, license_: str, vendor: str) -> Path:
    spec = directory / "subt.spec"
    spec.write_text(SPEC.format(license=license_, vendor=vendor))
    top = directory / "rpmbuild"
    subprocess.run(["rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    (built,) = (top / "SRPMS").glob("subt-*.src.rpm")
    header = subprocess.run(
        ["rpm", "-qp", "--qf", "%{LICENSE}|%{VENDOR}", str(built)], capture_output=True, text=True, check=True
    ).stdout
    assert header == "MIT|(none)"  # the subpackage's tags are in no header tag
    return built


def test_a_citrix_proprietary_subpackage_makes_its_source_rpm_origin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = scan_report(capsys, source_rpm(tmp_path, "Proprietary", "Citrix Systems, Inc."))
    (package,) = sources(report)
    assert package["status"] == "origin"
    assert {finding["rule"] for finding in package["findings"]} == {"citrix-vendor", "proprietary-license"}
    assert code == 1


def test_a_free_subpackage_of_another_vendor_stays_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report, _ = scan_report(capsys, source_rpm(tmp_path, "BSD-3-Clause", "Example Org"))
    # The source package and the two binaries its spec builds, audited with it.
    assert [(row["nevra"], row["status"], row["findings"]) for row in report["packages"]] == [
        ("subt-1.0-1.noarch", "clean", []),
        ("subt-1.0-1.src", "clean", []),
        ("subt-blob-1.0-1.noarch", "clean", []),
    ]
    assert code == 0


def test_the_spec_scanned_as_a_file_says_what_its_source_rpm_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    built = source_rpm(tmp_path, "Proprietary", "Citrix Systems, Inc.")
    _, from_rpm, _ = scan_report(capsys, built)
    _, from_spec, _ = scan_report(capsys, tmp_path / "subt.spec")
    (source,) = [package for package in from_spec["packages"] if package["kind"] == "source"]
    (package,) = sources(from_rpm)
    assert source["status"] == package["status"] == "origin"
    assert {f["rule"] for f in source["findings"]} == {f["rule"] for f in package["findings"]}


# What the spec's packages carry beyond their tags (rt-origin): their capabilities, and the
# names they are built as, which no header of the source package holds.
CARRIED_SPEC = """Name: carrier
Version: 1.0
Release: 1
Summary: s
License: MIT
BuildArch: noarch
{main}
%description
d
%package -n {sub}
Summary: t
{tags}
%description -n {sub}
t
%prep
true
%build
%files
%files -n {sub}
"""


def _carrier(directory: Path, main: str = "", sub: str = "carrier-tools", tags: str = "") -> Path:
    spec = directory / "carrier.spec"
    spec.write_text(CARRIED_SPEC.format(main=main, sub=sub, tags=tags))
    top = directory / "rpmbuild"
    subprocess.run(["rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    (built,) = (top / "SRPMS").glob("carrier-*.src.rpm")
    return built


@pytest.mark.parametrize(
    ("main", "tags"),
    [
        ("", "Requires: gitsha(git@code.citrite.net:XS/x.git)"),
        ("Provides: foo, gitsha(https://code.citrite.net/x) = 1f71b34f", ""),
        ("", "Recommends: golang(github.com/xenserver/x)"),
    ],
)
def test_a_capability_of_a_package_the_spec_builds_is_its_source_rpm_s_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], main: str, tags: str
) -> None:
    srpm = _carrier(tmp_path, main=main, tags=tags)
    code, report, _ = scan_report(capsys, srpm)
    (package,) = sources(report)
    assert package["status"] == "origin" and code == 1
    _, from_spec, _ = scan_report(capsys, tmp_path / "carrier.spec")
    (source,) = [package for package in from_spec["packages"] if package["kind"] == "source"]
    assert {f["rule"] for f in source["findings"]} == {f["rule"] for f in package["findings"]}


def test_a_component_built_from_a_spec_with_a_prep_section_is_its_source_rpm_s_evidence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm stores no line for the section header that ends %prep, so what such a SPEC tag builds
    is unknown (`built_by_parsed_spec`); the ``%package`` it declares is still read."""
    code, report, _ = scan_report(
        capsys, _carrier(tmp_path, sub="citrix-crypto-module", tags="License: OpenSSL")
    )
    (package,) = sources(report)
    assert "xenserver-proprietary-component" in {f["rule"] for f in package["findings"]}
    assert code == 1


def test_capabilities_and_names_of_no_policy_host_or_component_stay_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    srpm = _carrier(tmp_path, main="Provides: gitsha(https://github.com/xcp-ng/x)", tags="Requires: foo")
    code, report, _ = scan_report(capsys, srpm)
    (package,) = sources(report)
    assert (package["status"], package["findings"]) == ("clean", [])
    # Its rebuild's binary requires foo, which nothing here provides: unresolved (exit 1), no origin.
    assert all(row["findings"] == [] for row in report["packages"])
    assert {row["status"] for row in report["packages"]} == {"clean", "unresolved"} and code == 1
