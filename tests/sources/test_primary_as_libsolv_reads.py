"""primary.xml bent in ways libsolv accepts is read as libsolv reads it, or refused.

Each case starts from the fixture repository createrepo_c wrote, changes one package's XML and
keeps repomd.xml true. libsolv (the ``solv`` wheel, RPM semantics, as dnf loads a repository)
is the authority for what the repository then contains: the auditor must see the same package
fields and dependencies, or refuse the package with an error naming the file, never read a
weaker fact than dnf does.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import solv

import auditor.sources.repodata as repodata
from benchmarks.generators import solv_closure
from tests.conftest import DATA, rewrite_primary

PACKAGE = "caret-version"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    return target


def libsolv_reads(repo: Path) -> dict[str, object]:
    """What libsolv holds of `PACKAGE` (read here: a solvable does not outlive its pool)."""
    _, repository = solv_closure.load(str(repo))
    [found] = [s for s in repository.solvables if s.name == PACKAGE]
    return {
        "vendor": found.lookup_str(solv.SOLVABLE_VENDOR),
        "requires": sorted(str(dep) for dep in solv_closure.requirements(found)),
    }


def auditor_read(repo: Path, monkeypatch: pytest.MonkeyPatch, *, halves: bool) -> repodata.RepositoryRead:
    monkeypatch.setattr(repodata, "SPLIT_PRIMARY_FROM", 1 if halves else 1 << 60)
    return repodata.read_repository(str(repo))


@pytest.mark.parametrize("halves", [False, True])
def test_a_vendor_element_without_the_rpm_prefix_is_the_vendor_dnf_shows(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool
) -> None:
    # libsolv's table reads <vendor> as <rpm:vendor>: dnf shows this package's vendor as Citrix.
    rewrite_primary(
        repo,
        lambda text: text.replace("<rpm:vendor></rpm:vendor>", "<vendor>Citrix Systems, Inc.</vendor>", 1),
    )
    assert libsolv_reads(repo)["vendor"] == "Citrix Systems, Inc."
    read = auditor_read(repo, monkeypatch, halves=halves)
    assert read.errors == []
    [package] = [p for p in read.packages if p.name == PACKAGE]
    assert package.vendor == "Citrix Systems, Inc."
