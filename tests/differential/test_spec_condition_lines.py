"""A conditional whose expanded condition holds a line break (specfuzz58).

rpm 4.18 expands an ``%if`` line and reads the result as lines: the condition is the first
line alone, and the others are lines of the spec after it. With ``%global v 1\\<newline>&& 0``,
``%if %{v}`` is ``%if 1`` for rpm, and ``&& 0`` a line of ``%description`` text; the reader
evaluated ``1 && 0``, exactly, skipped the branch that defines the Citrix host, and a
subpackage's URL read through it passed ``scan --strict`` clean. ``rpmspec -P`` is the authority.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import HEADER, rpmspec

CONDITIONS = {
    "if": ("1\\\n&& 0", "%if %{v}"),
    "elif": ("1\\\n&& 0", "%if 0\n%elif %{v}"),
    "ifnarch": ("noarch\\\nx86_64 aarch64 ppc64le s390x i686", "%ifnarch %{v}"),
}


@pytest.mark.parametrize("case", CONDITIONS, ids=list(CONDITIONS))
def test_a_condition_is_its_first_line(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    value, line = CONDITIONS[case]
    text = (
        f"{HEADER}%global v {value}\n%global h example.org\n%description\nd\n{line}\n"
        "%global h code.citrite.net\n%endif\n%package sub\nSummary: t\nURL: https://%{h}/x\n"
        "%description sub\nt\n%files\n%files sub\n"
    )
    # The control: rpm takes the branch (%ifnarch noarch, for one), the URL is Citrix's.
    assert "URL: https://code.citrite.net/x" in rpmspec(tmp_path, text, "-P")
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code != 0 and not report["completeness"]["complete"]


TRAILING = {
    "endif": ("%if 1\n%endif %{expand:%%global h code.citrite.net}\n", True),
    "else-after-taken": ("%if 1\n%else %{expand:%%global h code.citrite.net}\n%endif\n", True),
    "else-after-skipped": ("%if 0\n%else %{expand:%%global h code.citrite.net}\n%endif\n", False),
    "endif-in-skipped": ("%if 0\n%if 1\n%endif %{expand:%%global h code.citrite.net}\n%endif\n", False),
}


@pytest.mark.parametrize("case", TRAILING, ids=list(TRAILING))
def test_text_after_else_or_endif_is_expanded_where_rpm_reads(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm 4.18 expands an ``%else`` or ``%endif`` line as any line it reads (in a branch it
    takes, before the directive changes that): a ``%global`` in the text after the keyword
    defines the Citrix host. The reader dropped that text: ``URL: https://%{h}/x`` read the
    clean value, exactly, and passed ``scan --strict`` clean."""
    lines, citrix = TRAILING[case]
    text = f"{HEADER}%global h example.org\n{lines}URL: https://%{{h}}/x\n%description\nd\n%files\n"
    host = "code.citrite.net" if citrix else "example.org"
    assert f"URL: https://{host}/x" in rpmspec(tmp_path, text, "-P")  # the control
    (package, *_) = parse_spec(text, "case.spec").packages
    assert package.url == f"https://{host}/x"
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    capsys.readouterr()
    assert code == (1 if citrix else 0)
