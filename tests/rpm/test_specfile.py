"""Spec reading: safe macro expansion, conditionals, sources, dependencies."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.errors import InputError
from auditor.rpm.gaps import Gap, GapKind
from auditor.rpm.model import EVR, Dependency, Op, SourceKind
from auditor.rpm.spec.builtins import bcond_defines
from auditor.rpm.spec.dependencies import parse_dependency_list
from auditor.rpm.spec.macros import MacroContext
from auditor.rpm.spec.parser import parse_spec

XS_SPEC = """\
%global xsurl https://code.citrite.net/rest/archive/latest/projects/XSU/repos
%define tarname %{name}-%{version}
Name: xs-thing
Version: 1.2
Release: 3%{?dist}
Epoch: 1
Summary: A thing
License: Proprietary and BSD
URL: https://github.com/xapi-project/%{name}
Source0: %{xsurl}/%{name}/archive?at=v%{version}&format=tar.gz&prefix=%{tarname}#/%{tarname}.tar.gz
Source1: https://repo.citrite.net:443/ctx-local-contrib/%{name}/extra-%{version}.tar.gz
Source: plain.conf
Patch0: https://github.com/xapi-project/%{name}/commit/abc.patch#/fix%2bthing.patch
Patch1: %(echo owned > /tmp/marker)-local.patch
BuildRequires: gcc >= 4.8, make
BuildRequires: (python3-devel or python2-devel) /usr/bin/perl
Requires(pre,post): shadow-utils
Requires: %{name}-libs = %{epoch}:%{version}-%{release}
Provides: gitsha(https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs/archive?at=v1.2&format=tar.gz#/xs-1.2.tar.gz) = 0123abc

%package libs
Summary: libraries
Provides: libthing.so.1()(64bit)

%package -n other-name
Summary: other
Requires: %{lua: print("x")}

%description
text %{name}

%prep
%setup -q
"""


def test_sources_are_expanded_and_kept_as_written() -> None:
    spec = parse_spec(XS_SPEC, "xs.spec")
    assert (spec.name, spec.epoch, spec.version, spec.release) == ("xs-thing", 1, "1.2", "3")
    values = {(s.kind, s.number): s for s in spec.sources}
    source0 = values[(SourceKind.SOURCE, 0)]
    assert source0.value == (
        "https://code.citrite.net/rest/archive/latest/projects/XSU/repos/xs-thing/archive"
        "?at=v1.2&format=tar.gz&prefix=xs-thing-1.2#/xs-thing-1.2.tar.gz"
    )
    assert source0.raw.startswith("%{xsurl}/%{name}/archive")
    assert source0.filename == "xs-thing-1.2.tar.gz"
    assert source0.line == 10
    assert values[(SourceKind.SOURCE, 1)].value.startswith("https://repo.citrite.net:443/")
    assert values[(SourceKind.SOURCE, None)].value == "plain.conf"
    assert values[(SourceKind.PATCH, 0)].filename == "fix%2bthing.patch"


def test_shell_and_lua_are_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    text = XS_SPEC.replace("/tmp/marker", str(marker))
    spec = parse_spec(text, "xs.spec")
    assert not marker.exists()
    patch1 = next(s for s in spec.sources if s.kind is SourceKind.PATCH and s.number == 1)
    assert patch1.value.startswith("%(echo owned")
    assert any(item.startswith("%(echo") for item in patch1.unexpanded)
    assert any("%{lua:" in item for item in spec.unexpanded)


def test_dependencies_and_subpackages() -> None:
    spec = parse_spec(XS_SPEC, "xs.spec")
    assert [str(dep) for dep in spec.build_requires] == [
        "gcc >= 4.8",
        "make",
        "(python3-devel or python2-devel)",
        "/usr/bin/perl",
    ]
    main, libs, other = spec.packages
    assert (main.name, libs.name, other.name) == ("xs-thing", "xs-thing-libs", "other-name")
    assert main.requires[0] == Dependency("shadow-utils", qualifiers=frozenset({"pre", "post"}))
    assert main.requires[1] == Dependency("xs-thing-libs", Op.EQ, EVR(1, "1.2", "3"))
    assert main.provides[0].name.startswith("gitsha(https://code.citrite.net/")
    assert libs.license == "Proprietary and BSD"  # inherited from the main package
    assert libs.provides == (Dependency("libthing.so.1()(64bit)"),)


def test_conditionals() -> None:
    text = """\
Name: c
Version: 1
Release: 1
%global with_x 1
%if %{with_x}
Source0: https://yes.example/a.tgz
%else
Source0: https://no.example/a.tgz
%endif
%if 0%{?rhel} >= 7
Source1: https://rhel.example/b.tgz
%else
Source1: https://other.example/b.tgz
%endif
%ifarch x86_64
Source2: https://x86.example/c.tgz
%endif
%ifarch aarch64
Source3: https://arm.example/d.tgz
%endif
%if 0
%if 1
Source4: https://never.example/e.tgz
%endif
%endif
"""
    spec = parse_spec(text, "c.spec")
    hosts = [s.value.split("/")[2] for s in spec.sources]
    # the environment-dependent %{?rhel} condition is read both ways
    assert hosts == ["yes.example", "rhel.example", "other.example", "x86.example"]
    assert spec.undecided == (10,)
    assert spec.gaps == (Gap(GapKind.UNDECIDED_CONDITIONAL, "c.spec:10: %if 0%{?rhel} >= 7"),)
    decided = parse_spec(text, "c.spec", defines={"rhel": "7"})
    assert [s.value.split("/")[2] for s in decided.sources] == ["yes.example", "rhel.example", "x86.example"]
    assert decided.gaps == ()


def test_elif_chain() -> None:
    text = "Name: e\n%if 0\nSource0: a\n%elif 1\nSource0: b\n%elif 1\nSource0: c\n%else\nSource0: d\n%endif\n"
    assert [s.value for s in parse_spec(text, "e.spec").sources] == ["b"]


def test_macro_expansion_limits() -> None:
    context = MacroContext()
    for level in range(1, 40):
        context.define(f"m{level}", f"%{{m{level - 1}}}%{{m{level - 1}}}")
    context.define("m0", "x")
    expansion = context.expand("%{m39}")
    assert "(expansion too large)" in expansion.unexpanded
    context.define("loop", "%{loop}")
    assert context.expand("%{loop}").unexpanded


def test_conditional_macros() -> None:
    context = MacroContext({"defined_one": "yes"})
    assert context.expand("%{?defined_one:A}%{!?defined_one:B}%{?nope:C}%{!?nope:D}").text == "AD"
    assert context.expand("%%{name} 100%").text == "%{name} 100%"
    assert context.expand("%{basename:/a/b/c.tar.gz} %{suffix:c.tar.gz} %{upper:x}").text == "c.tar.gz gz X"
    assert context.expand("%{_bindir}/python3").text == "/usr/bin/python3"
    assert context.expand("%{getenv:HOME}").unexpanded == ["%{getenv:HOME}"]


def test_dependency_list_parsing() -> None:
    deps = parse_dependency_list("a, b >= 1.0-1,c (d or e) f<2 g = 3:1")
    assert [str(dep) for dep in deps] == ["a", "b >= 1.0-1", "c", "(d or e)", "f<2", "g = 3:1"]


def test_code_in_a_dependency_list_is_kept_apart_whatever_the_line_holds() -> None:
    """The run of code is set apart while the list is split (`parse_dependency_list`) by a
    character the line does not hold: a NUL written in the spec is text, not a mark."""
    text = "Name: a\nVersion: 1\nRequires: x\x00y %(echo z) w\n%description\nd\n%files\n"
    assert [str(dep) for dep in parse_spec(text, "a.spec").packages[0].requires] == ["x\x00y", "w"]
    every_mark = "".join(map(chr, range(0xE000, 0xF900)))
    deps = parse_dependency_list(f"{every_mark} %(echo z)", code=["%(echo z)"], unseen=["%(echo z)"])
    assert [dep.name for dep in deps] == [every_mark, "%(echo", "z)"]  # no mark left: split as is


def test_unexpanded_sources_are_gaps() -> None:
    spec = parse_spec(XS_SPEC, "xs.spec")
    assert spec.gaps == (
        Gap(GapKind.UNEXPANDED_SOURCE, "xs.spec:14: Patch1: %(echo owned > /tmp/marker)-local.patch"),
        # Lua's printed Requires are unseen: code outside a Source is a gap of its own.
        Gap(GapKind.SPEC_CODE, 'xs.spec:27: Requires: %{lua: print("x")}'),
    )
    # A %{?dist} a build machine defines is a guess too: the value read may not be rpm's.
    spec = parse_spec(
        "Name: d\nVersion: 1\nSource: d-%{version}%{?dist}.tgz\n%sourcelist\n%{?rhel}.tgz\n", "d.spec"
    )
    assert [str(gap) for gap in spec.gaps] == [
        "unexpanded-source: d.spec:3: Source: d-%{version}%{?dist}.tgz",
        "unexpanded-source: d.spec:5: Source: %{?rhel}.tgz",
    ]


BCOND = """\
Name: b
Version: 1
%bcond_with citrix
{middle}
%if %{{with citrix}}
Source1: https://repo.citrite.net/b.tgz
%else
Source1: https://github.com/b.tgz
%endif
"""


def hosts_of(text: str, **defines: str) -> list[str]:
    return [source.value.split("/")[2] for source in parse_spec(text, "b.spec", defines=defines).sources]


def test_bcond_follows_rpms_own_macros() -> None:
    assert hosts_of(BCOND.format(middle="")) == ["github.com"]
    assert hosts_of(BCOND.format(middle="%global with_citrix 1")) == ["repo.citrite.net"]
    assert hosts_of(BCOND.format(middle="%define with_citrix 0")) == ["repo.citrite.net"]  # defined is on
    assert hosts_of(BCOND.format(middle="# %global with_citrix 1")) == [
        "repo.citrite.net"
    ]  # rpm expands comments
    assert hosts_of(BCOND.format(middle="# %%global with_citrix 1")) == ["github.com"]
    assert hosts_of(BCOND.format(middle=""), **dict(bcond_defines(with_=["citrix"]))) == ["repo.citrite.net"]
    without = dict(bcond_defines(without=["citrix"]))
    assert hosts_of(BCOND.format(middle="%global with_citrix 1"), **without) == ["repo.citrite.net"]
    on = BCOND.replace("%bcond_with citrix", "%bcond citrix 1")
    assert hosts_of(on.format(middle="")) == ["repo.citrite.net"]
    assert hosts_of(on.format(middle=""), **without) == ["github.com"]
    assert hosts_of(on.format(middle="%undefine with_citrix")) == ["github.com"]


def test_definitions_in_undecided_branches_decide_nothing() -> None:
    """A %global under a condition the reader cannot decide may or may not happen: every
    later conditional that reads it is undecided too, and both its branches are read."""
    text = BCOND.format(middle="%if 0%{?rhel}\n%global with_citrix 1\n%endif")
    spec = parse_spec(text, "b.spec")
    assert [source.value.split("/")[2] for source in spec.sources] == ["repo.citrite.net", "github.com"]
    assert [gap.detail for gap in spec.gaps] == ["b.spec:4: %if 0%{?rhel}", "b.spec:7: %if %{with citrix}"]
    decided = parse_spec(text, "b.spec", defines={"rhel": "7"})
    assert [source.value.split("/")[2] for source in decided.sources] == ["repo.citrite.net"]
    assert decided.gaps == ()
    # A bcond declared only under such a conditional may not be declared: with_citrix is
    # then the build machine's, as if no bcond named it.
    text = BCOND.format(middle="").replace("%bcond_with citrix", "%if 0%{?rhel}\n%bcond_with citrix\n%endif")
    assert hosts_of(text) == ["repo.citrite.net", "github.com"]
    assert hosts_of(text, rhel="7") == ["github.com"]


def test_a_with_macro_no_bcond_declares_is_the_build_machines() -> None:
    text = "Name: w\nVersion: 1\n%if 0%{?with_citrix}\nSource1: https://repo.citrite.net/w.tgz\n%endif\n"
    spec = parse_spec(text, "w.spec")
    assert [source.value for source in spec.sources] == ["https://repo.citrite.net/w.tgz"]
    assert [gap.kind for gap in spec.gaps] == [GapKind.UNDECIDED_CONDITIONAL]


def test_bcond_defines_are_rpmbuilds_with_and_without() -> None:
    assert bcond_defines(with_=["a"], without=["b"]) == (
        ("_with_a", "--with-a"),
        ("_without_b", "--without-b"),
    )
    with pytest.raises(ValueError, match="--with 'foo-bar'"):
        bcond_defines(with_=["foo-bar"])


def test_continued_lines_are_read_whole() -> None:
    text = "Name: c\nVersion: 1\n%{expand:%%global src https://repo.citrite.net/%%{name}\n}\nSource0: %{src}/c.tgz\n"
    spec = parse_spec(text, "c.spec")
    assert [(source.value, source.line) for source in spec.sources] == [
        ("https://repo.citrite.net/c/c.tgz", 5)
    ]
    # An escaped backslash ends a line: the next one is read on its own.
    spec = parse_spec("Name: c\nVersion: 1\n%global x a\\\\\nSource0: b%{x}\n", "c.spec")
    assert [source.value for source in spec.sources] == ["ba\\"]
    # An unterminated %{ joins nothing (rpm refuses the spec): the lines after it are still read.
    spec = parse_spec("Name: c\nVersion: 1\nURL: %{oops\nSource0: a.tgz\n", "c.spec")
    assert [source.value for source in spec.sources] == ["a.tgz"]


def test_a_package_after_a_files_section_is_read() -> None:
    text = "Name: f\nVersion: 1\n%description\nd\n%files\n/usr/bin/f\n%package devel\nRequires: f-libs\n%files devel\n"
    spec = parse_spec(text, "f.spec")
    assert [(package.name, [str(dep) for dep in package.requires]) for package in spec.packages] == [
        ("f", []),
        ("f-devel", ["f-libs"]),
    ]


def test_spec_packages_carry_the_gaps(tmp_path: Path) -> None:
    from auditor.sources.specs import read_spec_file

    path = tmp_path / "g.spec"
    path.write_text(
        "Name: g\nVersion: 1\n%if 0%{?rhel}\nRequires: el-only\n%endif\n"
        "Source0: https://example.org/%{lua: print('g.tgz')}\n%description\nd\n%files\n/usr/bin/g\n"
    )
    source, binary = read_spec_file(str(path))
    conditional = Gap(GapKind.UNDECIDED_CONDITIONAL, f"{path}:3: %if 0%{{?rhel}}")
    unexpanded = Gap(
        GapKind.UNEXPANDED_SOURCE, f"{path}:6: Source0: https://example.org/%{{lua: print('g.tgz')}}"
    )
    generated = Gap(
        GapKind.AUTOMATIC_REQUIRES,
        f"{path}: g: the requirements rpmbuild generates from its files (sonames, #! interpreters, "
        "pkgconfig, perl, python...) are unseen: audit the RPMs built, which carry them",
    )
    assert source.gaps == (conditional, unexpanded)
    assert binary.gaps == (conditional, generated)  # the Sources belong to the source package alone
    assert not any("could not be decided" in note for note in source.notes)  # a gap, not a note
    assert read_spec_file(str(path), defines={"rhel": "7"})[1].gaps == (generated,)


FRAGMENTS = [
    "%define m() %1-%{?2:x}", "%global g %{m a b}", "%undefine g", "%bcond_with c", "%bcond c %[1+",
    "%{with c}", "%{without c}", "%[ %{?g} ? \"a\" : \"b\" ]", "%[0 && %{expand:%%global h 1}1]",
    "%{expand:%%define e %%{e}%%{e}}", "%e", "%{m:-x}", "%m -x y", "%{-f*}", "%{?-f:1}", "%1", "%*",
    "%if %{with c}", "%if 0%{?rhel}", "%else", "%endif", "%elif 1", "Source0: %{g}/s.tgz", "Patch1: %e",
    "%{lua: x}", "%(true)", "\\", "%{", "}", "%[", "]", "%%", "#", "%dnl x", "%{macrobody:m}",
    "%{expr:1/0}", "%define", "%global x", "%define 1bad x", "%{?nope:%{m}}", "%package p", "%files",
    "BuildArch: noarch", "BuildArch: aarch64 x86_64", "%ifarch x86_64", "%if(0)", "%Package P", "Source 1: x",
    "Patch\tx: y", "%exclude /a", "%include x", "%{load:x}", "%{!?optflags:%global y 1}", "%else \\", "%endif_x",
]  # fmt: skip


@settings(max_examples=int(os.environ.get("AUDITOR_FUZZ_EXAMPLES", "100")), deadline=None,
          derandomize=bool(os.environ.get("CI")))  # fmt: skip
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=6), max_size=30))
def test_any_spec_text_reads_or_is_an_input_error(lines: list[list[str]]) -> None:
    """Whatever macros a spec combines, reading gives a Spec or an InputError, never a crash."""
    text = "Name: f\nVersion: 1\n" + "\n".join(" ".join(line) for line in lines)
    try:
        spec = parse_spec(text, "f.spec")
    except InputError:
        return
    assert all(gap.detail.startswith("f.spec") for gap in spec.gaps)


SUBPACKAGE_SOURCES = """\
Name: x
Version: 1.2
Release: 1
Summary: s
License: MIT
Source0: main.tar.gz
%description
d
%package agent
Summary: the agent
Source1: https://repo.citrite.net/agent-%{version}.tar.gz
Patch1: agent.patch
%description agent
d
"""


def test_sources_of_a_subpackages_preamble_are_the_source_packages() -> None:
    """rpm adds a Source or Patch tag in a ``%package`` preamble to the source package
    (``rpmspec -P`` and the SRPM's SOURCE tag list it): it is read, never dropped."""
    spec = parse_spec(SUBPACKAGE_SOURCES, "x.spec")
    assert [(s.kind, s.number, s.value) for s in spec.sources] == [
        (SourceKind.SOURCE, 0, "main.tar.gz"),
        (SourceKind.SOURCE, 1, "https://repo.citrite.net/agent-1.2.tar.gz"),
        (SourceKind.PATCH, 1, "agent.patch"),
    ]


def test_package_version_and_release_are_not_macros() -> None:
    """rpm stopped defining %PACKAGE_VERSION and %PACKAGE_RELEASE long ago (rpmspec -P leaves
    them as written): a Source naming them is unexpanded, a gap, not a value rpm never gives."""
    text = SUBPACKAGE_SOURCES.replace("main.tar.gz", "main-%PACKAGE_VERSION-%{PACKAGE_RELEASE}.tar.gz")
    spec = parse_spec(text, "x.spec")
    assert spec.sources[0].value == "main-%PACKAGE_VERSION-%{PACKAGE_RELEASE}.tar.gz"
    assert [gap.kind for gap in spec.gaps] == [GapKind.UNEXPANDED_SOURCE]


BOTH_WAYS = """\
Name: x
Version: 1
%global host github.com/xcp-ng
%if 0%{?xenserver}
%global host repo.citrite.net
%endif
%if 0%{?rhel}
%global dir release
%else
%global dir snapshot
%endif
%global base https://%{host}/%{dir}
Source0: %{base}/x-%{version}.tar.gz
{later}Source1: https://%{host}/y.tar.gz
"""


def test_a_macro_an_undecided_branch_defines_gives_a_source_every_value() -> None:
    """Both branches of an undecided %if are read; a macro one branch defines and another
    redefines (or that had a value before) gives a Source line each value it may have, through
    other macros too, so the Citrix one is never hidden behind the last definition."""
    spec = parse_spec(BOTH_WAYS.replace("{later}", ""), "x.spec")
    assert sorted(s.value for s in spec.sources if s.number == 0) == [
        "https://github.com/xcp-ng/release/x-1.tar.gz",
        "https://github.com/xcp-ng/snapshot/x-1.tar.gz",
        "https://repo.citrite.net/release/x-1.tar.gz",
        "https://repo.citrite.net/snapshot/x-1.tar.gz",
    ]
    assert sorted(s.value for s in spec.sources if s.number == 1) == [
        "https://github.com/xcp-ng/y.tar.gz",
        "https://repo.citrite.net/y.tar.gz",
    ]
    assert GapKind.UNDECIDED_CONDITIONAL in {gap.kind for gap in spec.gaps}


def test_a_decided_macro_has_one_value() -> None:
    """Decided conditionals, or a definition in a decided place after them, leave one value."""
    decided = parse_spec(BOTH_WAYS.replace("{later}", ""), "x.spec", defines={"xenserver": "0", "rhel": "7"})
    assert [s.value for s in decided.sources] == [
        "https://github.com/xcp-ng/release/x-1.tar.gz",
        "https://github.com/xcp-ng/y.tar.gz",
    ]
    settled = parse_spec(BOTH_WAYS.replace("{later}", "%global host example.org\n"), "x.spec")
    assert [s.value for s in settled.sources if s.number == 1] == ["https://example.org/y.tar.gz"]


def test_a_macro_an_undecided_branch_may_leave_undefined_is_read_both_ways() -> None:
    """libvirt's pattern: ``%{?mainturl}`` is empty unless an undecided branch defines it;
    rpmspec -P gives the empty reading, and both are Sources. A macro the line needs, left
    undefined, adds no value: the line would only stay unexpanded."""
    text = (
        "Name: v\nVersion: 10.0\n%if %(echo x)\n%define mainturl stable_updates/\n%endif\n"
        "Source0: https://download.example.org/%{?mainturl}v-%{version}.tar.xz\n"
        "%if %(echo y)\n%define sub citrix\n%endif\nSource1: https://example.org/%{sub}/w.tgz\n"
    )
    spec = parse_spec(text, "v.spec")
    assert sorted(s.value for s in spec.sources if s.number == 0) == [
        "https://download.example.org/stable_updates/v-10.0.tar.xz",
        "https://download.example.org/v-10.0.tar.xz",
    ]
    assert [s.value for s in spec.sources if s.number == 1] == ["https://example.org/citrix/w.tgz"]


def test_host_queries_whose_output_is_one_word_are_no_spec_code_gap() -> None:
    """The shell idioms old specs carry everywhere (the builder's uid in a BuildRoot, perl's
    version in a Requires, a shortened commit hash) print one word, never spec text: a gap for
    each would mark a tenth of real specs incomplete for nothing. Any other shell is a gap."""
    benign = (
        "Name: b\nVersion: 1\nRelease: 1\n%global commit0 0123456789abcdef\n"
        "%global shortcommit0 %(c=%{commit0}; echo ${c:0:7})\n"
        "BuildRoot: %{_tmppath}/%{name}-%{version}-root-%(%{__id_u} -n)\n"
        'Requires: perl(:MODULE_COMPAT_%(eval "`perl -V:version`"; echo $version))\n'
        "Source0: https://example.org/b-%{version}.tar.gz\n"
    )
    assert [gap for gap in parse_spec(benign, "b.spec").gaps if gap.kind is GapKind.SPEC_CODE] == []
    other = benign + "%global extra %(curl -s https://example.org/vendor)\nVendor: %{extra}\n"
    gaps = [gap.detail for gap in parse_spec(other, "b.spec").gaps if gap.kind is GapKind.SPEC_CODE]
    assert gaps == [
        "b.spec:9: %global extra %(curl -s https://example.org/vendor)",
        "b.spec:10: Vendor: %{extra}",
    ]


@pytest.mark.parametrize(
    "line",
    [
        # A host query whose macro runs code: rpm expands the command before running it.
        '%define __id_u %{lua: rpm.define("src https://code.citrite.net/x.tar.gz")} id -u\n'
        "BuildRoot: %{_tmppath}/%{name}-%(%{__id_u} -n)\n",
        "BuildRoot: %(mktemp -ud %{load:/path/evil.macros}%{_tmppath}/%{name}-XXXXXX)\n",
        # rpm expands a comment's macros too, and runs their code.
        "# %{lua: rpm.define('src https://code.citrite.net/x.tar.gz')}\n",
    ],
)
def test_code_hidden_in_a_host_query_or_a_comment_is_a_spec_code_gap(line: str) -> None:
    text = f"Name: c\nVersion: 1\nRelease: 1\n%global src https://clean.example/x.tar.gz\n{line}Source0: %{{src}}\n"
    assert GapKind.SPEC_CODE in [gap.kind for gap in parse_spec(text, "c.spec").gaps]


def test_a_macro_whose_value_an_undecided_branch_gave_and_its_reading_redefines_is_no_crash() -> None:
    """Found by tests/fuzz/test_fuzz_inputs.py: ``%global a 1%{a}`` inside an ``%if`` the reader
    cannot decide gives ``a`` two values, and expanding it again under ``%sourcelist`` defines
    it anew: the values the variants were counted from were gone (an internal error, exit 4)."""
    head = "Name: v\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\n"
    spec = parse_spec(
        head + "%if \n%global a 1%{a}\n%endif\n%sourcelist\n%global a 1%{a}\n%description\nd\n", "v.spec"
    )
    assert spec.packages[0].name == "v"
