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


@pytest.mark.parametrize("written", ["%{verbose:/v}", "%{!verbose:/v}", "%{verbose:%{?nil}/v}"])
def test_verbose_is_the_build_hosts_to_answer(written: str, tmp_path: Path) -> None:
    """``%{verbose:TEXT}`` is TEXT where rpm runs verbose (``rpmbuild -v``), else nothing (red
    team 38). The reader made it ``0``, exact: ``downloads.citrix.com%{verbose:/v}`` was the host
    ``downloads.citrix.com0``, no Citrix host, and ``citrix-sdk%{verbose:-devel}`` a package
    nothing names; the spec passed ``--strict`` clean."""
    text = (
        f"{HEADER}Source1: https://downloads.citrix.com{written}/verbose.tar.gz\n"
        f"BuildRequires: citrix-sdk{written.replace('/v', '-devel')}\n%description\nd\n%files\n"
    )
    quiet, loud = rpmspec(tmp_path, text, "-P"), rpmspec(tmp_path, text, "-v", "-P")
    spec = parse_spec(text, "case.spec")
    read = {source.value for source in spec.sources}
    required = {dependency.name for dependency in spec.build_requires}
    for parsed in (quiet, loud):  # what rpm reads either way is read
        source = re.search(r"^Source1: (\S+)", parsed, re.MULTILINE)
        requirement = re.search(r"^BuildRequires: (\S+)", parsed, re.MULTILINE)
        assert source and requirement
        assert source.group(1) in read
        assert requirement.group(1) in required
    assert "https://downloads.citrix.com/verbose.tar.gz" in read  # the control: rpm's two differ
    assert {"citrix-sdk", "citrix-sdk-devel"} <= required
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}


def test_verbose_with_a_blank_is_what_follows_its_name(tmp_path: Path) -> None:
    """``%{verbose TEXT}`` is `` TEXT``, blank and all, where rpm runs verbose; else nothing."""
    text = f"{HEADER}Source1: https://downloads.citrix.com/%{{verbose x y}}.tar.gz\n%description\nd\n%files\n"
    loud = rpmspec(tmp_path, text, "-v", "-P")
    assert "Source1: https://downloads.citrix.com/ x y.tar.gz" in loud  # the control
    read = {source.value for source in parse_spec(text, "case.spec").sources}
    assert read - {"case.tar.gz"} == {
        "https://downloads.citrix.com/.tar.gz",
        "https://downloads.citrix.com/ x y.tar.gz",
    }


def test_a_builtin_called_with_blanks_reads_its_first_argument(tmp_path: Path) -> None:
    """rpm 4.18 gives a built-in called ``%{name ARGS}`` or ``%name ARGS`` its first argument
    only (``argv[1]``): ``%{basename citrix-sdk foo/clean}`` is ``citrix-sdk``, and ``%undefine h
    x`` undefines ``h`` (red team 38). The reader joined the arguments: ``clean``, and ``h x``
    undefined, leaving ``h`` example.org where rpm had popped it back to the Citrix host; exact,
    no gap."""
    text = (
        f"{HEADER}%define h downloads.citrix.com\n%define h example.org\n%undefine h x\n"
        "Source1: https://%{h}/undefined.tar.gz\n"
        "Source2: https://downloads.citrix.%{suffix x.com y.org}/suffix.tar.gz\n"
        "BuildRequires: %{basename citrix-sdk foo/clean}\n"
        "BuildRequires: %basename citrix-tools foo/clean\n"
        "BuildRequires: %{expand citrix-devel clean}\n%description\nd\n%files\n"
    )
    parsed = rpmspec(tmp_path, text, "-P")
    rpm_sources = set(re.findall(r"^Source\d*: (\S+)", parsed, re.MULTILINE))
    rpm_requires = set(re.findall(r"^BuildRequires: (\S+)", parsed, re.MULTILINE))
    assert "https://downloads.citrix.com/undefined.tar.gz" in rpm_sources  # the control
    assert rpm_requires == {"citrix-sdk", "citrix-tools", "citrix-devel"}
    spec = parse_spec(text, "case.spec")
    assert {source.value for source in spec.sources} == rpm_sources
    assert {dependency.name for dependency in spec.build_requires} == rpm_requires
    assert not spec.gaps


@pytest.mark.parametrize(("call", "value"), [("%{upper:x}", "X"), ("%{lower:X}", "x"), ("%{len:xy}", "2")])
def test_a_function_rpm_4_18_lacks_is_the_build_hosts(call: str, value: str, tmp_path: Path) -> None:
    """rpm 4.18 has no ``%{upper:}``, ``%{lower:}`` nor ``%{len:}``: it leaves them as written,
    and a newer rpm evaluates them (red team 38). The reader evaluated them, exactly, so ``%if
    "%{upper:x}" == "X"`` took the clean branch where this rpm takes the Citrix one."""
    text = (
        f'{HEADER}%global h {call}\n%if "%{{h}}" == "{value}"\nBuildRequires: clean\n%else\n'
        "BuildRequires: citrix-sdk\n%endif\n%description\nd\n%files\n"
    )
    assert rpmspec(tmp_path, text, "-q", "--buildrequires").split() == ["citrix-sdk"]  # the control
    spec = parse_spec(text, "case.spec")
    assert {dependency.name for dependency in spec.build_requires} == {"clean", "citrix-sdk"}
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}
