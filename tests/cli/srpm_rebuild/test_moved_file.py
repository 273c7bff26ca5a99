"""A file moves from foo to foo-citrix, a subpackage that already Requires the Citrix xs-prop.
BASE's user requires the file by path. After the rebuild only foo-citrix ships it: user goes
clean -> depends (the built RPMs say so, exit 1). The stand-in files (`_stand_in_files`) give the
rebuilt foo BASE foo's copy of the file, so user has a clean provider: exit 0, "nothing gets
worse", for `check foo.spec` (exit 1 before this commit) and for `check foo.src.rpm`."""

from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import XS_PROP, blocking, check, repos, rpmbuild, summary

HEAD = """\
Name: foo
Version: 1.0
Release: {release}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
%description
f
%package citrix
Summary: c
Requires: xs-prop
%description citrix
c
%prep
echo MIT > COPYING
%install
mkdir -p %{{buildroot}}/usr/bin %{{buildroot}}/usr/libexec/foo
echo x > %{{buildroot}}/usr/bin/tool
echo x > %{{buildroot}}/usr/bin/other
echo x > %{{buildroot}}/usr/libexec/foo/tool
"""
OLD = (
    HEAD
    + """\
%files
%license COPYING
/usr/bin/tool
/usr/bin/other
/usr/libexec/foo
%files citrix
"""
)
VARIANTS = {
    # foo's %files has a relative %license entry (ANY_FILE): every BASE file stands in.
    "license": (
        """\
%files
%license COPYING
/usr/bin/other
/usr/libexec/foo
%files citrix
/usr/bin/tool
""",
        "/usr/bin/tool",
    ),
    # the canonical way to move one file: a glob and %exclude
    "exclude": (
        """\
%files
/usr/bin/*
%exclude /usr/bin/tool
/usr/libexec/foo
%files citrix
/usr/bin/tool
""",
        "/usr/bin/tool",
    ),
    # %dir packages the directory only, not what is under it
    "dir": (
        """\
%files
/usr/bin/tool
/usr/bin/other
%dir /usr/libexec/foo
%files citrix
/usr/libexec/foo/tool
""",
        "/usr/libexec/foo/tool",
    ),
}
USER = (
    "Name: user\nVersion: 1\nRelease: 1\nSummary: u\nLicense: MIT\nBuildArch: noarch\n"
    "AutoReqProv: no\nRequires: {path}\n%description\nu\n%files\n"
)


def base_repos(b: Path, path: str) -> list[str]:
    """BASE: foo 1 shipping ``path``, ``user`` requiring it and the Citrix ``xs-prop``, built in
    ``b``, as the repositories `check --against` reads."""
    rpmbuild(b, OLD.format(release=1), "foo")
    rpmbuild(b, USER.format(path=path), "user")
    rpmbuild(b, XS_PROP, "xs-prop")
    return repos(b)


@pytest.mark.parametrize("given", ["spec", "srpm", "built-rpms"])
@pytest.mark.parametrize("variant", list(VARIANTS))
def test_moved_file(variant: str, given: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files, path = VARIANTS[variant]
    against = base_repos(tmp_path / "base", path)
    n = tmp_path / "new"
    rpmbuild(n, HEAD.format(release=2) + files, "foo", "-ba")
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    targets = {
        "spec": [str(n / "foo.spec")],
        "srpm": [str(srpm)],
        "built-rpms": [str(srpm), *map(str, (n / "repo").rglob("*.rpm"))],
    }[given]
    code, doc = check(*targets, "--against", *against, capsys=capsys)
    print(given, summary(code, doc))
    print("worse:", [(w.get("nevra"), w.get("before"), w.get("after")) for w in doc.get("worse", [])])
    assert code == 1 and any(p == "user" for p, _, _ in blocking(doc))
