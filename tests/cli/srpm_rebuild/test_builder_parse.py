"""The SPEC tag (the builder's parse, with its --with/--define) vs the payload spec alone."""

import subprocess
from pathlib import Path

import pytest

from tests.cli.srpm_rebuild.harness import XS_PROP, check, repos, rpmbuild, summary

FOO = """\
Name: foo
Version: 1.0
Release: {release}%{{?dist}}
Summary: foo
License: MIT
BuildArch: noarch
AutoReqProv: no
{cond}
%description
f
%files
"""
CONDS = {
    "bcond": ("%bcond_with citrix\n%if %{with citrix}\nRequires: xs-prop\n%endif", ["--with", "citrix"], {}),
    "xenserver": ("%if 0%{?xenserver}\nRequires: xs-prop\n%endif", [], {"xenserver": "1"}),
    "dist": ('%if "%{?dist}" == ".xs8"\nRequires: xs-prop\n%endif', [], {"dist": ".xs8"}),
    "macro": ("Requires: %{?citrix_req}", [], {"citrix_req": "xs-prop"}),
}


@pytest.mark.parametrize("kind", list(CONDS))
def test_builder_parse(kind: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cond, extra, macros = CONDS[kind]
    b = tmp_path / "base"
    rpmbuild(
        b, FOO.format(release=1, cond=""), "foo", **({"dist": macros["dist"]} if "dist" in macros else {})
    )
    rpmbuild(b, XS_PROP, "xs-prop")
    against = repos(b)
    n = tmp_path / "new"
    rpmbuild(n, FOO.format(release=2, cond=cond), "foo", "-bs", *extra, **macros)
    (srpm,) = (n / "SRPMS").glob("*.src.rpm")
    spec_tag = subprocess.run(
        ["rpm", "-qp", "--qf", "%{SPEC}", str(srpm)], capture_output=True, text=True
    ).stdout
    rc, rd = check(str(srpm), "--against", *against, capsys=capsys)
    print(
        "SPEC TAG has Requires: xs-prop:",
        "Requires: xs-prop" in spec_tag or "Requires:       xs-prop" in spec_tag,
    )
    print(spec_tag)
    print("SRPM:", summary(rc, rd))
    print(rd.get("completeness", {}).get("summary"))
    assert rc != 0
