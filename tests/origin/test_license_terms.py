"""Licence terms are found however a compound expression joins them: SPDX refs, hyphens,
plus signs, underscores, runs of spaces (red team 6, finding 3), and free licences stay clean."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.origin.scanned import rules_of, scan, scan_report, write_spec

NOT_FREE: dict[str, str | list[str]] = {
    "Proprietary": "proprietary-license",
    "LicenseRef-Citrix-EULA": ["citrix-license", "proprietary-license"],
    "LicenseRef-Citrix-Proprietary": ["citrix-license", "proprietary-license"],
    "LicenseRef-Proprietary-Citrix": ["citrix-license", "proprietary-license"],
    "LicenseRef-Citrix-Hypervisor": ["citrix-license", "proprietary-license"],
    # XenServer is Citrix's name, and a capital ends a name glued to what follows (rt-origin).
    "LicenseRef-XenServer-EULA": ["citrix-license", "proprietary-license"],
    "LicenseRef-XenServer": ["citrix-license", "proprietary-license"],
    "LicenseRef-CitrixHypervisor-EULA": ["citrix-license", "proprietary-license"],
    "LicenseRef-CitrixEULA": ["citrix-license", "proprietary-license"],
    "LicenseRef-CitrixProprietary": ["citrix-license", "proprietary-license"],
    # A version glued to the name is the name, as citrix-vendor reads XenServer8 (rt-origin's
    # leftover).
    "LicenseRef-XenServer8-EULA": ["citrix-license", "proprietary-license"],
    "LicenseRef-Citrix7": ["citrix-license", "proprietary-license"],
    "Proprietary2": "proprietary-license",
    "ProprietaryLicense": "proprietary-license",
    "LicenseRef-Commercial": "proprietary-license",
    "Citrix-EULA": ["citrix-license", "proprietary-license"],
    "Proprietary-EULA": "proprietary-license",
    "BSD+Proprietary": "proprietary-license",
    "Proprietary_License": "proprietary-license",
    "MIT/Proprietary": "proprietary-license",
    "GPLv2 and Not  redistributable": "proprietary-license",
    "GPLv2 and Not\u00a0redistributable": "proprietary-license",
    "Non redistributable": "proprietary-license",
    "Not-redistributable": "proprietary-license",
    "Non-Distributable": "proprietary-license",
    "Not distributable": "proprietary-license",
    "Non-free": "proprietary-license",
    # A licence named after Citrix or XenServer, with no other term (red team hunt55).
    "Citrix License": "citrix-license",
    "GPLv2 and XenServer Licence": "citrix-license",
    "Closed Source": "proprietary-license",
    "closed-source": "proprietary-license",
    "Nonfree": "proprietary-license",
    "non_free": "proprietary-license",
    # Spelled out or glued, as SPDX and Creative Commons write them (red team rt37).
    "Citrix End User License Agreement": ["citrix-license", "proprietary-license"],
    "End-User-License-Agreement": "proprietary-license",
    "CC-BY-NC-4.0": "proprietary-license",
    "CC-BY-NC-SA-4.0 AND MIT": "proprietary-license",
    "Attribution-NonCommercial": "proprietary-license",
    # A term glued on by camel case: XenServer 8.2's kernel.spec (xcp-ng-rpms/kernel, branch XS-8.2)
    # has "License: GPLv2 and CitrixCommercial" and ships COPYING.CitrixCommercial; XCP-ng's is GPLv2.
    "GPLv2 and CitrixCommercial": ["citrix-license", "proprietary-license"],
    "BSD and XenServerProprietary": ["citrix-license", "proprietary-license"],
    "VendorEULA": "proprietary-license",
    "Redistributable-no-modification": "restricted-license",
    "Redistributable, no modification permitted": "restricted-license",
    "GPLv2+ and Redistributable, no modification permitted": "restricted-license",
    # "or later" names a version, not a choice: that GPL and Proprietary (red team rt37).
    "GPLv2 or later and Proprietary": "proprietary-license",
    "Proprietary and LGPLv2 or any later version": "proprietary-license",
    "GPL version 2 or newer, and Commercial": "proprietary-license",
    # An "or" whose other choice names no licence offers no free one (red team rt5).
    "Proprietary OR NONE": "proprietary-license",
    "Proprietary OR NOASSERTION": "proprietary-license",
    "Proprietary OR ()": "proprietary-license",
    "Proprietary OR -": "proprietary-license",
    "EULA OR  OR": "proprietary-license",
}
FREE = (
    "GPL-2.0-or-later WITH Classpath-exception-2.0",
    "MIT AND (BSD-3-Clause OR Apache-2.0)",
    "Apache-2.0 WITH LLVM-exception",
    "GPL-2.0-only WITH Linux-syscall-note",
    "LGPLv2+",
    "OFL",
    "GPL+ or Artistic",
    "Freely redistributable without restriction",
    "freely-redistributable",
    "GPL-2+ with distribution exception",
    "LicenseRef-Fedora-Public-Domain",
    "LicenseRef-Fedora-UltraPermissive",
    "LicenseRef-Citrine",  # neither Citrix nor glued to it by a capital
    "LicenseRef-Citrixish",
    "NonProprietary",  # glued after a "non", as "BSD (non-proprietary)" is free
    "CC-BY-SA-4.0 AND CC0-1.0",
    "Python-2.0.1 AND Unicode-DFS-2016",
    "Beerware",
    "FreeSoftware",
    "DFSG",
    "NONE OR MIT",
    "GPLv2 or later",
    "GPLv2 or later or Proprietary",
    "Proprietary OR LGPL-2.1-or-later",
)


def test_every_spelling_of_a_licence_that_is_not_free_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = {f"l{index}": license_ for index, license_ in enumerate(NOT_FREE)}
    specs = [write_spec(tmp_path, name, f"License: {license_}") for name, license_ in names.items()]
    code, findings, _ = scan(capsys, *specs)
    found = {license_: rules_of(findings[name]) for name, license_ in names.items()}
    assert found == {
        license_: rule if isinstance(rule, list) else [rule] for license_, rule in NOT_FREE.items()
    }
    assert code == 1


def test_free_licences_stay_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = {f"f{index}": license_ for index, license_ in enumerate(FREE)}
    specs = [write_spec(tmp_path, name, f"License: {license_}") for name, license_ in names.items()]
    code, findings, _ = scan(capsys, *specs)
    assert {names[name]: found for name, found in findings.items()} == {license_: [] for license_ in FREE}
    assert code == 0


def test_a_built_rpm_under_a_citrix_licence_ref_is_citrix_and_proprietary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = write_spec(tmp_path, "ref", "License: LicenseRef-Citrix-EULA")
    top = tmp_path / "rpmbuild"
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    (built,) = (top / "RPMS" / "noarch").glob("ref-*.rpm")
    code, findings, _ = scan(capsys, built)
    assert sorted((f["rule"], f["category"], f["capability"]) for f in findings["ref"]) == [
        ("citrix-license", "citrix", "license:licenseref-citrix"),
        ("proprietary-license", "proprietary", "license:eula"),
    ]
    assert code == 1


def test_a_source_license_does_not_hide_the_licence_of_what_the_spec_builds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpmbuild records ``SourceLicense`` as the source package's License (rt-origin): the spec's
    License, Citrix's here, is still what the source package builds, read from a spec file too."""
    spec = write_spec(tmp_path, "srclic", "License: LicenseRef-Citrix-EULA", "SourceLicense: MIT")
    code, report, _ = scan_report(capsys, spec)
    (source,) = [package for package in report["packages"] if package["kind"] == "source"]
    assert source["license"] == "MIT"
    assert {"citrix-license", "proprietary-license"} <= {f["rule"] for f in source["findings"]}
    assert code == 1


