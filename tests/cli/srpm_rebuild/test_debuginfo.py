"""An arch package with an ELF binary: BASE has foo, foo-debuginfo, foo-debugsource (if rpmbuild
makes them here), and a user requiring libfoo.so.1()(64bit) (generated provide)."""

from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import check, repos, rpmbuild, summary

FOO = r"""
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
%description
f
%package devel
Summary: d
Requires: foo%{?_isa} = %{version}-%{release}
%description devel
d
%prep
%setup -c -T
printf 'int foo(void){return 1;}\n' > foo.c
printf 'int main(void){return 0;}\n' > main.c
%build
gcc -g -O2 -fPIC -shared -Wl,-soname,libfoo.so.1 -o libfoo.so.1 foo.c
gcc -g -O2 -o footool main.c -L. -l:libfoo.so.1
%install
mkdir -p %{buildroot}%{_libdir} %{buildroot}%{_bindir}
install -m755 libfoo.so.1 %{buildroot}%{_libdir}/
ln -s libfoo.so.1 %{buildroot}%{_libdir}/libfoo.so
install -m755 footool %{buildroot}%{_bindir}/
%files
%{_libdir}/libfoo.so.1
%{_bindir}/*
%files devel
%{_libdir}/libfoo.so
"""
USER = (
    "Name: user\nVersion: 1\nRelease: 1\nSummary: u\nLicense: MIT\nBuildArch: noarch\n"
    "AutoReqProv: no\nRequires: libfoo.so.1()(64bit)\nRequires: /usr/bin/footool\nRequires: foo-devel\n%description\nu\n%files\n"
)


@pytest.mark.parametrize("opt", [[], ["--arch", "x86_64"]])
def test_debuginfo_clean_rebuild(
    opt: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = tmp_path / "base"
    rpmbuild(b, FOO.replace("@REL@", "1"), "foo", dist=".xs8", _libdir="/usr/lib64")
    rpmbuild(b, USER, "user")
    against = repos(b)
    n = tmp_path / "new"
    rpmbuild(n, FOO.replace("@REL@", "2"), "foo", "-bs", dist=".xs8", _libdir="/usr/lib64")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    code, doc = check(str(srpm), "--against", *against, *opt, capsys=capsys)
    print(sorted(p.name for p in (b / "repo").rglob("*.rpm")))
    print(summary(code, doc), doc.get("completeness", {}).get("summary"))
    assert code == 0 and not doc["regressions"]
