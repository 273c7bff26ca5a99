"""How the auditor reads a spec's lines, against rpm's own reading of the same spec.

Each case is a spec a red team wrote to part the two readings (section names in another
case, tags with a blank before their number...). rpm's answer comes from ``rpmspec -q``
(the source header's SOURCE and PATCH file names, and each binary package's Vendor and
Requires) or ``rpmspec -P``; where rpm cannot be asked what a build host would do, the
auditor must say so with a gap. The SRPM that ``rpmbuild -bs`` makes of the spec is read
too: its SPEC tag is the spec as rpm parsed it, and it goes through another reader.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from auditor.rpm.spec.result import Spec
from auditor.rpm.spec.rpmmacros import RPM_MACRO_NAMES
from auditor.sources.rpmpackage import read_rpm_file
from auditor.sources.specs import read_spec_file
from auditor.sources.srpmspec import recorded_name

CITRIX = "https://code.citrite.net/x"
HEADER = "Name: case\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: case.tar.gz\n"


def _run(tmp_path: Path, command: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home), "LC_ALL": "C"},
    )
    assert done.returncode == 0 or not check, done.stderr
    return done


def rpmspec(tmp_path: Path, text: str, *options: str) -> str:
    """``rpmspec OPTIONS`` on ``text``, with a private HOME (no ~/.rpmmacros)."""
    tool = shutil.which("rpmspec")
    assert tool, "rpmspec is the authority here: install rpm (Debian package rpm)"
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    return _run(tmp_path, [tool, "--define", f"_topdir {tmp_path}", *options, str(spec)]).stdout


def rpm_recorded(tmp_path: Path, text: str) -> set[str]:
    """The Source and Patch file names rpmbuild records in the source package."""
    out = rpmspec(tmp_path, text, "-q", "--srpm", "--qf", "[%{SOURCE}\n][%{PATCH}\n]")
    return set(out.split())


def rpm_packages(tmp_path: Path, text: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Each binary package rpm would build: its Vendor and its Requires (rpmlib ones aside)."""
    out = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", "%{NAME}|%{VENDOR}|[%{REQUIRES}|]\n")
    found = {}
    for line in out.splitlines():
        name, vendor, *requires = line.split("|")
        found[name] = (
            vendor,
            frozenset(item for item in requires if item and not item.startswith("rpmlib(")),
        )
    return found


def auditor_recorded(spec: Spec) -> set[str]:
    return {recorded_name(source.value) for source in spec.sources}


def auditor_packages(spec: Spec) -> dict[str, tuple[str, frozenset[str]]]:
    built = set(spec.built)
    return {
        package.name: (package.vendor or "(none)", frozenset(str(dep) for dep in package.requires))
        for package in spec.packages
        if package.name in built
    }


def build_srpm(tmp_path: Path, text: str) -> Path:
    """The source RPM ``rpmbuild -bs`` makes of ``text``, each Source and Patch an empty file."""
    tool = shutil.which("rpmbuild")
    assert tool, "rpmbuild is the authority here: install rpm (Debian package rpm)"
    top = tmp_path / "top"
    (top / "SOURCES").mkdir(parents=True, exist_ok=True)
    for name in rpm_recorded(tmp_path, text):
        (top / "SOURCES" / name).write_text("x\n")
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    _run(tmp_path, [tool, "-bs", "--quiet", "--define", f"_topdir {top}", str(spec)])
    (srpm,) = (top / "SRPMS").glob("*.src.rpm")
    return srpm


def assert_read_as_rpm_reads(tmp_path: Path, text: str, *, citrix: bool = True) -> None:
    """The spec's Sources and packages, and the SRPM's Sources, are rpm's."""
    spec = parse_spec(text, "case.spec")
    expected = rpm_recorded(tmp_path, text)
    if citrix:  # the control: the case hides something rpm does take
        assert any(CITRIX in source for source in rpmspec(tmp_path, text, "-P").splitlines())
    assert auditor_recorded(spec) == expected
    assert auditor_packages(spec) == rpm_packages(tmp_path, text)
    srpm = read_rpm_file(str(build_srpm(tmp_path, text)))
    assert {recorded_name(source.value) for source in srpm.sources} == expected


