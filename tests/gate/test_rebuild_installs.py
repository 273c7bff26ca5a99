"""A source RPM's rebuild installs the repository files and keys its spec's Sources make.

``auditor check xlib.src.rpm --against BASE`` reads the binaries of the rebuild from the spec in
the source RPM's payload (`auditor.sources.rebuildspec`). Their installed repository files were
never judged: a rebuild writing a ``.repo`` pointing at XenServer's updates (from a Source, or
through a ``%files -f`` list) counted as xlib rebuilt clean, and ``check`` said "nothing gets
worse" (exit 0) where the same spec checked as a file exits 1. They are judged from the
payload's Sources now, as a spec's are from the files beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main
from tests.deps.built import CITRIX, build_repository
from tests.gate.test_unseen_files_not_cured import REST, SPEC
from tests.rpmbuild import build_noarch

CITRIX_REPO = "[xs-updates]\nbaseurl=https://updates.xensource.com/XenServer/8/\n"
CLEAN_REPO = "[xcp-ng-base]\nbaseurl=https://updates.xcp-ng.org/8/8.3/base/x86_64/\n"
FROM_SOURCE = (
    SPEC.partition("%description")[0]
    + """Source1: xs.repo
%description
x
%install
install -D -m644 %{SOURCE1} %{buildroot}/etc/yum.repos.d/xs.repo
%files
/etc/yum.repos.d/xs.repo
"""
)
"""xlib without the Vendor, installing its Source1 as a repository configuration."""


def check_of_the_source_rpm(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], spec_text: str, source_text: str
) -> tuple[int, list[tuple[str, str]], dict[str, object]]:
    """`check` of the source RPM rpmbuild makes of ``spec_text`` (each Source holding
    ``source_text``) against BASE (Citrix xlib and `REST`): its exit code, its regressions, and
    the report."""
    repo = build_repository([{"name": "xlib", "provides": ["x"], **CITRIX}, *REST], tmp_path / "base")
    spec = tmp_path / "xlib.spec"
    spec.write_text(spec_text)
    srpm, _ = build_noarch(spec, tmp_path / "top", ["xlib-2.0.tar.gz", "xs.repo"], source_text=source_text)
    args = ["check", str(srpm), "--against", str(repo), str(repo.parent / "SRPMS"), "-q", "--format", "json"]
    code = main(args)
    document = json.loads(capsys.readouterr().out)
    return code, [(item["package"], item["capability"]) for item in document["regressions"]], document


def test_a_rebuild_installing_a_citrix_repository_from_its_source_is_not_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, regressions, _ = check_of_the_source_rpm(tmp_path, capsys, FROM_SOURCE, CITRIX_REPO)
    assert code == 1
    # xlib is still an origin package, by its repository file: app's taint is the one it had.
    assert regressions == [
        ("xlib", "/etc/yum.repos.d/xs.repo (Source1: xs.repo) [xs-updates] baseurl@updates.xensource.com")
    ]


def test_a_rebuild_whose_files_list_may_install_a_repository_file_is_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`SPEC`'s ``%files -f`` list, written by ``%install``, as a source RPM."""
    code, regressions, _ = check_of_the_source_rpm(tmp_path, capsys, SPEC, "x\n")
    assert (code, regressions) == (1, [("app", "citrix:ylib")])


def test_a_rebuild_installing_a_clean_repository_is_judged_clean_but_not_cured(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its Source judged clean (no finding on xlib), but a Source shows what it holds, not what
    the build makes of it (`sed -i` on the copy: redteam60), so xlib is not taken for rebuilt
    clean: app's taint now ending at ylib is news, as for the spec checked as a file."""
    code, regressions, document = check_of_the_source_rpm(tmp_path, capsys, FROM_SOURCE, CLEAN_REPO)
    assert (code, regressions) == (1, [("app", "citrix:ylib")])
    assert "xcp-ng.org" not in json.dumps(document["regressions"])
    assert "what the build makes of them is unseen" in json.dumps(document)
