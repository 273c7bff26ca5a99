"""A ``#`` on an ``%if`` line is no comment for rpm 4.18 (review 58).

rpm expands the condition and hands all of it to its expression parser, which stops at the
``#``: ``%if 1 # c`` is a "bad %if condition" and rpm refuses the whole spec. The reader cut the
line at the ``#`` and decided ``1``, exactly: the clean branch read, the Citrix ``%else`` left
out, no gap, and ``scan`` passed a spec rpm cannot read. A ``#`` inside a string
(``"%{x}" == "1#2"``) is rpm's as written, where the cut left a gap on a line rpm decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, HEADER, _run, rpmspec

CLEAN = "https://example.org/clean.tar.gz"
FOOTER = "%description\nd\n%files\n"
REFUSED = {
    "if-true": "%if 1 # c",
    "if-false": "%if 0 # c",
    "if-macro": "%if %{x} # c",
    "elif": "%if 0\n%elif 1 # c",
}


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_a_comment_on_an_if_line_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"{HEADER}%define x 1\n{REFUSED[case]}\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}/a.tgz\n%endif\n{FOOTER}"
    (tmp_path / "case.spec").write_text(text)
    done = _run(tmp_path, ["rpmspec", "-P", str(tmp_path / "case.spec")], check=False)
    assert done.returncode != 0 and "condition" in done.stderr  # the control: rpm refuses it
    spec = parse_spec(text, "case.spec")
    assert f"{CITRIX}/a.tgz" in {source.value for source in spec.sources}
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
    assert main(["scan", str(tmp_path / "case.spec"), "--no-cache", "-q", "--format", "json"]) == 1
    capsys.readouterr()


def test_a_comment_in_a_branch_rpm_skips_is_not_read(tmp_path: Path) -> None:
    """rpm evaluates no condition inside a branch it skips: the spec is rpm's, with no gap."""
    text = f"{HEADER}%if 0\n%if 1 # c\nSource1: {CITRIX}/a.tgz\n%endif\n%endif\n{FOOTER}"
    assert CITRIX not in rpmspec(tmp_path, text, "-P")  # the control: rpm reads it
    spec = parse_spec(text, "case.spec")
    assert {source.value for source in spec.sources} == {"case.tar.gz"} and spec.gaps == ()


def test_a_hash_inside_a_string_is_the_strings(tmp_path: Path) -> None:
    text = (
        f'{HEADER}%define x 1\n%if "%{{x}}" == "1#2"\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}/a.tgz\n'
        f"%endif\n{FOOTER}"
    )
    assert f"Source1: {CITRIX}/a.tgz" in rpmspec(tmp_path, text, "-P")  # the control
    spec = parse_spec(text, "case.spec")
    assert {source.value for source in spec.sources} == {"case.tar.gz", f"{CITRIX}/a.tgz"}
    assert spec.gaps == ()