def test_section_names_are_read_without_case(tmp_path: Path) -> None:
    """rpm's ``isPart`` compares section names without case: ``%Package sub`` opens a
    subpackage (with a Citrix Vendor, Source and Requires), ``%SOURCELIST`` a source list."""
    text = (
        f"{HEADER}%description\nd\n%Package sub\nSummary: sub\nVendor: Citrix Systems, Inc.\n"
        f"Source1: {CITRIX}/sub.tar.gz\nRequires: citrix-thing\n%Description sub\nsub\n"
        f"%SOURCELIST\n{CITRIX}/listed.tar.gz\n%PatchList\n{CITRIX}/listed.patch\n%files\n%Files sub\n"
    )
    assert_read_as_rpm_reads(tmp_path, text)
    assert parse_spec(text, "case.spec").packages[1].vendor == "Citrix Systems, Inc."


def test_a_source_tag_with_a_blank_before_its_number(tmp_path: Path) -> None:
    """rpm's ``addSource`` reads a Source or Patch number up to the first blank, and the value
    after the line's first colon: ``Source 1: URL`` is Source0, ``Patch<TAB>x: URL`` a Patch."""
    text = (
        "Name: case\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n"
        f"Source 1: {CITRIX}/spnum.tar.gz\nSource2: spnum2.tar.gz\nPatch\tx: {CITRIX}/fix.patch\n"
        f"%description\nd\n%package sub\nSummary: sub\nPatch 7 : {CITRIX}/sub.patch\n%description sub\ns\n%files\n"
    )
    assert_read_as_rpm_reads(tmp_path, text)


CODE_CASES = {
    "include": (
        "Source1: extra.inc\n%include %{SOURCE1}\n",
        {"extra.inc": f"Source2: {CITRIX}/inc.tar.gz\nVendor: Citrix Systems, Inc.\n"},
    ),
    # rpm looks for %include in the line it expanded: a macro may write it (red team 38).
    "include-from-a-macro": (
        "Source1: extra.inc\n%define inc() %%include %1\n%inc %{SOURCE1}\n",
        {"extra.inc": f"Source2: {CITRIX}/inc.tar.gz\nBuildRequires: citrix-sdk\n"},
    ),
    "lua": ('%{lua: print("Source1: https://code." .. "citrite.net/x/lua.tar.gz")}\n', {}),
    "shell": (f"%(echo Source1: {CITRIX}/sh.tar.gz)\n", {}),
    "load": (
        "Source1: macros.load\n%{load:%{SOURCE1}}\n%{?load_sources}\n",
        {"macros.load": f"%load_sources Source2: {CITRIX}/load.tar.gz\n"},
    ),
    # In a build script, rpm runs it while it parses: the macro it defines is there for later lines.
    "lua-in-prep": (
        '%description\nd\n%prep\n%{lua: rpm.define("cx code.citrite.net")}\n'
        "%package sub\nSummary: s\nSource3: https://%{?cx}%{!?cx:example.org}/x/sub.tar.gz\n"
        "%description sub\ns\n%files sub\n",
        {},
    ),
}


