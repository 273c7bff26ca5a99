"""Macros rpm defines while it parses a spec, against the source RPM rpmbuild makes of it.

rpm 4.18 defines a macro for each Source and Patch it reads (``%{SOURCE0}``, the file's path
under ``%_sourcedir``; ``%{SOURCEURL0}``, the URL as written), one for each tag of its
preamble list that carries one (``%{disttag}``, ``%{modularitylabel}``,
``%{removepathpostfixes}`` besides ``%{url}``...), ``%{_licensedir}``, and the name and line
of the file it is reading (``%{__file_name}``, ``%{__file_lineno}``). A spec that tests one of
them only negated, ``%if 0%{!?SOURCE0:1}``, took the branch rpm does not take when the reader
held the macro undefined for certain: a Citrix Source in the ``%else`` passed ``scan --strict``
clean while the SRPM rpmbuild makes of the spec is ``origin``. Each macro is either defined as
rpm defines it or, where rpm's release decides (``%{SOURCEURL0}`` is new in 4.15), the build
host's to answer: a gap, never a silent clean.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.differential.test_spec_reading import CITRIX, build_srpm, rpm_recorded, rpmspec

PREAMBLE = (
    "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n"
    "Source0: https://example.org/a.tar.gz\nPatch0: https://example.org/a.patch\n"
    "DistTag: t\nModularityLabel: l\nRemovePathPostfixes: .x\n"
)
BRANCHES = "%if 0%{{!?{name}:1}}\nSource1: b.tar.gz\n%else\nSource1: " + CITRIX + ".tar.gz\n%endif\n"
BODY = "%description\nd\n%files\n"

EXACT = ("SOURCE0", "PATCH0", "disttag", "DISTTAG", "modularitylabel", "removepathpostfixes", "_licensedir")
"""Defined by every rpm that reads the spec at all: the test is decided, the Source is Citrix's."""
HOSTS = ("SOURCEURL0", "PATCHURL0", "__file_name", "__file_lineno")
"""Defined by rpm 4.18, not by every release a build host may run: the answer is the host's."""


def scan(
    path: Path, capsys: pytest.CaptureFixture[str], *, strict: bool = True
) -> tuple[int, dict[str, object]]:
    code = main(
        ["scan", str(path), *(["--strict"] if strict else []), "--no-cache", "-q", "--format", "json"]
    )
    return code, json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("name", EXACT + HOSTS)
