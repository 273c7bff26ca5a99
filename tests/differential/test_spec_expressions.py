"""rpm's expressions (``%if``, ``%[...]``) decided as rpm 4.18 decides them (red team 38).

Each case parts rpm's reading from one the reader made, exactly and with no gap, so that an
``%if`` took the branch rpm does not and a Citrix BuildRequires in rpm's branch went unseen.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from auditor.rpm.spec.expression import evaluate
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import HEADER, rpmspec

COMPARISONS = ["3 == 3 < 2", "0 == 1 < 2", "1 != 1 >= 0", "-10 != 10 > 1", "1 + 1 == 2 < 3", "2 == 2 == 2"]
"""rpm's six comparisons are one level, left to right: ``3 == 3 < 2`` is ``(3 == 3) < 2``."""


def rpm_truths(expressions: list[str]) -> list[bool]:
    values = " ".join(f"[%[{expression}]]" for expression in expressions)
    done = subprocess.run(["rpm", "--eval", values], capture_output=True, text=True, check=True)
    found = re.findall(r"\[([^\]]*)\]", done.stdout)
    assert len(found) == len(expressions), done.stderr
    return [value != "0" for value in found]


def test_comparisons_are_one_level_left_to_right() -> None:
    assert [evaluate(expression) for expression in COMPARISONS] == rpm_truths(COMPARISONS)


def test_a_comparison_chain_takes_rpms_branch(tmp_path: Path) -> None:
    """``%if 3 == 3 < 2`` is true for rpm: the reader, with C's precedence, read it false,
    exactly, and left out the Citrix BuildRequires under it."""
    text = f"{HEADER}%if 3 == 3 < 2\nBuildRequires: citrix-sdk\n%endif\n%description\nd\n%files\n"
    assert rpmspec(tmp_path, text, "-q", "--buildrequires").split() == ["citrix-sdk"]  # the control
    spec = parse_spec(text, "case.spec")
    assert [dependency.name for dependency in spec.build_requires] == ["citrix-sdk"]
    assert not spec.gaps


VERSION_TRUTHS = ['!v"1.10"', '!v"0"', '!!v"1"', 'v"1" ? 1 : 0', '!v"1" == 1', '(v"1" || v"2") == v"2"']
"""rpm 4.18 takes a version for false, whatever it holds: ``!v"1"`` is 1."""


def test_a_version_is_false() -> None:
    assert [evaluate(expression) for expression in VERSION_TRUTHS] == rpm_truths(VERSION_TRUTHS)


def test_an_if_on_a_version_takes_rpms_branch(tmp_path: Path) -> None:
    """``%if v"2"`` is false for rpm: the reader took the version's text for a string, true,
    exactly, and read the clean branch instead of the Citrix one."""
    text = (
        f'{HEADER}%if v"2"\nBuildRequires: clean\n%else\nBuildRequires: citrix-sdk\n%endif\n'
        "%description\nd\n%files\n"
    )
    assert rpmspec(tmp_path, text, "-q", "--buildrequires").split() == ["citrix-sdk"]  # the control
    spec = parse_spec(text, "case.spec")
    assert [dependency.name for dependency in spec.build_requires] == ["citrix-sdk"]
    assert not spec.gaps


def test_expr_evaluates_its_argument_as_expanded_once(tmp_path: Path) -> None:
    """``%{expr:}`` expands its argument, then evaluates it with no expansion of its own: the
    string ``"%%{undefine:h}"`` is the text ``%{undefine:h}``. The reader expanded the string
    again, so ``h`` was undefined for it alone and popped back to its clean value, exactly,
    where rpm reads the Citrix host."""
    text = (
        f"{HEADER}%define h example.org\n%define h downloads.citrix.com\n"
        '%global junk %{expr:"%%{undefine:h}"}\nSource1: https://%{h}/expr.tar.gz\n'
        '%global same %{expr:"%%{h}" == "downloads.citrix.com"}\n'
        "%if %{same}\nBuildRequires: clean\n%else\nBuildRequires: citrix-sdk\n%endif\n%description\nd\n%files\n"
    )
    parsed = rpmspec(tmp_path, text, "-P")
    assert "Source1: https://downloads.citrix.com/expr.tar.gz" in parsed  # the control
    assert "BuildRequires: citrix-sdk" in parsed
    spec = parse_spec(text, "case.spec")
    assert "https://downloads.citrix.com/expr.tar.gz" in {source.value for source in spec.sources}
    assert [dependency.name for dependency in spec.build_requires] == ["citrix-sdk"]
    assert not spec.gaps