@pytest.mark.parametrize("case", CODE_CASES, ids=list(CODE_CASES))
def test_code_rpm_runs_is_a_gap(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """rpm runs ``%include``, Lua, shell and ``%{load:}`` as it parses; the auditor never does,
    so what they make (here a Citrix Source) is unseen: a gap, and ``--strict`` fails."""
    body, files = CODE_CASES[case]
    for name, content in files.items():
        (tmp_path / name).write_text(content)
    text = HEADER + body + ("" if "%description" in body else "%description\nd\n") + "%files\n"
    printed = rpmspec(tmp_path, text, "--define", f"_sourcedir {tmp_path}", "-P")
    assert CITRIX in printed  # the control: rpm takes the Citrix Source the code makes
    spec_path = tmp_path / "case.spec"
    packages = read_spec_file(str(spec_path))
    for package in packages:
        assert GapKind.SPEC_CODE in {gap.kind for gap in package.gaps}, package.name
    assert main(["scan", str(spec_path), "--strict", "--format", "json"]) == 3
    assert {gap["kind"] for gap in json.loads(capsys.readouterr().out)["packages"][0]["gaps"]} >= {
        "spec-code"
    }


def test_code_in_a_dependency_list_invents_no_capability(tmp_path: Path) -> None:
    """rpm splits a Requires list after its code ran; the auditor, which runs none, must not take
    the words of the code for capabilities. XCP-ng's openvswitch spec has a subpackage
    ``Version: %(echo "%{kernel_version}" | tr - .)`` that a later ``%{name} = %{version}``
    reads: that was ``tr``, ``|`` and ``-`` required. What rpm requires by the name written
    before the code is required; what the code prints is a gap, and no requirement."""
    text = (
        HEADER
        + "%global kv 4.19-19\n"
        + 'Requires: case-kmod = %(echo "%{kv}" | tr - .), plain >= 1\n'
        + "Requires: %(echo shell-made another)\n"
        + 'BuildRequires: %{lua: print("lua-made")} gcc\n'
        + 'Requires: perl(:MODULE_COMPAT_%(eval "`perl -V:version`"; echo $version))\n'
        + "%define spaced() %(echo -n \"%1\" | sed 's/ /_/g')\n"
        + "Provides: case-text = %spaced 8.3\n"  # xcp-ng-release's product-version-text
        + "%description\nd\n%files\n"
    )
    rpm_names = rpm_packages(tmp_path, text)["case"][1]  # names only
    assert {"case-kmod", "plain", "shell-made", "another"} <= rpm_names  # the control
    rpm_build = set(rpmspec(tmp_path, text, "-q", "--srpm", "--qf", "[%{REQUIRES}\n]").split())
    assert "gcc" in rpm_build and "lua-made" in rpm_build
    spec = parse_spec(text, "case.spec")
    (package,) = spec.packages
    requires = [str(dep) for dep in package.requires]
    # The perl idiom prints one word of the build host, no spec text: kept whole, as read.
    perl = 'perl(:MODULE_COMPAT_%(eval "`perl -V:version`"; echo $version))'
    assert requires == ["case-kmod", "plain >= 1", perl]
    assert {dep.split()[0] for dep in requires if dep != perl} <= rpm_names
    assert [str(dep) for dep in spec.build_requires] == ["gcc"]
    # A Provides the code makes was a package providing sed, | and -n: it met a Requires: sed.
    rpm_provides = rpmspec(tmp_path, text, "-q", "--qf", "[%{PROVIDENEVRS}\\n]").split("\n")
    assert "case-text = 8.3" in rpm_provides  # the control
    assert [str(dep) for dep in package.provides] == ["case-text"]
    assert [gap.detail for gap in spec.gaps if gap.kind is GapKind.SPEC_CODE] == [
        'case.spec:8: Requires: case-kmod = %(echo "%{kv}" | tr - .), plain >= 1',
        "case.spec:9: Requires: %(echo shell-made another)",
        'case.spec:10: BuildRequires: %{lua: print("lua-made")} gcc',
        "case.spec:13: Provides: case-text = %spaced 8.3",
    ]


def test_a_dependency_on_a_macro_an_undecided_branch_sets_has_each_value(tmp_path: Path) -> None:
    """Both branches of an ``%if`` the build host decides are read, so a macro one of them sets
    has each branch's value, and a BuildRequires or Requires naming it requires what either
    build would (as a Source does): a Citrix SDK behind ``%if 0%{?rhel} >= 8`` is seen.
    XCP-ng's openvswitch-ipsec requires ``%{name} = %{version}-%{release}`` after a
    ``%package modules`` that an undecided ``%if`` gives a Version of its own."""
    text = (
        HEADER
        + "%if 0%{?rhel} >= 8\n%global sdk citrix-sdk\n%else\n%global sdk clean-sdk\n%endif\n"
        + "BuildRequires: %{sdk} >= 2\nRequires: %{sdk}-runtime\n%description\nd\n%files\n"
    )
    spec = parse_spec(text, "case.spec")
    build = {str(dep) for dep in spec.build_requires}
    (package,) = spec.packages
    requires = {str(dep) for dep in package.requires}
    for host in ([], ["--define", "rhel 8"]):
        rpm_build = rpmspec(tmp_path, text, *host, "-q", "--srpm", "--qf", "[%{REQUIRENEVRS}\n]")
        assert set(rpm_build.split("\n")) - {""} <= build, host
        rpm_requires = rpmspec(tmp_path, text, *host, "-q", "--qf", "[%{REQUIRENEVRS}\n]")
        assert set(rpm_requires.split("\n")) - {"", "/bin/sh"} <= requires, host
    assert build == {"clean-sdk >= 2", "citrix-sdk >= 2"}
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}


def test_code_in_a_source_value_is_that_sources_gap() -> None:
    """A Source whose own value runs code already says it was not seen: one gap, not two."""
    spec = parse_spec(f"{HEADER}Source1: {CITRIX}/%{{lua: print('a')}}.tgz\n", "case.spec")
    assert [gap.kind for gap in spec.gaps] == [GapKind.UNEXPANDED_SOURCE]


