"""Shapes met in XCP-ng's own spec files (github.com/xcp-ng-rpms), each reproduced in a small
spec and read against rpm's reading of it.

A gap on a spec that rpm reads whole fails ``scan --strict`` on XCP-ng's own packages; a gap
must therefore be rpm's truth (the build host decides, code rpm runs), never a misreading.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from auditor.rpm.gaps import GapKind
from auditor.rpm.spec.parser import parse_spec
from tests.differential.test_spec_reading import CITRIX, _run, build_srpm, rpm_recorded, rpmspec

HEADER = "Name: case\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nSource0: case.tar.gz\n"
BODY = "%description\nd\n%files\n"

LUA_DEPENDENCIES = (
    # xcp-ng-rpms/xen SPECS/xen.spec (master, 4.17.5): %define core_builddeps() %{lua: ...},
    # a Lua body over many lines, called as %{core_builddeps BuildRequires}; kernel.spec too.
    "%define deps() %{lua:\n"
    "    deps = {\n"
    "        'gcc',\n"
    "        'make'\n"
    "    }\n"
    "    -- a long string the code never prints\n"
    "    s = [[\n"
    f"Source9: {CITRIX}.tar.gz\n"
    "]]\n"
    "    for _, dep in ipairs(deps) do\n"
    "        print(rpm.expand('%1') .. ': ' .. dep .. '\\\\n')\n"
    "    end\n"
    "}\n"
    "%{deps BuildRequires}\n"
)


def test_a_multi_line_lua_body_is_code_not_spec_lines(tmp_path: Path) -> None:
    """rpm runs the Lua and reads what it prints (``BuildRequires: gcc``...); the code's own
    lines are never spec lines. The auditor, which runs no Lua, has a `spec-code` gap for the
    call, and neither a gap saying rpm refuses the spec nor a Source rpm never records."""
    text = HEADER + LUA_DEPENDENCIES + BODY
    printed = rpmspec(tmp_path, text, "-P")
    assert "BuildRequires: gcc" in printed and CITRIX not in printed
    assert rpm_recorded(tmp_path, text) == {"case.tar.gz"}
    build_srpm(tmp_path, text)  # rpm reads the spec whole: nothing it refuses
    spec = parse_spec(text, "case.spec")
    assert [source.value for source in spec.sources] == ["case.tar.gz"]
    kinds = {gap.kind for gap in spec.gaps}
    assert kinds == {GapKind.SPEC_CODE}, spec.gaps
    assert not any("refuses" in gap.detail for gap in spec.gaps)


SHELL_GLOBAL = (
    # xcp-ng-rpms/host-installer SPECS/host-installer.spec (master, 8.2, XS-8.3): Fedora's idiom
    # to keep rpm from byte-compiling Python, the spec's one piece of code.
    "%global __os_install_post %(echo '%{__os_install_post}' | "
    "sed -e 's!/usr/lib[^[:space:]]*/brp-python-bytecompile[[:space:]].*$!!g')\n"
)


def test_a_global_a_shell_command_sets_for_the_build_is_no_gap(tmp_path: Path) -> None:
    """rpm runs the command of a ``%global``'s value as it defines it and keeps what it prints
    as the value; ``__os_install_post`` is read only when the ``%install`` script runs, never
    while rpm parses the spec. The line is no `spec-code` gap (it made ``scan --strict`` fail
    on every branch of host-installer); a line of the spec reading the macro is one."""
    text = HEADER + SHELL_GLOBAL + BODY
    assert rpmspec(tmp_path, text, "-P").startswith(HEADER)
    assert rpm_recorded(tmp_path, text) == {"case.tar.gz"}
    build_srpm(tmp_path, text)
    spec = parse_spec(text, "case.spec")
    assert [source.value for source in spec.sources] == ["case.tar.gz"]
    assert spec.gaps == ()
    reading = parse_spec(HEADER + SHELL_GLOBAL + "Vendor: %{__os_install_post}\n" + BODY, "case.spec")
    assert reading.gaps


def test_a_global_a_shell_command_sets_for_the_parse_stays_a_gap(tmp_path: Path) -> None:
    """The control: ``%global _target_cpu %(echo ppc64)`` decides rpm's ``%ifarch ppc64``, which
    takes a Citrix Source rpm records: a spec-code gap, never a silent clean."""
    text = (
        HEADER
        + "%global _target_cpu %(echo ppc64)\n%ifarch ppc64\nSource1: "
        + CITRIX
        + ".tar.gz\n%endif\n"
        + BODY
    )
    assert "x.tar.gz" in rpm_recorded(tmp_path, text)
    assert GapKind.SPEC_CODE in {gap.kind for gap in parse_spec(text, "case.spec").gaps}


@pytest.mark.parametrize("directive", ["%ifarch ppc64", "%ifnarch x86_64", "%ifos darwin", "%ifnos linux"])
def test_an_ifarch_reads_the_target_the_spec_defines(directive: str, tmp_path: Path) -> None:
    """rpm's ``%ifarch`` matches ``%{_target_cpu}`` as expanded there, and ``%ifos``
    ``%{_target_os}``: a spec that defines them decides its own branches. A Citrix Source in
    such a branch passed the spec clean, while the SRPM rpmbuild makes of it is ``origin``."""
    defined = "%global _target_cpu ppc64\n%global _target_os darwin\n"
    text = HEADER + defined + directive + "\nSource1: " + CITRIX + ".tar.gz\n%endif\n" + BODY
    assert "x.tar.gz" in rpm_recorded(tmp_path, text)  # the authority takes the branch
    spec = parse_spec(text, "case.spec")
    assert CITRIX + ".tar.gz" in [source.value for source in spec.sources]


BCOND_IN_A_BRANCH = (
    # xcp-ng-rpms/xapi SPECS/xapi.spec (master, XS-8.3): the XenServer 9 build conditionals are
    # declared under %if 0%{?xenserver} >= 9, and tested outside it.
    "%if 0%{?xenserver} >= 9\n%bcond_without dnf_plugin\n%endif\n"
    f"%if %{{with dnf_plugin}}\nSource1: {CITRIX}.tar.gz\n%endif\n"
)


def test_a_bcond_in_a_branch_not_taken_leaves_its_with_undefined(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``--undefine xenserver`` (XCP-ng 8.2's build hosts; 8.3's define it 8), rpm skips the
    ``%bcond_without`` line, so ``%{with dnf_plugin}`` is 0 and the Citrix Source is not built.
    ``with_dnf_plugin`` is the bcond's own name, which the spec (never a build host) sets, as
    after a ``%bcond_with`` that is read; the spec said ``origin``, with an undecided gap.
    (The SRPM made of it is ``origin`` by design: a rebuild may take the branch.)"""
    text = HEADER + BCOND_IN_A_BRANCH + BODY
    assert rpm_recorded(tmp_path, text) == {"case.tar.gz"}
    build_srpm(tmp_path, text)  # writes case.spec, as rpm reads it
    spec = str(tmp_path / "case.spec")
    options = ["--no-cache", "-q", "--format", "json"]
    assert main(["scan", spec, "--undefine", "xenserver", "--strict", *options]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [package["gaps"] for package in report["packages"]] == [[], []]
    # A branch the reader cannot decide still reads both ways: origin, with the gap.
    assert main(["scan", spec, *options]) == 1


PATCH_PER_DIST = (
    # xcp-ng-rpms/xapi SPECS/xapi.spec (XS-8.3, 8.3): Patch1..7 under %if "%{dist}" == ".xs9",
    # then "Security patches from xapi-89" numbered Patch1..4 again, outside any conditional.
    '%if "%{dist}" == ".xs9"\nPatch1: 0001-xen-4.20.patch\n%endif\n'
    f"Patch1: {CITRIX}/0001-xapi89-backend-local.patch\n"
)


@pytest.mark.parametrize(("dist", "refused"), [(".xs9", True), (".xcpng8.3", False)])
def test_a_patch_number_read_twice_is_a_spec_rpm_refuses(dist: str, refused: bool, tmp_path: Path) -> None:
    """rpm refuses a spec whose Source or Patch number comes twice ("patch 1 defined multiple
    times"): built for XenServer 9, XenServer's xapi.spec does not parse. The reader read both
    lines and said nothing; the reading is not rpm's, which a gap says (the control, another
    dist, takes one Patch1: no gap)."""
    text = HEADER + PATCH_PER_DIST + BODY
    spec = tmp_path / "case.spec"
    spec.write_text(text)
    done = _run(tmp_path, ["rpmspec", "--define", f"dist {dist}", "-P", str(spec)], check=False)
    assert ("patch 1 defined multiple times" in done.stderr) is refused
    gaps = parse_spec(text, "case.spec", defines={"dist": dist}).gaps
    assert any("Patch1 defined again" in gap.detail for gap in gaps) is refused, gaps


def test_a_number_in_each_branch_of_an_undecided_conditional_is_no_refusal(tmp_path: Path) -> None:
    """The reader reads both branches of a conditional it cannot decide; rpm reads one of them,
    and one Patch1 is no refusal. With ``dist`` the build host's, xapi.spec's first Patch1 may
    not be read: the conditional is the gap, no number read twice."""
    text = HEADER + "%if 0%{?rhel} >= 9\nPatch1: a.patch\n%else\nPatch1: b.patch\n%endif\n" + BODY
    assert rpm_recorded(tmp_path, text) == {"case.tar.gz", "b.patch"}
    for spec_text in (text, HEADER + PATCH_PER_DIST + BODY):
        gaps = parse_spec(spec_text, "case.spec").gaps
        assert not any("defined again" in gap.detail for gap in gaps), gaps
        assert {gap.kind for gap in gaps} == {GapKind.UNDECIDED_CONDITIONAL}


def test_an_ifarch_on_a_list_a_build_host_may_define_is_undecided(tmp_path: Path) -> None:
    """``%ifarch %{?arches} ppc64`` with ``arches`` defined nowhere in the spec is the build
    host's to answer, as ``%if 0%{?arches:1}`` is: the reader read the list as ``ppc64``, skipped
    the branch and said nothing, while a host defining ``arches`` (``rpmbuild --define``, a
    macro file) records the Citrix Source. Now both branches are read, with the gap."""
    text = HEADER + "%ifarch %{?arches} ppc64\nSource1: " + CITRIX + ".tar.gz\n%endif\n" + BODY
    assert rpm_recorded(tmp_path, text) == {"case.tar.gz"}
    defined = rpmspec(tmp_path, text, "--define", "arches x86_64", "-q", "--srpm", "--qf", "[%{SOURCE}\n]")
    assert "x.tar.gz" in defined.split()  # the authority, on a host that defines it
    spec = parse_spec(text, "case.spec")
    assert CITRIX + ".tar.gz" in [source.value for source in spec.sources]
    assert {gap.kind for gap in spec.gaps} == {GapKind.UNDECIDED_CONDITIONAL}
    # The spec's own definition decides it, as the command line's does.
    decided = parse_spec("%global arches x86_64\n" + text, "case.spec")
    assert CITRIX + ".tar.gz" in [source.value for source in decided.sources] and decided.gaps == ()


@pytest.mark.parametrize(("directive", "taken"), [("%ifarch", True), ("%ifnarch", False)])
def test_an_ifarch_listing_the_target_beside_a_macro_rpm_defines_is_decided(
    directive: str, taken: bool, tmp_path: Path
) -> None:
    """xcp-ng-rpms/devtoolset-11-gcc SPECS/gcc.spec: ``%ifarch %{ix86} x86_64 ppc ... %{mips}
    riscv64``. rpm's own macro files define ``%{mips}`` (its value differs between rpm
    releases), which the reader leaves as written; but the target, x86_64, is in the list
    whatever ``%{mips}`` holds, and rpm takes the branch on it. The reader said undecided (such
    lines of gcc, grub, systemd, python and psmisc made scan --strict fail); a list without the
    target beside a macro the reader cannot expand stays undecided."""
    text = HEADER + f"{directive} %{{mips}} x86_64\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    assert ("x.tar.gz" in rpm_recorded(tmp_path, text)) is taken
    spec = parse_spec(text, "case.spec", arch="x86_64")
    assert (CITRIX + ".tar.gz" in [source.value for source in spec.sources]) is taken
    assert spec.gaps == ()
    other = parse_spec(text.replace("%{mips} x86_64", "%{efi_arches} s390x"), "case.spec", arch="x86_64")
    assert CITRIX + ".tar.gz" in [source.value for source in other.sources]
    assert {gap.kind for gap in other.gaps} == {GapKind.UNDECIDED_CONDITIONAL}


PY3_DIST = (
    # xcp-ng-rpms/python-urllib3 SPECS/python-urllib3.spec (8.3): python-rpm-macros' %py3_dist,
    # which the build host defines, called with its argument inside the braces.
    "BuildRequires: %{py3_dist idna}\nRequires: %{py3_dist six} >= 1.16\n"
)


def test_a_dependency_on_a_host_macro_called_with_arguments_is_one_requirement(tmp_path: Path) -> None:
    """``%{py3_dist six}`` is ``python3dist(six)`` on a host with python-rpm-macros, and rpm refuses
    the spec on one without. The reader, which leaves the call as written, split it at its blank
    into ``%{py3_dist`` and ``six} >= 1.16``: two requirements no spec has (``scan`` of a source
    RPM named them, ``idna}, six}``, as what a rebuild needs). It is one requirement, unresolved
    as written, as ``kernel-uname-r = %{kernel_version}`` is."""
    text = HEADER + PY3_DIST + BODY
    (tmp_path / "case.spec").write_text(text)
    done = _run(tmp_path, ["rpmspec", "-P", str(tmp_path / "case.spec")], check=False)
    assert "Dependency tokens must begin" in done.stderr  # the build host's macros decide
    defined = "%define py3_dist() python3dist(%1)\n"
    printed = rpmspec(tmp_path, defined + text, "-q", "--requires")
    assert "python3dist(six) >= 1.16" in printed.splitlines()
    spec = parse_spec(text, "case.spec")
    [binary] = spec.packages
    assert [(item.name, str(item.evr) if item.evr else None) for item in binary.requires] == [
        ("%{py3_dist six}", "1.16")
    ]
    assert [item.name for item in spec.build_requires] == ["%{py3_dist idna}"]
    # Defined by the spec, the macro gives what rpm gives.
    [read] = parse_spec(defined + text, "case.spec").packages
    assert [item.name for item in read.requires] == ["python3dist(six)"]


@pytest.mark.parametrize(
    ("directive", "taken", "member"),
    [("%ifnarch %{mips}", True, "mips64el"), ("%ifarch %{power64} %{sparc}", False, "ppc64le")],
)
def test_an_arch_family_rpm_defines_without_the_target_decides_the_branch(
    directive: str, taken: bool, member: str, tmp_path: Path
) -> None:
    """xcp-ng-rpms/devtoolset-11-gcc SPECS/gcc.spec: ``%ifnarch %{mips}``. rpm's macro files
    define its arch families (``%mips``, ``%power64``, ``%sparc``...), whose members differ
    between rpm releases (4.11's ``%mips`` is not 4.18's) but never hold an x86 or ARM target:
    on x86_64 rpm decides the branch whatever the release, and so does the reader now (gcc's
    were undecided). A target a family may hold stays undecided."""
    text = HEADER + f"{directive}\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    assert ("x.tar.gz" in rpm_recorded(tmp_path, text)) is taken
    spec = parse_spec(text, "case.spec", arch="x86_64")
    assert (CITRIX + ".tar.gz" in [source.value for source in spec.sources]) is taken
    assert spec.gaps == ()
    other = parse_spec(text, "case.spec", arch=member)
    assert CITRIX + ".tar.gz" in [source.value for source in other.sources]
    assert {gap.kind for gap in other.gaps} == {GapKind.UNDECIDED_CONDITIONAL}


@pytest.mark.parametrize(
    "directive",
    [
        "%ifarch X86_64",  # rpm compares the words without regard to ASCII case
        "%ifos Linux",
        "%if 0\n%elifarch X86_64",
        "%ifarch # x86_64",  # no comment in an arch list: "#" is one more word
        "%ifnarch %{mips}x86_64",  # the family glued to the word: no word x86_64
        "%ifnarch x86_64\x1faarch64",  # a word rpm's isspace does not part
        "%ifnarch x86_64\u00a0aarch64",
        "%ifnarch aarch64 %{lua: -- x86_64 }",  # a word inside code is none of the list's
    ],
)
def test_an_arch_list_is_read_word_by_word_as_rpm_reads_it(
    directive: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rpm's %ifarch, %ifnarch and %ifos compare the target with each word of the expanded list,
    words parted by C's isspace and compared without regard to ASCII case; a ``#`` is a word.
    The reader compared case and all, cut the list at ``#``, parted words where Python does and
    took ``x86_64`` out of ``%{mips}x86_64``: each of these branches rpm takes was skipped with
    no gap, its Citrix Source unseen, and the scan passed."""
    text = HEADER + f"{directive}\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    assert "x.tar.gz" in rpm_recorded(tmp_path, text)  # the authority takes the branch
    spec = parse_spec(text, "case.spec", arch="x86_64")
    assert CITRIX + ".tar.gz" in [source.value for source in spec.sources], spec.gaps
    assert main(["scan", str(tmp_path / "case.spec"), "--no-cache", "-q", "--format", "json"]) == 1
    capsys.readouterr()


def test_an_arch_list_rpm_decides_by_case_has_no_gap(tmp_path: Path) -> None:
    """``%ifnarch X86_64`` is decided (rpm skips it on x86_64), as is ``%ifnarch %{arm64}`` on a
    target written AARCH64: a family's members are compared as rpm compares them."""
    text = HEADER + f"%ifnarch X86_64\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    assert "x.tar.gz" not in rpm_recorded(tmp_path, text)
    spec = parse_spec(text, "case.spec", arch="x86_64")
    assert CITRIX + ".tar.gz" not in [source.value for source in spec.sources] and spec.gaps == ()
    family = HEADER + f"%ifarch %{{arm64}}\nSource1: {CITRIX}.tar.gz\n%endif\n" + BODY
    recorded = rpmspec(
        tmp_path, family, "--define", "_target_cpu AARCH64", "-q", "--srpm", "--qf", "[%{SOURCE}\n]"
    )
    assert "x.tar.gz" in recorded.split()
    read = parse_spec(family, "case.spec", defines={"_target_cpu": "AARCH64"})
    assert CITRIX + ".tar.gz" in [source.value for source in read.sources]
