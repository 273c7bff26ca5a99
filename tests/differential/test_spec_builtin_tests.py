"""A test of one of rpm's built-in macros is the build host's to answer (red team 32).

rpm 4.18 counts its built-ins as defined: ``%{!?basename:%global h example.org}`` defines
nothing, so ``%h`` keeps its Citrix value. The reader took ``%basename`` for a macro no
one defines and the negated test as certain: ``%h`` was example.org, exact, and the Source
clean with no gap. Which built-ins a host has depends on its rpm (4.18 has ``%{exists:}``, not
``%{len:}``), so such a test is read both ways, as one of a macro rpm's macro files define.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.builtins import RPM_BUILTIN_NAMES
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, HEADER, _run, rpmspec


@pytest.mark.parametrize("builtin", ["basename", "expand", "exists", "lua", "getncpus", "dnl"])
def test_a_negated_test_of_a_builtin_is_not_certain(builtin: str, tmp_path: Path) -> None:
    text = (
        f"{HEADER}%global h code.citrite.net\n%{{!?{builtin}:%global h example.org}}\n"
        "Source1: https://%{h}/x/builtin.tar.gz\n%description\nd\n%files\n"
    )
    assert f"Source1: {CITRIX}/builtin.tar.gz" in rpmspec(tmp_path, text, "-P")  # the control
    spec = parse_spec(text, "case.spec")
    read = {source.value for source in spec.sources}
    # Both values are read, and the Source says it is not exact.
    assert f"{CITRIX}/builtin.tar.gz" in read
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}


def test_the_builtin_names_are_those_of_this_rpm(tmp_path: Path) -> None:
    """``rpm --showrc`` lists the built-ins at level -20: every one is in the shipped list."""
    out = _run(tmp_path, ["rpm", "--showrc"]).stdout
    builtins = set(re.findall(r"^-20[:=] (\w+)", out, re.MULTILINE))
    assert {"basename", "expand", "lua"} <= builtins <= RPM_BUILTIN_NAMES