def test_values_past_those_kept_are_a_gap(tmp_path: Path) -> None:
    """A macro given a value in each of nine undecided branches has more values than the
    reader keeps; the ninth (here rpm's with ``--define 'a8 1'``) is not read, and that is said."""
    blocks = "".join(f"%if 0%{{?a{i}}}\n%global u alts-{i}.tar.gz\n%endif\n" for i in range(1, 8))
    text = (
        f"Name: alts\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n{blocks}"
        f"%if 0%{{?a8}}\n%global u {CITRIX}/alts.tar.gz\n%endif\n"
        "%if 0%{?a9}\n%global u alts-9.tar.gz\n%endif\nSource0: %{u}\n%description\nd\n%files\n"
    )
    assert f"Source0: {CITRIX}/alts.tar.gz" in rpmspec(tmp_path, text, "--define", "a8 1", "-P")
    spec = parse_spec(text, "alts.spec")
    read = {source.value for source in spec.sources}
    unread = [gap for gap in spec.gaps if "more values than were read" in gap.detail]
    assert f"{CITRIX}/alts.tar.gz" in read or unread
    assert [str(gap) for gap in unread] == [
        "unexpanded-source: alts.spec:33: Source0: %{u} (its macros may have more values than were read)"
    ]


def test_combinations_past_those_read_are_a_gap() -> None:
    """Two macros of five values each make 25 Sources; fewer are read, and that is said."""
    blocks = "".join(
        f"%if 0%{{?c{i}}}\n%global {name} {name}{i}\n%endif\n" for name in ("x", "y") for i in range(5)
    )
    spec = parse_spec(f"{HEADER}{blocks}Source1: https://%{{?x}}.example/%{{?y}}.tgz\n", "c.spec")
    assert any("more values than were read" in gap.detail for gap in spec.gaps)
    few = parse_spec(f"{HEADER}{blocks}Source1: https://%{{?x}}.example/a.tgz\n", "c.spec")
    assert not any("more values than were read" in gap.detail for gap in few.gaps)


def test_if_needs_a_blank_after_it(tmp_path: Path) -> None:
    """rpm 4.18 takes ``%if`` (and ``%ifarch``...) as a conditional only when a blank or the
    end of the line follows: ``%if(0)`` in a description is text, and what follows is read."""
    text = (
        f"{HEADER}%description\nd\n%if(0)\n%ifarch(x86_64)\n%package sub\nSummary: sub\n"
        f"Vendor: Citrix Systems, Inc.\nSource1: {CITRIX}/ifp-sub.tar.gz\n%description sub\nx\n%files\n%files sub\n"
    )
    assert_read_as_rpm_reads(tmp_path, text)


UNBALANCED = {
    "unclosed": ("%if 0\nSource1: a.tgz\n", "case.spec:7: %if never closed"),
    "endif-alone": ("%endif\n", "case.spec:7: %endif with no %if"),
    "else-alone": ("%else\n", "case.spec:7: %else with no %if"),
}


@pytest.mark.parametrize("case", UNBALANCED, ids=list(UNBALANCED))
def test_an_unbalanced_conditional_is_a_gap(case: str, tmp_path: Path) -> None:
    """rpm refuses a spec whose conditionals do not balance; a reader that does not has parted
    from rpm's reading somewhere (``%if(0)`` taken for an ``%if``...): a gap, never silence."""
    body, where = UNBALANCED[case]
    text = f"{HEADER}{body}%description\nd\n%files\n"
    tool = shutil.which("rpmspec")
    assert tool
    (tmp_path / "case.spec").write_text(text)
    done = _run(tmp_path, [tool, "-P", str(tmp_path / "case.spec")], check=False)
    assert done.returncode != 0 and "%if" in done.stderr  # the control: rpm refuses it
    gaps = [gap for gap in parse_spec(text, "case.spec").gaps if gap.kind is GapKind.UNDECIDED_CONDITIONAL]
    assert [gap.detail.split(": rpm refuses")[0] for gap in gaps if "rpm refuses" in gap.detail] == [where]


HOST_MACRO_CASES = {
    "negated-test-in-if": f'%if "%{{!?optflags:unset}}" == "unset"\nSource1: clean.tgz\n%else\nSource1: {CITRIX}/a.tgz\n%endif\n',
    "definition-in-negated-test": f"%{{!?_topdir:%global clean 1}}\n%if 0%{{?clean}}\nSource1: clean.tgz\n%else\nSource1: {CITRIX}/b.tgz\n%endif\n",
    "negated-test-in-source": f"Source1: {CITRIX}/%{{!?_vendor:c}}.tgz\n",
}


