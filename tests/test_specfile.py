"""Spec reading: safe macro expansion, conditionals, sources, dependencies."""

from __future__ import annotations

from pathlib import Path

from auditor.rpm.model import EVR, Dependency, Op, SourceKind
from auditor.rpm.spec.macros import MacroContext
from auditor.rpm.spec.parser import parse_dependency_list, parse_spec

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
    decided = parse_spec(text, "c.spec", defines={"rhel": "7"})
    assert [s.value.split("/")[2] for s in decided.sources] == ["yes.example", "rhel.example", "x86.example"]


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