def test_a_macro_rpm_defines_while_parsing_is_not_read_as_undefined(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PREAMBLE + BRANCHES.format(name=name) + BODY
    # The authority: rpm takes the %else branch, and the SRPM it builds is origin.
    assert CITRIX in rpmspec(tmp_path, text, "-P")
    srpm = build_srpm(tmp_path, text)
    code, report = scan(srpm, capsys)
    packages = report["packages"]
    assert isinstance(packages, list)
    assert [package["status"] for package in packages if package["kind"] == "source"] == ["origin"]
    # Its rebuild on a host whose rpm defines the macro or not, read from the spec it carries, is
    # a gap where that is the host's answer: --strict fails it.
    assert code == 1 if name in EXACT else code in (1, 3)
    code, report = scan(tmp_path / "case.spec", capsys)
    packages = report["packages"]
    assert isinstance(packages, list)
    if name in EXACT:
        assert code == 1
        assert all(package["status"] == "origin" for package in packages)
    else:  # origin, or a gap that --strict fails: never a clean pass
        assert code in (1, 3)
        assert all(package["status"] == "origin" or package["gaps"] for package in packages)


REFUSED = {
    "a sign before the number": "Source+1: " + CITRIX + ".tar.gz\n",
    "a number that is no number": "Source0x1: " + CITRIX + ".tar.gz\n",
    "a patch's": "Patch-a: " + CITRIX + ".patch\n",
    "a line that is no tag": CITRIX + ".tar.gz\n",
}
"""Preamble lines rpm 4.18 refuses ("Bad source number", "Unknown tag"). rpm before 4.12 read a
Source's number with strtoul alone, so ``Source+1:`` was its Source1 there."""


def rpmspec_parse(spec: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """What ``rpmspec -P`` (the authority) makes of ``spec``, with ``home`` as its HOME."""
    return subprocess.run(
        ["rpmspec", "-P", str(spec)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"},
        check=False,
    )


@pytest.mark.parametrize("case", REFUSED)
def test_a_preamble_line_rpm_refuses_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec builds nowhere as rpm 4.18 reads it, so its reading is not rpm's: a gap that
    ``--strict`` fails, never a clean pass of a line holding a Citrix Source."""
    text = PREAMBLE + REFUSED[case] + BODY
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    refused = rpmspec_parse(spec, tmp_path)
    assert refused.returncode != 0, refused.stdout  # the authority: rpm reads no such spec
    code, report = scan(spec, capsys)
    assert code == 3
    packages = report["packages"]
    assert isinstance(packages, list)
    for package in packages:
        assert any(str(REFUSED[case].strip()) in gap["detail"] for gap in package["gaps"]), package["gaps"]


SETUP = (
    "%description\nd\n%prep\n%setup -q -c\n%package sub\nSummary: t\n"
    + BRANCHES.format(name="buildsubdir")
    + "%description sub\nt\n%files\n%files sub\n"
)


def test_the_build_directory_setup_defines_is_not_read_as_undefined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%setup`` defines ``%{buildsubdir}`` as rpm parses ``%prep``; a subpackage's preamble
    after it testing ``%{!?buildsubdir:1}`` takes its ``%else``: a Citrix Source there is origin."""
    text = PREAMBLE + SETUP
    assert CITRIX in rpmspec(tmp_path, text, "-P")
    assert "x.tar.gz" in rpm_recorded(tmp_path, text)  # the Citrix Source is the SRPM's Source1
    code, report = scan(tmp_path / "case.spec", capsys)
    packages = report["packages"]
    assert isinstance(packages, list)
    assert code in (1, 3)
    assert all(package["status"] == "origin" or package["gaps"] for package in packages)


AFTER_PREP = (
    "Name: m\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\nSource0: a.tar.gz\n"
    "%description\nd\n%prep\n%setup -q -c\n"
    "%package sub\nSummary: t\nVendor: Citrix Systems, Inc.\nURL: " + CITRIX + "\n"
    "Provides: gitsha(" + CITRIX + ")\n%description sub\nt\n%files\n%files sub\n"
)
"""A subpackage declared after ``%prep``: rpm 4.18 stores no line for the header that ends
``%prep`` in the SRPM's SPEC tag, so there its tags read as ``%prep``'s shell."""


def test_a_subpackage_after_prep_is_seen_in_the_srpm_made_of_its_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``rpmspec`` builds ``m-sub`` with a Citrix Vendor; the spec scan is origin, and so must be
    the SRPM ``rpmbuild -bs`` makes of it (its payload's spec names the subpackage)."""
    text = AFTER_PREP
    built = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", "%{NAME} %{VENDOR}\n")
    assert "m-sub Citrix Systems, Inc." in built.splitlines()
    srpm = build_srpm(tmp_path, text)
    header_spec = subprocess.run(
        ["rpm", "-qp", "--qf", "%{SPEC}", str(srpm)], capture_output=True, text=True, check=True
    ).stdout
    assert "%package sub" not in header_spec and "Vendor: Citrix Systems, Inc." in header_spec
    assert scan(tmp_path / "case.spec", capsys)[0] == 1
    code, report = scan(srpm, capsys)
    assert code == 1
    packages = report["packages"]
    assert isinstance(packages, list)
    (source,) = [package for package in packages if package["kind"] == "source"]
    assert {finding["rule"] for finding in source["findings"]} >= {"citrix-vendor", "citrix-internal-host"}
    # The subpackage its rebuild makes, read from that spec, is origin by its own Vendor too.
    (sub,) = [package for package in packages if package["name"] == "m-sub"]
    assert "citrix-vendor" in {finding["rule"] for finding in sub["findings"]}


MIXED_TYPES = (
    '"a" && 1',
    '0 || "x"',
    '1 ? "a" : 0',
    '0 ? 1 : "b"',
    '!2 || "1" && 1',
    '"a" ? 1 : (1) && v"1.2"',
)
"""``%if`` expressions rpm 4.18 refuses ("types must match": a logical or a ``?:`` of a number and
a string or version, in a branch it skips too)."""


@pytest.mark.parametrize("expression", MIXED_TYPES)
def test_an_expression_rpm_refuses_is_undecided(
    expression: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = PREAMBLE + f"%if {expression}\nSource1: b.tar.gz\n%else\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    refused = rpmspec_parse(spec, tmp_path)
    assert refused.returncode != 0 and "types must match" in refused.stderr
    code, report = scan(spec, capsys)
    packages = report["packages"]
    assert isinstance(packages, list)
    assert code in (1, 3)  # both branches read, with an undecided-conditional gap
    assert all("undecided-conditional" in {gap["kind"] for gap in package["gaps"]} for package in packages)
