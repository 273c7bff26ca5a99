"""A spec's origin tags (Vendor, Packager, Distribution, URL, BugURL, License) that another line
replaces: every value is judged, as every Source of an undecided conditional is.

rpm builds one branch of a conditional the reader cannot decide, and which one is unknown; a
tag written twice makes rpm refuse the spec. A red-team case: the Citrix values of the first
branch were dropped for the clean ones of ``%else``, and the package read clean.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.sources.specs import read_spec_file

UNDECIDED = """Name: a
Version: 1
Release: 1
Summary: s
BuildArch: noarch
%if 0%{?rhel} >= 8
Vendor: Citrix Systems, Inc.
License: Proprietary
URL: https://code.citrite.net/projects/XSC/repos/a
%else
Vendor: Example Org
License: MIT
URL: https://example.org/a
%endif
%description
d
%package sub
Summary: t
%description sub
t
%package own
Summary: u
Vendor: Own Org
%description own
u
%files
%files sub
%files own
"""


def scan(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, dict[str, object]]]:
    code = main(["scan", str(spec), "--format", "json", "-q"])
    document = json.loads(capsys.readouterr().out)
    return code, {package["nevra"]: package for package in document["packages"]}


def test_every_branch_s_values_of_an_undecided_conditional_are_judged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = tmp_path / "a.spec"
    spec.write_text(UNDECIDED)
    code, packages = scan(spec, capsys)
    assert code == 1
    rules = {nevra: {str(f["rule"]) for f in p["findings"]} for nevra, p in packages.items()}  # type: ignore[attr-defined]
    expected = {"citrix-vendor", "proprietary-license", "citrix-internal-host"}
    assert expected <= rules["a-1-1.src"] and expected <= rules["a-1-1.noarch"]
    assert expected <= rules["a-sub-1-1.noarch"]  # it inherits every value of the main package's
    read = {package.nevra: package for package in read_spec_file(str(spec))}
    source = read["a-1-1.src"]
    assert set(source.alternatives) == {
        ("license", "Proprietary"),
        ("url", "https://code.citrite.net/projects/XSC/repos/a"),
        ("vendor", "Citrix Systems, Inc."),
        ("vendor", "Own Org"),  # a subpackage's own tag is the source package's evidence too
        ("builds", "a-sub"),  # and so are the names it builds (rt-origin)
        ("builds", "a-own"),
    }
    # a subpackage's own Vendor replaces the main package's, alternatives included, for it
    assert {field for field, _ in read["a-own-1-1.noarch"].alternatives} == {"license", "url"}


def test_a_tag_written_twice_is_judged_with_both_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm refuses the spec ("Duplicate Vendor entries"); whichever line was meant, both are read."""
    spec = tmp_path / "b.spec"
    spec.write_text(
        "Name: b\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
        "Vendor: Citrix Systems, Inc.\nVendor: Example Org\n%description\nd\n%files\n"
    )
    code, packages = scan(spec, capsys)
    assert code == 1 and packages["b-1-1.noarch"]["status"] == "origin"


def test_one_value_set_once_has_no_alternatives(tmp_path: Path) -> None:
    spec = tmp_path / "c.spec"
    spec.write_text(
        "Name: c\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nVendor: Example Org\n"
        "%if 0%{?rhel}\nVendor: Example Org\n%endif\n%description\nd\n%files\n"
    )
    assert all(package.alternatives == () for package in read_spec_file(str(spec)))


BRANCHES = "%if 0%{{?rhel}} >= 8\n%global {name} {citrix}\n%else\n%global {name} {clean}\n%endif\n"
HEADER = "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"