def test_a_source_license_alone_stays_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = write_spec(tmp_path, "srcfree", "License: GPL-2.0-only", "SourceLicense: MIT")
    code, report, _ = scan_report(capsys, spec)
    assert [package["findings"] for package in report["packages"]] == [[], []]
    assert code == 0


@pytest.mark.parametrize(
    ("license_", "expected"),
    [
        # Each licence the expression imposes is a finding of its own, the first one as the rule
        # gave it when it gave one only (so a baseline's fingerprint still matches it).
        (
            "LicenseRef-Citrix-EULA and Commercial",
            [
                ("citrix-license", "license:licenseref-citrix"),
                ("proprietary-license", "license:commercial"),
                ("proprietary-license", "license:eula"),
            ],
        ),
        (
            "Proprietary OR EULA",
            [("proprietary-license", "license:eula"), ("proprietary-license", "license:proprietary")],
        ),
        (
            "(Proprietary OR EULA) AND MIT",
            [("proprietary-license", "license:eula"), ("proprietary-license", "license:proprietary")],
        ),
        # One licence with two terms is one finding a rule, as before.
        ("LicenseRef-Proprietary-EULA", [("proprietary-license", "license:proprietary")]),
        # A licence named twice is one finding.
        (
            "Proprietary and (MIT or Proprietary) and Proprietary",
            [("proprietary-license", "license:proprietary")],
        ),
        # A free choice frees the whole expression: none of the others is imposed.
        ("(Proprietary AND EULA) OR MIT", []),
    ],
)
def test_every_licence_that_is_not_free_is_its_own_finding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], license_: str, expected: list[tuple[str, str]]
) -> None:
    spec = write_spec(tmp_path, "several", f"License: {license_}")
    code, findings, _ = scan(capsys, spec)
    assert sorted((f["rule"], f["capability"]) for f in findings["several"]) == expected
    assert code == (1 if expected else 0)


