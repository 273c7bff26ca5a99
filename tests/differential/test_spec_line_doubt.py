"""A line whose macros decide what kind of line rpm reads is a gap when they are inexact (red team 32).

rpm expands a line before it reads it: ``%{?_gnu:Source1: URL}`` is a Source line on every
build host (rpm's macro files define ``%_gnu``), ``%{?_gnu:Vendor: Citrix Systems, Inc.}`` a
Vendor, and ``%{?_gnu:%package sub}`` opens a subpackage whose Vendor follows. The reader took
each such line as what it expanded to without ``%_gnu`` (nothing), read no Source, Vendor or
package, and had no gap: clean and complete. ``rpmspec`` is the authority.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, HEADER, rpmspec

LINES = {
    "source": (f"%{{?_gnu:Source1: {CITRIX}/line.tar.gz}}\n", "-P", f"Source1: {CITRIX}/line.tar.gz"),
    "url": (
        "%global u %{?_target:URL: https://www.citrix.com/}\n%{u}\n",
        "-P",
        "URL: https://www.citrix.com/",
    ),
    "tag-name": ("Vend%{?_gnu:or}: Citrix Systems, Inc.\n", "-P", "Vendor: Citrix Systems, Inc."),
    "multiline-macro": (
        f"%define more \\\n%{{?_gnu:Source1: {CITRIX}/more.tar.gz}}\n%{{more}}\n",
        "-P",
        f"Source1: {CITRIX}/more.tar.gz",
    ),
    "package": (
        "%description\nd\n%{?_gnu:%package sub}\nSummary: s\nVendor: Citrix Systems, Inc.\n"
        "%description sub\nd\n%files sub\n",
        "--builtrpms",
        "case-sub|Citrix Systems, Inc.",
    ),
}


@pytest.mark.parametrize("case", LINES, ids=list(LINES))
def test_a_line_shaped_by_a_host_macro_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, mode, expected = LINES[case]
    text = HEADER + body + ("" if "%description" in body else "%description\nd\n") + "%files\n"
    if mode == "-P":
        printed = rpmspec(tmp_path, text, "-P")
    else:
        printed = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", "%{NAME}|%{VENDOR}\n")
    assert expected in printed.splitlines()  # the control: rpm reads the hidden line
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 3
    for package in report["packages"]:
        assert "undecided-conditional" in {gap["kind"] for gap in package["gaps"]}, package["name"]


EXACT = [
    "Release: 1%{?dist}\n",  # a tag written as such stays that tag
    "%global h %{?_gnu:x}\n",  # a definition: what reads %h says what it does not know
    "%description\nd\n%build\n%{?_gnu:make %{?_smp_mflags}}\n",  # a build script's text
]


@pytest.mark.parametrize("body", EXACT)
def test_a_line_whose_kind_is_written_is_no_such_gap(body: str) -> None:
    spec = parse_spec(HEADER + body + "%files\n", "case.spec")
    assert not [gap for gap in spec.gaps if "depends on macros not expanded exactly" in gap.detail]
