"""A comment's expansion may make lines, which rpm reads as any other (red team 38).

rpm expands a comment of the preamble as it expands any line (with a warning), splits what it
gives at its newlines, and reads each line after the first: ``# note %{?nil:`` followed by a
Source line and ``}`` gives that Source, and ``# x%{nl}Source2: URL`` (``%nl`` a newline) too.
The reader dropped the whole expansion as a comment: the Citrix Source and BuildRequires were
unseen, with no gap.
"""

from __future__ import annotations

import re
from pathlib import Path

from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, HEADER, rpmspec

TEXT = (
    f"{HEADER}# joined %{{?nil:\nSource1: {CITRIX}/joined.tar.gz\nBuildRequires: citrix-sdk\n}}\n"
    f"%global nl %{{expand:\n}}\n# one line%{{nl}}Source2: {CITRIX}/made.tar.gz\n"
    "%description\nd\n%package sub\nSummary: s\n# sub%{nl}Requires: citrix-tools\n%description sub\ns\n"
    "%files\n%files sub\n"
)


def test_the_lines_a_comment_makes_are_read(tmp_path: Path) -> None:
    parsed = rpmspec(tmp_path, TEXT, "-P")
    rpm_sources = set(re.findall(r"^Source\d*: (\S+)", parsed, re.MULTILINE))
    assert {f"{CITRIX}/joined.tar.gz", f"{CITRIX}/made.tar.gz"} <= rpm_sources  # the control
    requires = rpmspec(tmp_path, TEXT, "-q", "--buildrequires").split()
    assert requires == ["citrix-sdk"]
    spec = parse_spec(TEXT, "case.spec")
    assert {source.value for source in spec.sources} == rpm_sources
    assert [dependency.name for dependency in spec.build_requires] == requires
    sub = next(package for package in spec.packages if package.name == "case-sub")
    assert [dependency.name for dependency in sub.requires] == ["citrix-tools"]
    assert "citrix-tools" in rpmspec(tmp_path, TEXT, "-q", "--requires").split()
