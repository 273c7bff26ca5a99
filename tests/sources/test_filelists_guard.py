"""filelists.xml is checked for package data dnf would read from it, whether or not a file
requirement needs it read (red team 10, bug 8).

libsolv (dnf 4) takes a ``<rpm:requires>`` or ``<rpm:vendor>`` inside a filelists.xml package in
place of the package's own. The auditor read filelists.xml only when a file requirement needed
it: with none, a package dnf installs requiring Citrix passed clean. Each case starts from the
createrepo_c fixture repository, changes filelists.xml and keeps repomd.xml true.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

import auditor.sources.repodata as repodata
from auditor.cli.main import main
from auditor.sources.filelists_xml import may_hold_package_data
from benchmarks.generators import solv_closure
from tests.conftest import DATA, rewrite_filelists

CONF = "<file>/etc/filedeps.conf</file>"
"""A file of filedeps-1.0-1 that filelists.xml lists and no requirement of the repository needs."""
CITRIX_DATA = (
    "<rpm:vendor>Citrix Systems, Inc.</rpm:vendor>"
    "<rpm:requires><rpm:entry name='xenserver-release'/></rpm:requires>"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    return target


def libsolv_requirements(repo: Path, name: str) -> set[str]:
    _, repository = solv_closure.load(str(repo))
    [found] = [s for s in repository.solvables if s.name == name]
    return {str(dep) for dep in solv_closure.requirements(found)}


@pytest.mark.parametrize("halves", [False, True])
def test_package_data_in_filelists_no_requirement_needs_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool
) -> None:
    rewrite_filelists(repo, lambda text: text.replace(CONF, CONF + CITRIX_DATA, 1))
    assert "xenserver-release" in libsolv_requirements(repo, "filedeps")  # what dnf 4 installs
    monkeypatch.setattr(repodata, "SPLIT_PRIMARY_FROM", 1 if halves else 1 << 60)
    read = repodata.read_repository(str(repo))
    [error] = read.errors  # read before any file requirement could need it
    assert read.file_lists is not None and read.file_lists.error is error
    assert "filelists.xml.gz: package filedeps: <rpm:vendor>, which libsolv (dnf) reads" in str(error)
    assert {p.name for p in read.packages} >= {"filedeps", "caret-version"}  # the packages still count


def test_the_scan_says_so_and_exits_3(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rewrite_filelists(repo, lambda text: text.replace(CONF, CONF + CITRIX_DATA, 1))
    assert main(["scan", str(repo), "--metadata-only", "--no-cache", "--format", "table"]) == 3
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    # Once, though a file requirement of the fixtures then wants filelists.xml read too.
    assert captured.err.count("filelists.xml.gz: package filedeps: <rpm:vendor>") == 1
    assert "failed: 1 input(s) could not be read" in captured.out


@pytest.mark.parametrize(
    "harmless",
    [
        "<!-- <rpm:requires><rpm:entry name='xenserver-release'/></rpm:requires> -->",
        "<unknown><rpm:requires/></unknown>",
        "<![CDATA[<rpm:vendor>Citrix</rpm:vendor>]]>",
    ],
    ids=["comment", "unknown-element", "cdata"],
)
def test_what_dnf_reads_no_package_data_from_passes(repo: Path, harmless: str) -> None:
    """The scan finds something else than createrepo_c writes, and the whole reading, which
    follows libsolv, finds no package data there: the repository is read as before."""
    rewrite_filelists(repo, lambda text: text.replace(CONF, CONF + harmless, 1))
    assert "xenserver-release" not in libsolv_requirements(repo, "filedeps")
    read = repodata.read_repository(str(repo))
    assert read.errors == []


def test_what_createrepo_c_writes_is_only_scanned() -> None:
    """Every fixture's filelists.xml passes the scan alone: it is never read whole for this."""
    for path in DATA.glob("repo*/repodata/*-filelists.xml.gz"):
        text = gzip.decompress(path.read_bytes())
        assert not may_hold_package_data([text[start : start + 7] for start in range(0, len(text), 7)])
        assert may_hold_package_data([text.replace(b"<file>", b"<rpm:requires/><file>", 1)])
        assert may_hold_package_data([text.replace(b' pkgid="', b' pkgxd="', 1)])