@pytest.mark.parametrize("case", HOST_MACRO_CASES, ids=list(HOST_MACRO_CASES))
def test_a_macro_rpm_defines_is_not_known_undefined(case: str, tmp_path: Path) -> None:
    """rpm's own macro files define hundreds of macros on every build host (``%optflags``,
    ``%_topdir``...): a negated test of one the spec does not define cannot be decided."""
    text = HEADER + HOST_MACRO_CASES[case] + "%description\nd\n%files\n"
    spec = parse_spec(text, "case.spec")
    rpm_reads = rpm_recorded(tmp_path, text)
    assert any("citrite" in line for line in rpmspec(tmp_path, text, "-P").splitlines())
    if case == "negated-test-in-source":  # the Source is rpm's only with a gap saying it may not be
        assert [gap.kind for gap in spec.gaps] == [GapKind.UNEXPANDED_SOURCE]
    else:  # both branches read, the conditional a gap
        assert auditor_recorded(spec) >= rpm_reads
        assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}


def test_the_macro_names_are_those_rpm_defines(tmp_path: Path) -> None:
    """The shipped list (tests/differential/make_rpm_macros.py) has every macro this rpm defines."""
    out = _run(tmp_path, ["rpm", "--showrc"]).stdout.split("\n========================\n", 1)[-1]
    defined = {name for level, name in re.findall(r"^-(\d+)[:=] (\w+)", out, re.MULTILINE) if level != "20"}
    assert defined <= RPM_MACRO_NAMES
    assert {"optflags", "_topdir", "_vendor"} <= RPM_MACRO_NAMES


def test_an_isa_requirement_names_the_architectures_build(tmp_path: Path) -> None:
    """``Requires: foo%{?_isa}`` is ``foo(x86-64)`` for rpm: a requirement only the x86_64 build
    of foo provides. Read as plain ``foo``, any provider of foo (a clean noarch one) satisfied it."""
    text = HEADER + "Requires: foo%{?_isa}\nRequires: bar%{_isa}\n%description\nd\n%files\n"
    spec = parse_spec(text, "case.spec")
    assert auditor_packages(spec) == rpm_packages(tmp_path, text)
    assert auditor_packages(spec)["case"][1] == {"foo(x86-64)", "bar(x86-64)"}