def test_a_licence_added_beside_an_accepted_one_blocks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A baseline accepted the Citrix EULA; the next release adds a commercial licence beside
    it: that is new evidence, not the accepted finding again (the rule named the first
    non-free licence only, so the release passed)."""
    monkeypatch.chdir(tmp_path)
    spec = write_spec(tmp_path, "grown", "License: LicenseRef-Citrix-EULA")
    assert main(["baseline", str(spec), "--no-cache", "-q"]) == 0
    capsys.readouterr()
    assert scan(capsys, spec)[0] == 0
    spec = write_spec(tmp_path, "grown", "License: LicenseRef-Citrix-EULA and Commercial")
    code, report, _ = scan_report(capsys, spec)
    assert code == 1
    (binary,) = [package for package in report["packages"] if package["kind"] == "binary"]
    unaccepted = [f["capability"] for f in binary["findings"] if f["disposition"] != "baselined"]
    assert unaccepted == ["license:commercial"]


def test_a_licence_nested_past_the_recursion_limit_is_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A hostile License of 2,000 nested parentheses, each level a licence that is not free:
    the judging recursed a level a parenthesis and the scan ended in an internal error (exit 4)
    on the RPM rpmbuild makes of it. Each licence is its own finding, as at any depth."""
    depth = 2_000
    license_ = (
        "".join(f"Commercial and (EULA{number} or " for number in range(depth)) + "Proprietary" + ")" * depth
    )
    spec = write_spec(tmp_path, "deep", f"License: {license_}")
    top = tmp_path / "rpmbuild"
    subprocess.run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(spec)], check=True)
    (built,) = (top / "RPMS" / "noarch").glob("deep-*.rpm")
    code, findings, _ = scan(capsys, built)
    assert sorted({f["capability"] for f in findings["deep"]}) == [
        "license:commercial",
        "license:eula",
        "license:proprietary",
    ]
    assert code == 1
