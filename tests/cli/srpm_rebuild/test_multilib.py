"""BASE has foo.x86_64 and foo.i686 (multilib), both requiring the noarch foo-common at
%{version}-%{release}. A clean rebuild of the SRPM replaces foo.x86_64 and foo-common.noarch but
keeps BASE's foo.i686 (re-pointed), whose exact Requires on foo-common-1.0-1 now fails."""

from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import check, repos, rpmbuild, summary

FOO = """\
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
"""


@pytest.mark.parametrize(
    "arch_opt", [[], ["--arch", "x86_64", "--arch", "i686"]], ids=["default", "both-arches"]
)
def test_multilib_clean_rebuild(
    arch_opt: tuple[str, ...], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b = tmp_path / "base"
    rpmbuild(b, FOO.replace("@REL@", "1"), "foo", dist=".xs8")
    rpmbuild(b, FOO.replace("@REL@", "1"), "foo", "-bb", "--target", "i686", dist=".xs8")
    against = repos(b)
    n = tmp_path / "new"
    rpmbuild(n, FOO.replace("@REL@", "2"), "foo", "-bs", dist=".xs8")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    rc, rd = check(str(srpm), "--against", *against, *arch_opt, capsys=capsys)
    print("SRPM:", summary(rc, rd))
    assert rc == 0 and not rd["regressions"]