def test_an_architectures_package_provides_its_isa_name_as_rpmbuild_gives_it(tmp_path: Path) -> None:
    """rpmbuild gives an x86_64 package ``name(x86-64) = EVR``, and a noarch one nothing of the
    kind: what ``Requires: name%{?_isa}`` finds among specs audited together."""
    arch = HEADER + "%description\nd\n%package sub\nSummary: s\n%description sub\nd\n%files\n%files sub\n"
    noarch = arch.replace("Source0:", "BuildArch: noarch\nSource0:")
    # A package that provides its own name itself (XCP-ng's kernel-headers = %{uname}, perf's
    # python2-perf) still gets rpmbuild's name = EVR and name(x86-64) = EVR beside it.
    own = arch.replace(
        "%package sub\n", "%package sub\nProvides: case-sub = 0.9\nProvides: case-sub(x86-64)\n"
    )
    for text in (arch, noarch, own):
        path = tmp_path / "case.spec"
        path.write_text(text)
        expected = set(rpmspec(tmp_path, text, "-q", "--provides").splitlines())
        found = {
            str(dep)
            for package in read_spec_file(str(path))
            if not package.is_source
            for dep in package.provides
        }
        assert found == expected


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("ExclusiveArch: aarch64 ppc64le", "aarch64"),
        ("ExclusiveArch: %{ix86} x86_64", "x86_64"),
        ("ExcludeArch: x86_64", "aarch64"),
        ("ExcludeArch: s390x", "x86_64"),
    ],
)
def test_a_spec_rpmbuild_refuses_here_is_not_built_for_this_architecture(
    tag: str, expected: str, tmp_path: Path
) -> None:
    """rpmbuild stops ("Architecture is not included") where ExclusiveArch leaves the host out or
    ExcludeArch names it: no package of this architecture exists to provide anything."""
    text = HEADER.replace("Source0:", f"{tag}\nSource0:") + "Provides: foo\n%description\nd\n%files\n"
    path = tmp_path / "case.spec"
    path.write_text(text)
    top = tmp_path / "top"
    (top / "SOURCES").mkdir(parents=True)
    (top / "SOURCES" / "case.tar.gz").write_text("x\n")
    built = subprocess.run(
        ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (built.returncode == 0) == (expected == "x86_64"), built.stderr
    [binary] = [package for package in read_spec_file(str(path)) if not package.is_source]
    assert binary.arch == expected


def test_build_requirements_printed_at_build_time_are_a_gap_of_the_spec_and_its_srpm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``%generate_buildrequires`` prints more BuildRequires when the package is built: unseen,
    so --strict fails on the spec, and on the SRPM rpmbuild makes of it (which says so by
    requiring rpmlib(DynamicBuildRequires))."""
    text = HEADER + "BuildRequires: gcc\n%description\nd\n%generate_buildrequires\necho citrix-sdk\n%files\n"
    path = tmp_path / "case.spec"
    path.write_text(text)
    srpm = build_srpm(tmp_path, text)
    requires = subprocess.run(["rpm", "-qp", "--requires", str(srpm)], capture_output=True, text=True)
    assert "rpmlib(DynamicBuildRequires)" in requires.stdout
    for target in (path, srpm):
        [source] = (
            [p for p in read_spec_file(str(path)) if p.is_source]
            if target == path
            else [read_rpm_file(str(srpm))]
        )
        assert [gap.kind for gap in source.gaps] == [GapKind.DYNAMIC_BUILDREQUIRES]
        code = main(["scan", str(target), "--strict", "--no-cache", "-q", "--format", "json"])
        reasons = json.loads(capsys.readouterr().out)["completeness"]["reasons"]
        # the binary carries its source package's gap too: its build-side verdict is that one's (the
        # SRPM's, scanned alone, is the binary its spec builds)
        assert code == 3 and {"reason": "dynamic-buildrequires", "count": 2} in reasons


BUILTIN_CASES = [
    (name, text)
    for name in ("basename", "dirname", "suffix")
    for text in ("mirror.net/", "abc", "a.b/c", "a/b/", "/a", "x.tar.gz", "a/b.c/d")
]


def test_pure_builtins_cut_text_as_rpm_does() -> None:
    """``%{suffix:mirror.net/}`` is ``net/`` for rpm (after the last "." of the whole text): read
    as the last path part's suffix, a Citrix host written through it was another host."""
    from auditor.rpm.spec.builtins import PURE_FUNCTIONS

    expression = " ".join(f"[%{{{name}:{text}}}]" for name, text in BUILTIN_CASES)
    done = subprocess.run(["rpm", "--eval", expression], capture_output=True, text=True, check=True)
    expected = re.findall(r"\[([^\]]*)\]", done.stdout)
    assert [PURE_FUNCTIONS[name](text) for name, text in BUILTIN_CASES] == expected


def test_a_quoted_macro_argument_is_a_gap_not_a_split_value() -> None:
    text = HEADER.replace(
        "Source0: case.tar.gz",
        "%define pick() %2\nSource0: %pick %{quote:a b} https://code.citrite.net/x/q.tar.gz",
    )
    spec = parse_spec(text, "case.spec")
    assert [gap.kind for gap in spec.gaps] == [GapKind.UNEXPANDED_SOURCE]


EXPRESSIONS = [
    "4294967296",
    "2147483648 > 0",
    "99999999999999999999 < 0",
    "2147483647 + 1 > 0",
    "-2147483648 - 1 < 0",
    "65536 * 65536 != 0",
    "-7 / 2 == -3",
    "7 / -2 == -3",
    'v"1:1.0" < v"2.0"',
    'v"0:1.0" == v"1.0"',
    'v"1.0" == v"1.0-5"',
    'v"1.0-1" < v"1.0-2"',
    'v"2:1" > v"1:9"',
    'v"1.0-1" == v"1.0"',
    'v"1.0~rc1" < v"1.0"',
    'v"a:1" == v"a:1"',
]


def test_expressions_are_decided_as_rpm_decides_them() -> None:
    """rpm's expression values are C ints, and ``v"..."`` compares epoch, version, release: an
    %if on a wrapped number or an epoch was decided the other way, for the other branch's Source."""
    from auditor.rpm.spec.expression import evaluate

    values = " ".join(f"[%[{expression}]]" for expression in EXPRESSIONS)
    done = subprocess.run(["rpm", "--eval", values], capture_output=True, text=True, check=True)
    expected = [value != "0" for value in re.findall(r"\[([^\]]*)\]", done.stdout)]
    assert [evaluate(expression) for expression in EXPRESSIONS] == expected


def test_a_spec_built_elsewhere_is_read_as_rpm_reads_it_there(tmp_path: Path) -> None:
    """A spec only aarch64 builds is read for aarch64, its %ifarch and %{?_isa} included, as
    ``rpmspec --target aarch64`` reads it: labelling its x86_64 reading aarch64 missed the
    Source only aarch64 takes, and required foo(x86-64) where foo provides foo(aarch-64)."""
    text = (
        HEADER.replace("Source0:", "ExclusiveArch: aarch64\nSource0:")
        + f"%ifarch aarch64\nSource1: {CITRIX}/arm.tar.gz\n%endif\n"
        + "%description\nd\n%package sub\nSummary: s\nRequires: case%{?_isa} = %{version}-%{release}\n"
        + "%description sub\nd\n%files\n%files sub\n"
    )
    path = tmp_path / "case.spec"
    path.write_text(text)
    target = ("--target", "aarch64")
    sources = set(rpmspec(tmp_path, text, "-q", "--srpm", *target, "--qf", "[%{SOURCE}\n]").split())
    requires = rpmspec(tmp_path, text, "-q", *target, "--builtrpms", "--qf", "%{NAME}|[%{REQUIRES} ]\n")
    packages = read_spec_file(str(path))
    [source] = [package for package in packages if package.is_source]
    assert {recorded_name(item.value) for item in source.sources} == sources == {"case.tar.gz", "arm.tar.gz"}
    sub = next(package for package in packages if package.name == "case-sub")
    assert sub.arch == "aarch64" and "case(aarch-64)" in requires
    assert [dep.name for dep in sub.requires] == ["case(aarch-64)"]
    assert "case(aarch-64)" in {dep.name for package in packages for dep in package.provides}


def test_an_exclusivearch_the_host_defines_keeps_the_arch(tmp_path: Path) -> None:
    path = tmp_path / "case.spec"
    path.write_text(
        HEADER.replace("Source0:", "ExclusiveArch: %{rust_arches}\nSource0:") + "%description\nd\n%files\n"
    )
    [binary] = [package for package in read_spec_file(str(path)) if not package.is_source]
    assert binary.arch == "x86_64"


def test_a_subpackage_with_its_own_version_has_rpms_evr(tmp_path: Path) -> None:
    """A ``%package`` with its own Version, Release or Epoch (XCP-ng's kernel.spec builds
    ``bpftool`` with ``Version: %{bpftoolversion}``) is built with it; the rest of its EVR is
    the main package's, and it is built from the main package's source package. Every binary
    was given the main package's EVR: bpftool-6.4.0 where rpm builds bpftool-7.2.0, and what
    it provides (``tool = 2:7.2.0-1``) met requirements the real package does not."""
    text = (
        "Name: v\nEpoch: 2\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\n%description\nd\n"
        "%package -n tool\nVersion: 7.2.0\nSummary: t\n%description -n tool\nt\n"
        "%package rel\nRelease: 9\nEpoch: 5\nSummary: r\n%description rel\nr\n"
        "%package after\nSummary: a\n%description after\na\n"
        "%files\n%files -n tool\n%files rel\n%files after\n"
    )
    query = "%{NAME} %{EPOCH}:%{VERSION}-%{RELEASE} %{SOURCERPM}\n"
    expected = set(rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", query).splitlines())
    assert "tool 2:7.2.0-1 (none)" in expected  # rpmspec leaves SOURCERPM unset: the auditor names it
    packages = read_spec_file(str(tmp_path / "case.spec"))
    binaries = [package for package in packages if not package.is_source]
    assert {f"{p.name} {p.epoch}:{p.version}-{p.release} (none)" for p in binaries} == expected
    assert {p.sourcerpm for p in binaries} == {"v-1.0-1.src.rpm"}
    tool = next(package for package in binaries if package.name == "tool")
    assert [str(item) for item in tool.provides if item.name == "tool"] == ["tool = 2:7.2.0-1"]


def test_a_source_or_origin_tag_the_build_host_answers_is_read_both_ways(tmp_path: Path) -> None:
    """rpm defines ``%_gnu`` on every host: ``%{?_gnu:CITRIX}%{!?_gnu:CLEAN}`` is CITRIX wherever
    rpm builds (rpmspec is the control). A dependency line was read both ways; a Source, URL or
    Vendor line only with the reader's guess, CLEAN, and a gap: the Citrix Source, URL and
    Vendor were no findings, the package clean (exit 0 without --strict)."""
    text = (
        "Name: host\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "Vendor: %{?_gnu:Citrix Systems, Inc.}%{!?_gnu:XCP-ng}\n"
        f"URL: %{{?_gnu:{CITRIX}/u}}%{{!?_gnu:https://xcp-ng.org}}\n"
        f"Source0: %{{?_gnu:{CITRIX}/x.tgz}}%{{!?_gnu:https://github.com/xcp-ng/x.tgz}}\n"
        "%description\nd\n%files\n"
    )
    assert f"Source0: {CITRIX}/x.tgz" in rpmspec(tmp_path, text, "-P")
    shown = rpmspec(tmp_path, text, "-q", "--qf", "%{VENDOR}|%{URL}\n")
    assert shown.strip() == f"Citrix Systems, Inc.|{CITRIX}/u"
    spec = parse_spec(text, "case.spec")
    assert f"{CITRIX}/x.tgz" in {source.value for source in spec.sources}
    first = spec.packages[0]
    values = {(key, value) for key, value in first.alternatives} | {
        ("vendor", first.vendor),
        ("url", first.url),
    }
    assert {("vendor", "Citrix Systems, Inc."), ("url", f"{CITRIX}/u")} <= values
    # and the auditor reports them, package by package
    assert main(["scan", str(tmp_path / "case.spec"), "--no-cache", "-q"]) == 1


def test_a_files_header_the_build_host_answers_builds_each_package_it_may_name(tmp_path: Path) -> None:
    """``%files %{?_gnu:sub}`` is the %files of ``case-sub`` wherever rpm builds (rpm defines
    ``%_gnu``): rpmbuild makes case-sub, whose Requires names a Citrix package. The header was
    read with the reader's guess alone (the main package's, twice), so case-sub was never built
    nor audited, and no gap said so."""
    text = (
        f"{HEADER}%description\nd\n%package sub\nSummary: x\nRequires: citrix-thing\n"
        "%description sub\nx\n%files\n%files %{?_gnu:sub}\n"
    )
    built = rpmspec(tmp_path, text, "-q", "--builtrpms", "--qf", "%{NAME}\n").split()
    assert sorted(built) == ["case", "case-sub"]
    packages = read_spec_file(str(tmp_path / "case.spec"))
    binaries = {package.name: package for package in packages if not package.is_source}
    assert sorted(binaries) == ["case", "case-sub"]
    assert "citrix-thing" in {item.name for item in binaries["case-sub"].requires}


def test_an_evr_the_build_host_answers_is_a_gap(tmp_path: Path) -> None:
    """``Epoch: %{?_gnu:3}%{!?_gnu:0}`` is 3 wherever rpm builds (rpmspec is the control); the
    reader's guess, 0, was taken as exact, with no gap, though requirements on the package
    compare with it. A bare ``%{?xsrel}`` (XCP-ng's Release) is a value, not a test: no gap."""
    text = (
        "Name: case\nEpoch: %{?_gnu:3}%{!?_gnu:0}\nVersion: %{?_gnu:9}%{!?_gnu:1}\n"
        "Release: 1%{?xsrel}\nSummary: s\nLicense: MIT\n%description\nd\n%files\n"
    )
    assert rpmspec(tmp_path, text, "-q", "--qf", "%{EPOCH}:%{VERSION}-%{RELEASE}\n").strip() == "3:9-1"
    gaps = [gap.detail for gap in parse_spec(text, "case.spec").gaps if gap.kind is GapKind.UNEXPANDED_TAG]
    assert any("%{?_gnu:3}" in detail for detail in gaps)
    assert any("%{?_gnu:9}" in detail for detail in gaps)
    assert not any("xsrel" in detail for detail in gaps)


def test_what_a_test_the_build_host_answers_defines_is_a_maybe_both_ways(tmp_path: Path) -> None:
    """``%{?_gnu:%global vendor Citrix...}`` defines the Vendor wherever rpm builds (rpm defines
    ``%_gnu``; rpmspec is the control). The reader's guess skips the branch, and only a branch
    the guess took made its definitions maybes: Vendor and a Source read through the macro
    stayed clean, with gaps, where ``%if 0%{?_gnu:1}`` around the same lines gave findings."""
    text = (
        "%{?_gnu:%global vendor Citrix Systems, Inc.}\n"
        f"%{{?_gnu:%global srcurl {CITRIX}/g.tgz}}\n"
        "Name: case\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
        "Source0: %{?srcurl}%{!?srcurl:g.tgz}\n%description\nd\n%files\n"
    )
    assert f"Source0: {CITRIX}/g.tgz" in rpmspec(tmp_path, text, "-P")
    assert rpmspec(tmp_path, text, "-q", "--qf", "%{VENDOR}\n").strip() == "Citrix Systems, Inc."
    spec = parse_spec(text, "case.spec")
    assert f"{CITRIX}/g.tgz" in {source.value for source in spec.sources}
    first = spec.packages[0]
    assert "Citrix Systems, Inc." in {
        first.vendor,
        *(value for key, value in first.alternatives if key == "vendor"),
    }
    assert GapKind.UNEXPANDED_SOURCE in {gap.kind for gap in spec.gaps}  # still not exact
