"""``%{SOURCEn}`` and ``%{PATCHn}`` are the file's path as ``%_sourcedir`` is at the line (specfuzz58).

rpm 4.18 defines ``%{SOURCE0}`` when it reads ``Source0:`` with ``%{_sourcedir}`` expanded then
(``addSource``, ``rpmGetPath``). A spec that defines ``%_sourcedir`` as a Citrix host before its
Source0 line and as a local directory after it has a Citrix ``URL: %{SOURCE0}`` for rpm; the
reader kept ``%{_sourcedir}`` in the macro's body, read it at the URL line with the later
value, and the spec passed ``scan --strict`` clean. ``rpmspec -P`` is the authority.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import rpmspec

TEXT = (
    "Name: case\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
    "%define _sourcedir https://code.citrite.net\nSource0: case.tar.gz\nPatch0: case.patch\n"
    "%define _sourcedir /tmp\nURL: %{SOURCE0}\nBugURL: %{PATCH0}\n%description\nd\n%files\n"
)


def test_a_source_macro_holds_the_directory_of_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    printed = rpmspec(tmp_path, TEXT, "-P")
    # The control: rpm's URL and BugURL are on the Citrix host.
    assert "URL: https://code.citrite.net/case.tar.gz" in printed
    assert "BugURL: https://code.citrite.net/case.patch" in printed
    (package, *_) = parse_spec(TEXT, "case.spec").packages
    assert (package.url, package.bugurl) == (
        "https://code.citrite.net/case.tar.gz",
        "https://code.citrite.net/case.patch",
    )
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert {finding["rule"] for package in report["packages"] for finding in package["findings"]} == {
        "citrix-internal-host"
    }


LATER = (
    "%define _sourcedir https://%{name}.citrite.net\nSource22: p\n%define _sourcedir /tmp\n"
    "Name: code\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: a.tgz\n"
    "Patch0: %{SOURCE22}\n%description\nd\n%files\n"
)
"""rpm expands ``%{_sourcedir}`` at the Source22 line, leaving ``%{name}`` (not defined yet) as
written, and expands that where ``%{SOURCE22}`` is read: the Patch is on the Citrix host. The
reader, finding the directory inexact, kept ``%{_sourcedir}`` in the body and read /tmp."""


def test_a_macro_not_defined_yet_in_the_directory_is_read_later(tmp_path: Path) -> None:
    assert "Patch0: https://code.citrite.net/p" in rpmspec(tmp_path, LATER, "-P")  # the control
    spec = parse_spec(LATER, "case.spec")
    assert "https://code.citrite.net/p" in {source.value for source in spec.sources}


def test_a_directory_an_undecided_branch_sets_is_doubtful() -> None:
    """A ``%_sourcedir`` with several values (an ``%if`` the reader cannot decide) makes
    ``%{SOURCE22}`` the build host's: a gap where it is read."""
    undecided = "%if 0%{?rhel}\n%define _sourcedir https://code.citrite.net\n%endif\n"
    text = undecided + LATER.replace("%define _sourcedir https://%{name}.citrite.net\n", "")
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}


def test_a_source_macro_keeps_the_hosts_directory() -> None:
    """The control: where the spec does not define ``%_sourcedir``, the path is the host's."""
    text = "Name: case\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: a.tgz\nURL: %{SOURCE0}\n"
    spec = parse_spec(text + "%description\nd\n%files\n", "case.spec")
    assert {gap.kind for gap in spec.gaps} == {GapKind.UNEXPANDED_TAG}
