"""A dependency field holding a ``%[...]`` expression or a built-in the reader left as written (specfuzz58).

rpm evaluates every ``%[...]``: it never leaves one as written, as it leaves a macro it does
not know. ``Provides: gitsha(https://code.citrite.n%[0%{?rhel} ? "x" : "et/x"])`` is a
Citrix URL wherever ``%rhel`` is not defined (here, and on Fedora or Debian); the reader,
which leaves the expression as written because the build host answers ``%{?rhel}``, provided
the text as written: no finding, no gap, a clean pass. So did ``%{quote:https://}`` (rpm 4.18
records the text between two unit separators) and a built-in of a newer rpm (``%{reverse:}``,
4.19: rpm 4.18 leaves it as written, a newer one does not). ``rpmspec -P`` is the authority.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import HEADER, rpmspec

EXPRESSIONS = {
    "host-test": '%[0%{?rhel} ? "x" : "et/x"]',
    "defined": '%[%{defined rhel} ? "x" : "et/x"]',
    "through-a-macro": "%{e}",
}
BUILTINS = {
    "quote": "gitsha(%{quote:https://}code.citrite.net/x)",
    "reverse": "gitsha(%{reverse:/:sptth}/code.citrite.net/x)",
    "url2path": "gitsha(https://code.citrite.net%{url2path:https://example.org/x})",
}
DEFINE = '%define e %[0%{?rhel} ? "x" : "et/x"]\n'
TAGS = ("Provides", "Requires", "BuildRequires", "Conflicts")


@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("case", EXPRESSIONS, ids=list(EXPRESSIONS))
def test_an_undecided_expression_in_a_dependency_is_a_gap(
    case: str, tag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        f"{HEADER}{DEFINE}{tag}: gitsha(https://code.citrite.n{EXPRESSIONS[case]})\n%description\nd\n%files\n"
    )
    # The control: rpm reads a Citrix URL.
    assert f"{tag}: gitsha(https://code.citrite.net/x)" in rpmspec(tmp_path, text, "-P")
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code != 0 and not report["completeness"]["complete"]


@pytest.mark.parametrize("case", BUILTINS, ids=list(BUILTINS))
def test_a_builtin_left_as_written_in_a_dependency_is_a_gap(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"{HEADER}Provides: {BUILTINS[case]}\n%description\nd\n%files\n"
    provided = rpmspec(tmp_path, text, "-q", "--provides").replace("\x1f", "")
    # The control: rpm 4.18 provides the Citrix URL, or leaves a newer rpm's built-in as written.
    assert "gitsha(https://code.citrite.net/x)" in provided or BUILTINS[case] in provided
    spec = parse_spec(text, "case.spec")
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
    code = main(["scan", str(tmp_path / "case.spec"), "--strict", "--no-cache", "-q", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code != 0 and not report["completeness"]["complete"]


def test_code_in_a_dependency_is_one_gap() -> None:
    """Code rpm runs is a spec-code gap, not also an undecided one."""
    text = f"{HEADER}Provides: gitsha(%{{lua:print('x')}})\n%description\nd\n%files\n"
    assert {gap.kind for gap in parse_spec(text, "case.spec").gaps} == {GapKind.SPEC_CODE}


def test_a_decided_expression_in_a_dependency_is_read() -> None:
    """The control: an expression the spec decides is evaluated, with no gap."""
    text = f'{HEADER}Provides: gitsha(https://code.citrite.n%["a" == "a" ? "et/x" : "x"])\n%description\nd\n%files\n'
    spec = parse_spec(text, "case.spec")
    assert not spec.gaps
    assert [str(item) for item in spec.packages[0].provides] == ["gitsha(https://code.citrite.net/x)"]
