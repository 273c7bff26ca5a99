"""Clean rebuilds (same spec, release 1 -> 2, dist .xs8): no regression may be reported."""

from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import check, repos, rpmbuild, summary

DIST = ".xs8"


def spec(body: str, release: int) -> str:
    return body.replace("@REL@", str(release))


CASES = {
    "epoch": (
        """\
Name: foo
Epoch: 2
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
Requires: foo-libs = %{epoch}:%{version}-%{release}
%description
f
%package libs
Summary: l
%description libs
l
%files
%files libs
""",
        "Requires: foo-libs >= 2:1.0",
    ),
    "isa": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
AutoReqProv: no
Requires: foo-libs%{?_isa} = %{version}-%{release}
%description
f
%package libs
Summary: l
%description libs
l
%files
%files libs
""",
        "Requires: foo-libs(x86-64)",
    ),
    "own-release-subpkg": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
f
%package sub
Summary: s
Release: 5%{?dist}
%description sub
s
%files
%files sub
""",
        "Requires: foo-sub = 1.0-5%{?dist}",
    ),
    "own-version-subpkg": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
Requires: bar = 3.0-%{release}
%description
f
%package -n bar
Summary: b
Version: 3.0
%description -n bar
b
%files
%files -n bar
""",
        "Requires: bar >= 3.0",
    ),
    "noarch-sub-of-arch": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
AutoReqProv: no
Requires: foo-common = %{version}-%{release}
%description
f
%package common
Summary: c
BuildArch: noarch
%description common
c
%files
%files common
""",
        "Requires: foo-common",
    ),
    "provides-obsoletes-old-name": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
Provides: oldfoo = %{version}-%{release}
Obsoletes: oldfoo < %{version}-%{release}
%description
f
%files
""",
        "Requires: oldfoo >= 1.0",
    ),
    "files-f-ghost-dir": (
        """\
Name: foo
Version: 1.0
Release: @REL@%{?dist}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
f
%install
mkdir -p %{buildroot}/usr/share/foo %{buildroot}/usr/libexec/foo %{buildroot}/var/lib
echo x > %{buildroot}/usr/share/foo/data
echo x > %{buildroot}/usr/libexec/foo/helper
touch %{buildroot}/var/lib/foo.state
echo /usr/share/foo/data > files.list
%files -f files.list
%dir /usr/libexec/foo
/usr/libexec/foo/helper
%ghost /var/lib/foo.state
""",
        "Requires: /usr/share/foo/data\nRequires: /usr/libexec/foo/helper\nRequires: /var/lib/foo.state",
    ),
}


@pytest.mark.parametrize("arch_opt", [[], ["--arch", "x86_64"]], ids=["noarch-opt", "arch-x86_64"])
@pytest.mark.parametrize("case", list(CASES))
def test_clean_rebuild(
    case: str, arch_opt: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body, user_req = CASES[case]
    b = tmp_path / "base"
    rpmbuild(b, spec(body, 1), "foo", dist=DIST)
    user = f"Name: user\nVersion: 1\nRelease: 1\nSummary: u\nLicense: MIT\nBuildArch: noarch\nAutoReqProv: no\n{user_req}\n%description\nu\n%files\n"
    rpmbuild(b, user, "user", dist=DIST)
    against = repos(b)
    n = tmp_path / "new"
    rpmbuild(n, spec(body, 2), "foo", "-bs", dist=DIST)
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    rc, rd = check(str(srpm), "--against", *against, *arch_opt, capsys=capsys)
    sc, sd = check(
        str(n / "foo.spec"), "--against", *against, "--define", f"dist {DIST}", *arch_opt, capsys=capsys
    )
    print("SRPM:", summary(rc, rd))
    print("SPEC(-D dist):", summary(sc, sd))
    assert rc == 0 and not rd["regressions"]
