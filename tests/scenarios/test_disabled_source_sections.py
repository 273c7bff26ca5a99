"""A disabled ``-source`` section is read with the enabled section of its binaries, not alone.

An XCP-ng host's ``/etc/yum.repos.d`` holds XCP-ng's ``xcp-ng.repo`` beside CentOS's
``CentOS-Base.repo`` and ``CentOS-Sources.repo`` and EPEL's ``epel.repo``, every CentOS and
EPEL section disabled, their ``base-source``, ``updates-source`` and ``epel-source`` too
(xcp-ng-rpms/xcp-ng-release, SOURCES/0007-Update-CentOS-and-EPEL-repo-files.patch). Scanned as
the README shows (``auditor scan /etc/yum.repos.d/*.repo``), the source sections of those
disabled repositories made the audit read every CentOS source package, none of which a binary
of the run comes from, each one's BuildRequires unresolved and blocking; and an EPEL source
section that cannot be read (EPEL 7 is archived) ended the run as an input error. The packages
are built by rpmbuild, their repodata by createrepo_c.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from auditor.cli.main import main
from tests.deps.built import build_repository


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``xcp/repo`` (with ``xcp/SRPMS`` beside it), ``centos/repo``, and CentOS's source
    repository in ``mirror/centos-sources``, where no layout finds it."""
    root = tmp_path_factory.mktemp("hosts")
    build_repository([{"name": "xcp-thing"}], root / "xcp")
    build_repository([{"name": "centos-thing", "buildrequires": ["gcc"]}], root / "centos")
    (root / "mirror").mkdir()
    shutil.move(root / "centos" / "SRPMS", root / "mirror" / "centos-sources")
    return root


def configs(root: Path, directory: Path, *, centos_enabled: bool) -> list[str]:
    """The ``.repo`` files of the host, in the order a shell glob gives them."""
    enabled = int(centos_enabled)
    files = {
        "CentOS-Base.repo": f"[base]\nbaseurl=file://{root / 'centos' / 'repo'}\nenabled={enabled}\n",
        "CentOS-Sources.repo": f"[base-source]\nbaseurl=file://{root / 'mirror' / 'centos-sources'}\nenabled=0\n",
        "epel.repo": (
            f"[epel]\nbaseurl=file://{root / 'epel'}\nenabled=0\n\n"
            f"[epel-source]\nbaseurl=file://{root / 'epel-archived'}\nenabled=0\n"
        ),
        "xcp-ng.repo": f"[xcp-ng-base]\nbaseurl=file://{root / 'xcp' / 'repo'}\nenabled=1\n",
    }
    for name, text in files.items():
        (directory / name).write_text(text)
    return [str(directory / name) for name in sorted(files)]


def scan(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["scan", *args, "--format", "json", "-q", "--no-cache"])
    out, err = capsys.readouterr()
    return code, json.loads(out), err


def test_the_sources_of_disabled_repositories_are_not_audited(
    hosts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, document, said = scan(configs(hosts, tmp_path, centos_enabled=False), capsys)
    assert document["errors"] == []  # epel-source, which cannot be read, was not asked for
    assert sorted(p["nevra"] for p in document["packages"]) == [
        "xcp-thing-1.0-1.noarch",
        "xcp-thing-1.0-1.src",
    ]
    assert document["summary"]["blocking"] == 0
    # Every file whose sections are all disabled is, beside xcp-ng.repo, a host's usual state
    # (as in a reposdir): a warning, which says why its source sections were not read either.
    assert document["completeness"]["gaps"] == []
    assert (
        "CentOS-Sources.repo: names no enabled repository" in said and "(base-source) are read only" in said
    )
    assert code == 0


def test_a_disabled_source_section_is_read_with_its_enabled_binaries(
    hosts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, document, _ = scan(configs(hosts, tmp_path, centos_enabled=True), capsys)
    nevras = {p["nevra"] for p in document["packages"]}
    assert {"centos-thing-1.0-1.noarch", "centos-thing-1.0-1.src"} <= nevras
    reasons = {item["reason"] for item in document["completeness"]["reasons"]}
    assert "source-not-audited" not in reasons
