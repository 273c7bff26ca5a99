"""Build conditionals read as rpm reads them: the auditor's Sources against ``rpmspec -P``.

Each case is a spec whose Source1 or Patch1 depends on a ``%bcond`` and on what else
defines ``with_NAME`` (``%global``, ``%define``, ``%undefine``, before or after the bcond
line, ``--with``/``--without`` on the command line). ``rpmspec -P`` (rpm's own parser)
prints the spec with every macro expanded and every conditional decided; the auditor,
which runs nothing, must read the same Source and Patch values from the same arguments.

Where the answer depends on the build machine (``%{?rhel}``), rpm decides and the auditor
cannot: it must read the union of what rpm reads on each machine (``variants``) and record
an undecided-conditional gap.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import rpmfile

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.builtins import bcond_defines
from auditor.rpm.spec.macros import MacroContext
from auditor.rpm.spec.parser import parse_spec
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.srpmspec import recorded_name
from tests.conftest import RPMS

CITRIX = "https://repo.citrite.net/ctx-local-contrib/thing/thing-1.0.tar.gz"
CLEAN = "https://github.com/xcp-ng/thing/archive/v1.0/thing-1.0.tar.gz"
PATCH = "https://code.citrite.net/projects/XS/repos/thing/commits/abc.patch#/citrix.patch"
HEADER = "Name: thing\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: thing-base.tar.gz\n"
FOOTER = "\n%description\nd\n\n%prep\n: prepare\n"

WITH_CITRIX = f"%if %{{with citrix}}\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n"
WITHOUT_CITRIX = f"%if %{{without citrix}}\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}\n%endif\n"


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    args: tuple[str, ...] = ()
    """rpmspec arguments: ``--with NAME``, ``--without NAME``, ``--define 'NAME VALUE'``,
    ``--undefine NAME``."""
    variants: tuple[tuple[str, ...], ...] = ()
    """For an undecidable case: the build machines whose rpmspec readings the auditor unites."""


CASES = [
    Case("bcond_with", f"%bcond_with citrix\n{WITH_CITRIX}"),
    Case("bcond_with+global-after", f"%bcond_with citrix\n%global with_citrix 1\n{WITH_CITRIX}"),
    Case("bcond_with+global-before", f"%global with_citrix 1\n%bcond_with citrix\n{WITH_CITRIX}"),
    Case("bcond_with+define-after", f"%bcond_with citrix\n%define with_citrix 1\n{WITH_CITRIX}"),
    Case("bcond_with+define-before", f"%define with_citrix 1\n%bcond_with citrix\n{WITH_CITRIX}"),
    Case("bcond_with+global-0", f"%bcond_with citrix\n%global with_citrix 0\n{WITH_CITRIX}"),
    Case("bcond_with+global-in-comment", f"%bcond_with citrix\n# %global with_citrix 1\n{WITH_CITRIX}"),
    Case(
        "bcond_with+expand-global", f"%bcond_with citrix\n%{{expand:%%global with_citrix 1}}\n{WITH_CITRIX}"
    ),
    Case("bcond_with+continued-global", f"%bcond_with citrix\n%global with_citrix \\\n1\n{WITH_CITRIX}"),
    Case(
        "bcond_with+parametric-global",
        f"%define enable() %{{expand:%%global with_%1 1}}\n%bcond_with citrix\n%enable citrix\n{WITH_CITRIX}",
    ),
    Case(
        "bcond_with+local-define-in-call",
        f"%define enable() %{{expand:%%define with_%1 1}}\n%bcond_with citrix\n%enable citrix\n{WITH_CITRIX}",
    ),
    Case("bcond_with+global-after-use", f"%bcond_with citrix\n{WITH_CITRIX}%global with_citrix 1\n"),
    Case("bcond_with--with", f"%bcond_with citrix\n{WITH_CITRIX}", ("--with", "citrix")),
    Case("bcond_with--without", f"%bcond_with citrix\n{WITH_CITRIX}", ("--without", "citrix")),
    Case(
        "bcond_with+global--without",
        f"%bcond_with citrix\n%global with_citrix 1\n{WITH_CITRIX}",
        ("--without", "citrix"),
    ),
    Case("bcond_with--define_with", f"%bcond_with citrix\n{WITH_CITRIX}", ("--define", "_with_citrix 1")),
    Case("bcond_without", f"%bcond_without citrix\n{WITH_CITRIX}"),
    Case("bcond_without--without", f"%bcond_without citrix\n{WITH_CITRIX}", ("--without", "citrix")),
    Case("bcond_without--with", f"%bcond_without citrix\n{WITH_CITRIX}", ("--with", "citrix")),
    Case("bcond_without+undefine-after", f"%bcond_without citrix\n%undefine with_citrix\n{WITH_CITRIX}"),
    Case("bcond_without+undefine-before", f"%undefine with_citrix\n%bcond_without citrix\n{WITH_CITRIX}"),
    Case(
        "global+bcond_without+undefine",
        f"%global with_citrix 1\n%bcond_without citrix\n%undefine with_citrix\n{WITH_CITRIX}",
    ),
    Case("bcond_without+without-test", f"%bcond_without citrix\n{WITHOUT_CITRIX}"),
    Case("bcond_with+without-test", f"%bcond_with citrix\n{WITHOUT_CITRIX}"),
    Case("bcond-1", f"%bcond citrix 1\n{WITH_CITRIX}"),
    Case("bcond-0", f"%bcond citrix 0\n{WITH_CITRIX}"),
    Case("bcond-0+global", f"%bcond citrix 0\n%global with_citrix 1\n{WITH_CITRIX}"),
    Case("bcond-expr", f"%bcond citrix %[2 > 1]\n{WITH_CITRIX}"),
    Case("bcond-expr-false", f'%bcond citrix %[v"1.10" < v"1.9"]\n{WITH_CITRIX}'),
    Case("bcond-0--with", f"%bcond citrix 0\n{WITH_CITRIX}", ("--with", "citrix")),
    Case("bcond-1--without", f"%bcond citrix 1\n{WITH_CITRIX}", ("--without", "citrix")),
    Case("inline-with", f"%bcond_with citrix\n%global with_citrix 1\n%{{?with_citrix:Source1: {CITRIX}}}\n"),
    Case("inline-without", f"%bcond_with citrix\n%{{!?with_citrix:Source1: {CLEAN}}}\nPatch1: {PATCH}\n"),
    Case(
        "inline-undefined-with",
        f"%bcond_with citrix\n%{{?with_citrix:Source1: {CITRIX}}}\n%{{!?with_citrix:Source1: {CLEAN}}}\n",
    ),
    Case(
        "expression-source",
        f'%bcond_with citrix\n%global with_citrix 1\nSource1: %[%{{with citrix}} ? "{CITRIX}" : "{CLEAN}"]\n',
    ),
    Case(
        "two-bconds",
        f"%bcond_with citrix\n%bcond_without patches\n%global with_citrix 1\n"
        f"%if %{{with citrix}} && %{{with patches}}\nPatch1: {PATCH}\n%endif\n{WITH_CITRIX}",
    ),
    Case(
        "defined-test",
        f"%bcond_with citrix\n%global with_citrix 1\n%if %{{defined with_citrix}}\nPatch1: {PATCH}\n%endif\n",
    ),
    Case(
        "rhel-defined",
        f"%if 0%{{?rhel}} >= 8\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
        ("--define", "rhel 8"),
    ),
    # Undecidable without the build machine: the union of the machines' readings.
    Case(
        "rhel-undecided",
        f"%if 0%{{?rhel}} >= 8\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
        variants=((), ("--define", "rhel 8")),
    ),
    Case(
        "bcond-in-undecided-branches",
        f"%if 0%{{?rhel}}\n%bcond_without citrix\n%else\n%bcond_with citrix\n%endif\n{WITH_CITRIX}",
        variants=((), ("--define", "rhel 8")),
    ),
    Case(
        "global-in-undecided-branch",
        f"%bcond_without clean\n%if 0%{{?rhel}}\n%undefine with_clean\n%endif\n"
        f"%if %{{with clean}}\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}\n%endif\n",
        variants=((), ("--define", "rhel 8")),
    ),
    # rpm's first parse of a spec whose main package names its BuildArch ends at that line; the
    # second, which rpmbuild and rpmspec keep, starts with the macros defined until then.
    Case(
        "buildarch-second-pass",
        "Source1: https://%{ctxhost}/x.tgz\n%global ctxhost repo.citrite.net\nBuildArch: noarch\n",
    ),
    Case(
        "buildarch-definition-after-it",
        "Source1: https://%{ctxhost}/x.tgz\nBuildArch: noarch\n%global ctxhost repo.citrite.net\n",
    ),
    Case(
        "buildarch+bcond-switched-on-after",
        f"%bcond_with citrix\n{WITH_CITRIX}%global with_citrix 1\nBuildArch: noarch\n",
    ),
    # The second parse is for the BuildArch: %_target_cpu is it, and %ifarch reads it.
    Case(
        "buildarch-noarch-target-cpu",
        f"BuildArch: noarch\n%ifarch x86_64\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}\n%endif\n"
        f"Source2: https://example.org/%{{_target_cpu}}.tgz\n%ifnarch noarch\nPatch1: {PATCH}\n%endif\n",
    ),
    Case(
        "buildarch-first-buildable",
        f"BuildArch: aarch64 x86_64 noarch\n%ifarch x86_64\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
    ),
    # rpm joins lines (a final backslash, an open %{, %( or %[), then looks at each of them for
    # a conditional, in a skipped branch too; a conditional ending with a backslash runs on.
    Case("comment-backslash-before-else", f"%if 0\n# a mirror path \\\n%else\nSource1: {CITRIX}\n%endif\n"),
    Case("open-bracket-in-skipped-comment", f"%if 0\n# see %[\n%else\nSource1: {CITRIX}\n%endif\n# ]\n"),
    Case("open-brace-in-skipped-comment", f"%if 0\n# see %{{\n%else\nSource1: {CITRIX}\n%endif\n# }}\n"),
    Case(
        "source-backslash-before-else",
        f"%if 1\nSource1: {CLEAN} \\\n%else\nSource1: {CITRIX}\n%endif\nPatch1: {PATCH}\n",
    ),
    Case("multi-line-if", f"%if 1 \\\n  && 0\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}\n%endif\n"),
    Case(
        "comment-backslash-before-if",
        f"%bcond_with citrix\n# build flags \\\n%if %{{with citrix}}\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
    ),
    # The joined text is expanded before rpm looks at its lines: an %if in a %define's body is
    # no conditional where the definition is read.
    Case(
        "define-body-with-if",
        "%define setup_extra() \\\n%if 0 \\\necho \\\n%endif \\\n%{nil}\n"
        f"%if 1\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
    ),
    Case(
        "if-with-open-brace",
        f"%if 0%{{!?nil:\n1}}\nSource1: {CLEAN}\n%else\nSource1: {CITRIX}\n%endif\n",
    ),
    Case(
        "multi-line-if-machine",
        f"%if 0%{{?rhel}} \\\n  || 0\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
        variants=((), ("--define", "rhel 8")),
    ),
    # --undefine: the user says the build host lacks a macro rpm or a machine may define.
    Case(
        "undefine-machine-macro",
        f"%if 0%{{?xenserver}} >= 9\nSource1: {CITRIX}\n%else\nSource1: {CLEAN}\n%endif\n",
        args=("--undefine", "xenserver"),
    ),
    Case(
        "undefine-in-source",
        f"Source1: %{{?xenserver:{CITRIX}}}%{{!?xenserver:{CLEAN}}}\n",
        args=("--undefine", "xenserver"),
    ),
    Case(
        "bcond-default-from-machine",
        f"%bcond citrix %[0%{{?rhel}} >= 8]\n{WITH_CITRIX}",
        variants=((), ("--define", "rhel 8")),
    ),
]


def rpmspec_sources(tmp_path: Path, text: str, args: tuple[str, ...]) -> set[str]:
    """The Source and Patch values of ``rpmspec -P``, with a private HOME (no ~/.rpmmacros)."""
    rpmspec = shutil.which("rpmspec")
    assert rpmspec, "rpmspec is the authority here: install rpm (Debian package rpm)"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    command = [rpmspec, "-P", "--define", f"_topdir {tmp_path}", "--define", f"_sourcedir {tmp_path}", *args]
    done = subprocess.run(
        [*command, str(spec)],
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"},
    )
    assert done.returncode == 0, done.stderr
    found = set()
    for line in done.stdout.splitlines():
        if re.match(r"%(description|prep)\b", line):
            break
        match = re.match(r"(?i)(?:source|patch)\d*\s*:\s*(.*\S)", line)
        if match:
            found.add(match.group(1))
    return found


def auditor_defines(args: tuple[str, ...]) -> dict[str, str | None]:
    """The ``--define`` pairs the auditor's command line makes of rpmspec's arguments."""
    defines: dict[str, str | None] = {}
    pairs = list(zip(args[::2], args[1::2], strict=True))
    for option, value in pairs:
        if option == "--define":
            name, _, body = value.partition(" ")
            defines[name] = body
        elif option == "--undefine":
            defines[value] = None
        else:
            defines.update(bcond_defines(**{"with_" if option == "--with" else "without": [value]}))
    return defines


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_sources_match_rpmspec(case: Case, tmp_path: Path) -> None:
    text = HEADER + case.body + FOOTER
    spec = parse_spec(text, "case.spec", defines=auditor_defines(case.args))
    read = {source.value for source in spec.sources}
    undecided = [gap for gap in spec.gaps if gap.kind is GapKind.UNDECIDED_CONDITIONAL]
    if not case.variants:
        assert read == rpmspec_sources(tmp_path, text, case.args)
        assert undecided == []
        return
    union: set[str] = set()
    for variant in case.variants:
        union |= rpmspec_sources(tmp_path, text, case.args + variant)
    assert read == union
    assert undecided, "an undecidable conditional must be recorded as a gap"
    assert all(gap.detail.startswith("case.spec:") for gap in undecided)


def test_the_cases_are_not_trivial(tmp_path: Path) -> None:
    """The control: rpm reads the Citrix Source in some cases and the clean one in others,
    and the hidden-Citrix case of issue 11 is among the first."""
    citrix = {case.id for case in CASES if not case.variants and CITRIX in rpmspec_sources(
        tmp_path, HEADER + case.body + FOOTER, case.args)}  # fmt: skip
    assert "bcond_with+global-after" in citrix
    assert "bcond_with" not in citrix
    assert 10 < len(citrix) < len(CASES) - 10


# -- the macro engine itself, against `rpm --eval` ------------------------------------------

P2 = "%define p2(f:x) %{1}|%2|%#|%*|%**|%0|%{?3:three}%{!?3:none}|%{-f}|%{-f*}|%{?-x:X}%{!-x:nx}\n"
EVALS = [
    P2 + "%{p2 -f val a -x b}",  # GNU getopt: options after arguments
    P2 + "%{p2:one two}",  # the colon form passes one argument, unsplit
    P2 + "%p2 a b c",  # unbraced: the arguments run to the end of the line
    P2 + "A%{p2}B",  # no arguments: %1 stays as written
    P2 + "%{macrobody:p2}",
    "%define setit() %{expand:%%define localx 1}%{?localx:L}\n%{setit}[%{?localx:still}]",
    "%define setg() %{expand:%%global globalx %1}\n%{setg 5}[%{?globalx}]",
    "%[ 0 && %{expand:%%global g 1}1 ]-%{?g:set}",  # the skipped operand is never expanded
    "%[ 1 || %{expand:%%global h 1}1 ]%{?h:set}",
    "%[ 1 ? %{expand:%%global k 1}2 : %{expand:%%global l 1}3 ]%{?k:K}%{?l:L}",
    '%[v"1.2.3" > v"1.2"]|%[ "" || "z" ]|%["a" && ""]|%[ -%{expr:2*3} + 10 ]',
    "%{expr:1+2*3}|%{basename:/a/b.tar.gz}|%{shrink:  a   b }|%{suffix:x.tar.gz}|%{dirname:/a/b}",
    "%{defined nil}%{undefined nil}%{?nil:yes}%{!?nil:no}|%{nil}|100%|%%|%2b|%-f|%{-f}",
    "%define a 1\n%define a 2\n%{expand:%%undefine a}%a",
    "%define b {braced body}\n%define c x\\ty\\\\z\n[%b][%c]",
    "%define d one\\\ntwo\n[%d]",
    "%global e1 %{expand:%%define y1 q}\n[%{?y1}][%e1]",
    "%define f1() %{expand:%%global with_%{1} 1}\n%f1 citrix\n%{with citrix}%{without citrix}",
    "%define with_citrix 1\n%bcond_with citrix\n%{with citrix}%{expand:%%undefine with_citrix}%{with citrix}",
    "%bcond_without n\n%{with n}|%bcond n2 %[2 > 1]\n%{with n2}|%{?with_n:yes}",
    "%dnl a comment %{expand:%%global dnl_ran 1}\n[%{?dnl_ran:ran}]",
    "%define inner() [%1]\n%define outer() %{inner %2}%1\n%{outer a b}",
    "%define inner() <%{?2:sees the caller's %%2}>\n%define outer() %{inner x}\n%{outer a b}",
    P2 + "%{?p2:defined}%{!?p2:undefined}",
]


def rpm_eval(tmp_path: Path, text: str) -> str:
    rpm = shutil.which("rpm")
    assert rpm, "rpm is the authority here: install rpm (Debian package rpm)"
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    done = subprocess.run(
        [rpm, "--eval", text],
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"},
    )
    assert done.returncode == 0 and not done.stderr, done.stderr
    return done.stdout.removesuffix("\n")


@pytest.mark.parametrize("text", EVALS)
def test_macro_engine_matches_rpm_eval(text: str, tmp_path: Path) -> None:
    expansion = MacroContext().expand(text)
    assert expansion.text == rpm_eval(tmp_path, text)


# -- the same in a real source RPM that has no SPEC tag -------------------------------------


def test_a_citrix_source_behind_a_bcond_in_a_source_rpm_without_spec_tag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm < 4.15 SRPMs (XCP-ng 8.x) carry their spec only in the payload: what rpm takes
    from it is what `auditor scan` must see, Citrix Source included."""
    path = RPMS / "bcond-citrix-1.0-1.src.rpm"
    spec_tag = subprocess.run(
        ["rpm", "-qp", "--qf", "%|SPEC?{%{SPEC}}|", str(path)], capture_output=True, text=True
    )
    assert spec_tag.returncode == 0 and spec_tag.stdout == ""  # the control: no parsed spec to lean on
    with rpmfile.open(str(path)) as rpm:
        member = rpm.extractfile("bcond-citrix.spec")
        assert member is not None
        spec_text = member.read().decode()
    expected = rpmspec_sources(tmp_path, spec_text, ())
    citrix = "https://repo.citrite.net/ctx-local-contrib/bcond-citrix/bcond-citrix-1.0.tar.gz"
    assert citrix in expected

    code = main(["scan", str(path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    (package,) = [row for row in report["packages"] if row["kind"] == "source"]
    assert code == 1 and package["status"] == "origin"
    assert {"field": "source0", "value": citrix} in [
        {"field": finding["field"], "value": finding["value"]} for finding in package["findings"]
    ]

    read = read_rpm_file(str(path))
    assert {source.value for source in read.sources if not source.unexpanded} <= expected
    # Values only code gives (shell, Lua) are rpm's recorded file names, a gap each.
    assert {recorded_name(source.value) for source in read.sources} == {
        recorded_name(value) for value in expected
    }
    by_line = {(source.kind.value, source.number): source.value for source in read.sources}
    assert by_line[("source", 2)].endswith("/%(echo shell-made)-1.0.tar.gz#/shell-made-1.0.tar.gz")
    assert (by_line[("source", 3)], by_line[("patch", 1)]) == ("lua-made-1.0.tar.gz", "lua-made.patch")
    assert [gap.kind for gap in read.gaps] == [GapKind.UNEXPANDED_SOURCE] * 3
    assert all("rpm recorded the file name" in gap.detail for gap in read.gaps)
