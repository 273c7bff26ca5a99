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
from typing import Any

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
REST: list[dict[str, Any]] = [
    {"name": "ylib", "provides": ["y"], **CITRIX},
    {"name": "mid", "requires": ["y"]},
    {"name": "app", "requires": ["x", "mid"]},
]
"""BASE but for xlib: app needs xlib, and ylib through mid."""


DISGUISED = SPEC.replace(
    """mkdir -p %{buildroot}/etc/yum.repos.d
printf '[xs-updates]\\nbaseurl=https://updates.xensource.com/XenServer/8/\\n' > %{buildroot}/etc/yum.repos.d/xs.repo
echo /etc/yum.repos.d/xs.repo > xlib.files""",
    """d=yum; mkdir -p %{buildroot}/etc/$d.repos.d
printf '[xs-updates]\\nbaseurl=https://updates.xensource.com/XenServer/8/\\n' > %{buildroot}/etc/$d.repos.d/xs.re$(echo po)
echo /etc/$d.repos.d/xs.re$(echo po) > xlib.files""",
)
"""`SPEC` with shell spelling the reposdir and the file as no reading of the spec's text sees."""
assert DISGUISED != SPEC
EDITED = SPEC.replace("Source0: https://example.org/xlib-2.0.tar.gz", "Source0: xs.repo").replace(
    """printf '[xs-updates]\\nbaseurl=https://updates.xensource.com/XenServer/8/\\n' > %{buildroot}/etc/yum.repos.d/xs.repo
echo /etc/yum.repos.d/xs.repo > xlib.files
%files -f xlib.files""",
    """install -m644 %{SOURCE0} %{buildroot}/etc/yum.repos.d/xs.repo
sed -i s/mirrors.xcp-ng.org/updates.xensource.com/ %{buildroot}/etc/yum.repos.d/xs.repo
%files
/etc/yum.repos.d/xs.repo""",
)
"""A spec of xlib installing its clean ``xs.repo`` Source, edited in place to point at XenServer's
updates (rpmbuild packages it so:
`tests.sources.test_spec_installs.test_a_repository_file_the_build_makes_of_anything_but_the_source_of_its_name_is_unseen`)."""
assert "sed -i" in EDITED


def check_of_the_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], xlib: dict[str, Any], text: str = SPEC
) -> tuple[int, list[tuple[str, str]]]:
    """`check` of the spec ``text`` (a clean ``xs.repo`` Source beside it) against BASE (``xlib``
    and `REST`): its exit code and regressions."""
    repo = build_repository([xlib, *REST], tmp_path / "base")
    spec = tmp_path / "xlib.spec"
    spec.write_text(text)
    (tmp_path / "xs.repo").write_text("[xcp]\nbaseurl=https://mirrors.xcp-ng.org/8/\n")
    args = ["check", str(spec), "--against", str(repo), str(repo.parent / "SRPMS"), "-q", "--format", "json"]
    code = main(args)
    document = json.loads(capsys.readouterr().out)
    return code, [(item["package"], item["capability"]) for item in document["regressions"]]


def test_a_rebuild_whose_repository_files_are_unseen_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlib = {"name": "xlib", "provides": ["x"], "files": ["/etc/yum.repos.d/xs.repo"], **CITRIX}
    assert check_of_the_spec(tmp_path, capsys, xlib) == (1, [("app", "citrix:ylib")])


def test_a_rebuild_whose_files_list_may_install_a_repository_file_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """BASE's xlib owns no such file, so none stands in: the `%files -f` list, which the reader
    does not look into, was said by no gap but automatic-requires, exempted (e561969f), while the
    spec's text writes into a reposdir. As a glob over /etc, it is unseen there."""
    xlib = {"name": "xlib", "provides": ["x"], **CITRIX}
    assert check_of_the_spec(tmp_path, capsys, xlib) == (1, [("app", "citrix:ylib")])


def test_a_rebuild_whose_files_list_is_written_in_disguise_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The spec's text names no reposdir, so the glob over /etc a `-f` list reads as found nothing
    to say; its only gaps were automatic-requires and automatic-provides, exempted, and `check`
    said "nothing gets worse" (closing note of the 59th stop). rpmbuild packages the file
    (`tests.sources.test_spec_installs.test_the_disguised_write_is_packaged_by_rpmbuild`)."""
    xlib = {"name": "xlib", "provides": ["x"], **CITRIX}
    assert check_of_the_spec(tmp_path, capsys, xlib, DISGUISED) == (1, [("app", "citrix:ylib")])


def test_a_rebuild_whose_repository_file_is_its_source_edited_by_the_build_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reader judged the clean Source of the file's name as its content: no gap but
    automatic-requires, exempted, and `check` said "nothing gets worse" of a rebuild whose
    binary points its hosts at XenServer's updates."""
    xlib = {"name": "xlib", "provides": ["x"], **CITRIX}
    assert check_of_the_spec(tmp_path, capsys, xlib, EDITED) == (1, [("app", "citrix:ylib")])


def test_the_release_gate_blocks_the_taint_such_a_rebuild_leaves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The baseline written on BASE accepted app's taint on ylib as its entry's, xlib taken for
    rebuilt clean, and ``scan --baseline`` of the release with the spec exited 0."""
    base = build_repository([{"name": "xlib", "provides": ["x"], **CITRIX}, *REST], tmp_path / "base")
    release = build_repository(REST, tmp_path / "release")
    spec = tmp_path / "xlib.spec"
    spec.write_text(SPEC)
    monkeypatch.chdir(tmp_path)
    assert main(["baseline", str(base), str(base.parent / "SRPMS"), "-q"]) == 0
    assert main(["scan", str(release), str(release.parent / "SRPMS"), str(spec), "-q"]) == 1
