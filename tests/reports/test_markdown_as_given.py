"""The Markdown report shows each value's white space as the package gives it.

Each code span was made of the text's words joined by one blank: the evidence of a package
built by rpmbuild whose Vendor is ``Citrix  Systems<TAB>Inc.`` read ``vendor: Citrix Systems
Inc.``, a vendor its header does not hold. Only line breaks need to go (a code span is on one
line, and a line of its own could pass for a row): the rest of the white space stays.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.reports.text import code_span
from tests.rpmbuild import binary_of

SPEC = """\
Name: spaced
Version: 1.0
Release: 1
Summary: a vendor with two blanks and a tab in it
License: MIT
Vendor: Citrix  Systems\tInc.
BuildArch: noarch
%description
A package whose vendor holds runs of white space, as rpmbuild keeps them.
%files
"""


def test_markdown_shows_the_vendor_s_white_space_as_given(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = binary_of(SPEC, tmp_path)
    main(["scan", "--no-cache", "--format", "json", str(binary)])
    (package,) = json.loads(capsys.readouterr().out)["packages"]
    assert package["vendor"] == "Citrix  Systems\tInc."
    main(["scan", "--no-cache", "--format", "markdown", str(binary)])
    out = capsys.readouterr().out
    assert "`[citrix-vendor] vendor: Citrix  Systems\tInc.`" in out, out


def test_a_code_span_is_still_one_line() -> None:
    assert code_span("two\r\nlines\u2028and\x85more") == "`two lines and more`"
