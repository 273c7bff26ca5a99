"""A rebuild whose packaged files are unseen is not cured when they may hold its origin evidence.

BASE: ``app`` needs Citrix ``xlib``, which installs ``/etc/yum.repos.d/xs.repo``, and the clean
``mid``, which needs Citrix ``ylib``. The change is a spec of xlib without the Vendor whose
``%files -f`` list packages a repository configuration its ``%install`` writes, pointing at
XenServer's updates. The reader cannot see that list: BASE's ``xs.repo`` stood in with an
`automatic-provides` gap, a gap exempted as hiding only what a package provides (e561969f), so
xlib counted as rebuilt clean and app's taint on ylib passed as its old one: ``check`` said
"nothing gets worse" (exit 0) of a change whose xlib may still point hosts at Citrix.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository

SPEC = """Name: xlib
Version: 2.0
Release: 1
Summary: x
License: MIT
BuildArch: noarch
Provides: x
Source0: https://example.org/xlib-2.0.tar.gz
%description
x
%install
mkdir -p %{buildroot}/etc/yum.repos.d
printf '[xs-updates]\\nbaseurl=https://updates.xensource.com/XenServer/8/\\n' > %{buildroot}/etc/yum.repos.d/xs.repo
echo /etc/yum.repos.d/xs.repo > xlib.files
%files -f xlib.files
"""


def test_a_rebuild_whose_repository_files_are_unseen_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repository(
        [
            {"name": "xlib", "provides": ["x"], "files": ["/etc/yum.repos.d/xs.repo"], **CITRIX},
            {"name": "ylib", "provides": ["y"], **CITRIX},
            {"name": "mid", "requires": ["y"]},
            {"name": "app", "requires": ["x", "mid"]},
        ],
        tmp_path / "base",
    )
    spec = tmp_path / "xlib.spec"
    spec.write_text(SPEC)
    args = ["check", str(spec), "--against", str(repo), str(repo.parent / "SRPMS"), "-q", "--format", "json"]
    code = main(args)
    regressions = [
        (item["package"], item["capability"]) for item in json.loads(capsys.readouterr().out)["regressions"]
    ]
    assert (code, regressions) == (1, [("app", "citrix:ylib")])