@pytest.mark.parametrize(
    ("macro", "citrix", "clean", "tag", "field"),
    [
        ("vendor", "Citrix Systems, Inc.", "Example Org", "", "vendor"),  # rpm fills Vendor from it
        ("v", "Citrix Systems, Inc.", "Example Org", "Vendor: %{v}\n", "vendor"),
        (
            "home",
            "https://code.citrite.net/projects/XSC/repos/m",
            "https://example.org/m",
            "URL: %{home}\n",
            "url",
        ),
    ],
)
def test_a_tag_read_through_a_macro_an_undecided_branch_defines_has_both_values(
    tmp_path: Path, macro: str, citrix: str, clean: str, tag: str, field: str
) -> None:
    """The reviewer's case: a macro defined in both branches of an undecided %if, read by a tag
    (or filling one), gave the tag only its last definition; rpmspec --define 'rhel 8' gives
    the first."""
    spec = tmp_path / "m.spec"
    spec.write_text(
        BRANCHES.format(name=macro, citrix=citrix, clean=clean) + HEADER + tag + "%description\nd\n%files\n"
    )
    [source] = [p for p in read_spec_file(str(spec)) if p.is_source]
    assert getattr(source, field) == clean and (field, citrix) in source.alternatives


def test_an_old_srpm_s_payload_spec_gives_its_other_values_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An SRPM without a SPEC tag (rpm < 4.15, XCP-ng 8.x) is read from the spec in its payload,
    both ways where it cannot decide: the header holds the Vendor of the branch rpmbuild took,
    and a rebuild elsewhere may take the other. The reviewer's case: only the header's was judged."""
    import os
    import shutil
    import subprocess

    from tests.data.build_fixtures import strip_spec_tag

    assert shutil.which("rpmbuild"), "rpmbuild is the authority here: install rpm"
    spec = tmp_path / "a.spec"
    spec.write_text(UNDECIDED)
    top = tmp_path / "top"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LC_ALL": "C"}
    command = ["rpmbuild", "-bs", "--quiet", "--define", f"_topdir {top}", str(spec)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    strip_spec_tag(srpm)
    header = subprocess.run(
        ["rpm", "-qp", "--qf", "%{VENDOR}|%{SPEC}", str(srpm)], capture_output=True, text=True
    )
    assert header.stdout == "Example Org|(none)"  # the branch rpmbuild took here, and no SPEC tag
    code, packages = scan(srpm, capsys)
    rules = {str(f["rule"]) for f in packages["a-1-1.src"]["findings"]}  # type: ignore[attr-defined]
    assert {"citrix-vendor", "proprietary-license", "citrix-internal-host"} <= rules and code == 1


def test_a_tag_whose_macros_have_more_values_than_are_read_is_a_gap(tmp_path: Path) -> None:
    """Ten undecided definitions of one macro: the reader keeps fewer, as for a Source line, and
    the spec says that the tag may have values it did not read (the reviewer's case: the lost
    ninth was Citrix, and nothing said so but the conditionals' own gaps)."""
    branches = "".join(
        f"%if 0%{{?flavor{i}}}\n%global myvendor {'Citrix Systems, Inc.' if i == 9 else f'Vendor{i}'}\n%endif\n"
        for i in range(1, 11)
    )
    spec = tmp_path / "ovf.spec"
    spec.write_text(
        HEADER.replace("Name: m", "Name: ovf") + branches + "Vendor: %{myvendor}\n%description\nd\n%files\n"
    )
    [source] = [p for p in read_spec_file(str(spec)) if p.is_source]
    assert any(
        "%{myvendor}: its macros may have more values than were read" in gap.detail for gap in source.gaps
    )


@pytest.mark.parametrize("redefined", ["%global v Example Org\n", ""])
def test_a_macro_undefined_in_an_undecided_branch_keeps_its_earlier_value(
    tmp_path: Path, redefined: str
) -> None:
    """``%undefine`` in a branch the reader cannot decide: rpm may not take it, so the value the
    macro had before stays one it may have (the reviewer's case lost it, and read Example Org
    or nothing where rpmspec without defines gives Citrix)."""
    spec = tmp_path / "u.spec"
    spec.write_text(
        "%global v Citrix Systems, Inc.\n%if 0%{?rhel}\n%undefine v\n"
        + redefined
        + "%endif\n"
        + HEADER.replace("Name: m", "Name: u")
        + "Vendor: %{?v}\n%description\nd\n%files\n"
    )
    [source] = [p for p in read_spec_file(str(spec)) if p.is_source]
    assert "Citrix Systems, Inc." in {
        source.vendor,
        *(value for field, value in source.alternatives if field == "vendor"),
    }
