"""The SRPM's build-host arch (header ARCH) is the arch the rebuild is read for, while
`check foo.spec` reads x86_64: an %ifarch x86_64 Requires on a Citrix package is unseen."""

import subprocess
from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import XS_PROP, blocking, check, repos, rpmbuild, summary

FOO = """\
Name: foo
Version: 1.0
Release: {release}
Summary: foo
License: MIT
AutoReqProv: no
{requires}
%description
f
%files
"""


def test_srpm_made_on_aarch64_builder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    b = tmp_path / "base"
    rpmbuild(b, FOO.format(release=1, requires=""), "foo")
    rpmbuild(b, XS_PROP, "xs-prop")
    against = repos(b)
    n = tmp_path / "new"
    req = "%ifarch x86_64\nRequires: xs-prop\n%endif"
    rpmbuild(n, FOO.format(release=2, requires=req), "foo", "-bs", "--target", "aarch64")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    arch = subprocess.run(["rpm", "-qp", "--qf", "%{ARCH}", str(srpm)], capture_output=True, text=True).stdout
    sc, sd = check(str(n / "foo.spec"), "--against", *against, capsys=capsys)
    rc, rd = check(str(srpm), "--against", *against, capsys=capsys)
    print("SRPM ARCH", arch)
    print("SPEC:", summary(sc, sd))
    print("SRPM:", summary(rc, rd))
    assert (sc, blocking(sd)) == (rc, blocking(rd))
