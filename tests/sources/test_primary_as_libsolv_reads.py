"""primary.xml and filelists.xml bent in ways libsolv accepts are read as libsolv reads them, or refused.

Each case starts from the fixture repository createrepo_c wrote, changes one package's XML and
keeps repomd.xml true. libsolv (the ``solv`` wheel, RPM semantics, as dnf loads a repository)
is the authority for what the repository then contains: the auditor must see the same package
fields and dependencies, or refuse the package with an error naming the file, never read a
weaker fact than dnf does.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import solv

import auditor.sources.repodata as repodata
from auditor.core.errors import InputError
from auditor.deps.resolve import Resolver
from auditor.sources.filelists import complete_file_lists
from benchmarks.generators import solv_closure
from tests.conftest import DATA, rewrite_filelists, rewrite_primary

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
        "provides": sorted(str(dep) for dep in found.lookup_deparray(solv.SOLVABLE_PROVIDES)),
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


REQUIREMENT = '<rpm:entry name="tilde-version" flags="GE" epoch="0" ver="1.0~rc1"/>'
"""A requirement of `PACKAGE` the fixture repository answers (tilde-version-1.0~rc1-1)."""


def unresolved_by_libsolv(repo: Path) -> set[str]:
    pool, repository = solv_closure.load(str(repo))
    return {dep for deps in solv_closure.unresolved(pool, repository).values() for dep in deps}


def unresolved_by_auditor(read: repodata.RepositoryRead) -> set[str]:
    resolved = Resolver(read.packages).resolve_all(weak=False)
    return {str(resolution.dependency) for _, resolution in resolved.unresolved()}


@pytest.mark.parametrize("halves", [False, True])
def test_a_requirement_of_another_kind_is_not_answered_by_a_package_of_that_name(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool
) -> None:
    # libsolv reads kind="patch" as the capability "patch:tilde-version", which no package provides.
    rewrite_primary(
        repo, lambda text: text.replace(REQUIREMENT, REQUIREMENT.replace(" flags", ' kind="patch" flags'))
    )
    assert "patch:tilde-version >= 1.0~rc1" in unresolved_by_libsolv(repo)
    read = auditor_read(repo, monkeypatch, halves=halves)
    assert read.errors == []
    assert "patch:tilde-version >= 1.0~rc1" in unresolved_by_auditor(read)


@pytest.mark.parametrize(
    ("entry", "says"),
    [
        # An empty flags attribute is a relation libsolv knows no operator of: nothing answers it.
        (REQUIREMENT.replace('flags="GE"', 'flags=""'), "unknown flags '' on tilde-version"),
        # Python's int() reads "1_0" as 10 and " 1" as 1; libsolv keeps them as strings.
        (REQUIREMENT.replace('epoch="0"', 'epoch="1_0"'), "epoch '1_0' of tilde-version is not a number"),
        (REQUIREMENT.replace('epoch="0"', 'epoch=" 1"'), "epoch ' 1' of tilde-version is not a number"),
    ],
)
@pytest.mark.parametrize("halves", [False, True])
def test_an_entry_libsolv_reads_otherwise_refuses_its_package(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool, entry: str, says: str
) -> None:
    rewrite_primary(repo, lambda text: text.replace(REQUIREMENT, entry))
    # What libsolv makes of the entry is no requirement tilde-version-1.0~rc1-1 answers.
    assert any(dep.startswith("tilde-version") for dep in unresolved_by_libsolv(repo))
    read = auditor_read(repo, monkeypatch, halves=halves)
    assert PACKAGE not in {p.name for p in read.packages}
    [error] = read.errors
    assert "primary.xml.gz: package caret-version" in str(error) and says in str(error)


@pytest.mark.parametrize("epoch", ["1_0", " 1", "\u0661"])
def test_a_package_epoch_that_is_not_digits_refuses_the_package(
    repo: Path, monkeypatch: pytest.MonkeyPatch, epoch: str
) -> None:
    old = '<version epoch="0" ver="2.0^git20240101.abc" rel="1"/>'
    rewrite_primary(repo, lambda text: text.replace(old, old.replace('"0"', f'"{epoch}"')))
    read = auditor_read(repo, monkeypatch, halves=False)
    assert PACKAGE not in {p.name for p in read.packages}
    [error] = read.errors
    assert "package caret-version: epoch or build time is not a number" in str(error)


CARET_LIB = '<rpm:entry name="caret-lib" flags="GE" epoch="0" ver="1.5^20231231"/>'
"""A requirement of `PACKAGE` nothing in the fixture repository answers; `REQUIREMENT` follows it."""


@pytest.mark.parametrize(
    "change",
    [
        # An empty list nested in another: libsolv skips it; it ended the requirements and replaced the provides.
        lambda text: text.replace(CARET_LIB, CARET_LIB + "<rpm:provides/>", 1),
        # A package inside a package: libsolv skips it, the reader had dropped the outer one.
        lambda text: text.replace(
            "</format>", "<extra><package type='rpm'><name>ghost</name></package></extra></format>", 1
        ),
        lambda text: text.replace(
            "</format>", "<package type='rpm'><name>ghost</name></package></format>", 1
        ),
        # An entry inside an entry is none.
        lambda text: text.replace(CARET_LIB, CARET_LIB[:-2] + "><rpm:entry name='inner'/></rpm:entry>", 1),
    ],
    ids=[
        "provides-in-requires",
        "package-in-package",
        "package-in-format",
        "entry-in-entry",
    ],
)
@pytest.mark.parametrize("halves", [False, True])
def test_an_element_where_libsolv_reads_none_adds_and_hides_nothing(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool, change: Callable[[str], str]
) -> None:
    rewrite_primary(repo, change)
    libsolv = libsolv_reads(repo)
    assert libsolv["requires"] == ["caret-lib >= 1.5^20231231", "tilde-version >= 1.0~rc1"]
    read = auditor_read(repo, monkeypatch, halves=halves)
    assert read.errors == []
    [package] = [p for p in read.packages if p.name == PACKAGE]
    assert sorted(map(str, package.requires)) == libsolv["requires"]
    assert sorted(map(str, package.provides)) == libsolv["provides"]
    assert not package.conflicts
    assert "ghost" not in {p.name for p in read.packages}
    assert "caret-lib >= 1.5^20231231" in unresolved_by_auditor(read)


YUM_READS_THERE = {
    # yum 3 reads an entry anywhere in a list: a requirement x, libsolv none.
    "conflicts-in-requires": (
        lambda text: text.replace(
            CARET_LIB, CARET_LIB + "<rpm:conflicts><rpm:entry name='x'/></rpm:conflicts>", 1
        ),
        "a <rpm:entry>",
    ),
    # yum 3 reads a list anywhere in <format>: a provide answering caret-lib, libsolv none.
    "provides-in-unknown": (
        lambda text: text.replace(
            "</format>",
            "<extra><rpm:provides><rpm:entry name='caret-lib' flags='EQ' ver='9'/></rpm:provides></extra></format>",
            1,
        ),
        "a <rpm:provides>",
    ),
    # yum 3 reads a package anywhere in the document, a name anywhere in a package (the last one).
    "package-in-unknown": (
        lambda text: text.replace(
            "</metadata>", "<extra><package type='rpm'><name>ghost</name></package></extra></metadata>", 1
        ),
        "a <package>",
    ),
    "name-in-unknown": (
        lambda text: text.replace(
            "<name>caret-version</name>", "<name>caret-version</name><extra><name>ghost</name></extra>", 1
        ),
        "a <name>",
    ),
}
"""Elements libsolv skips with what they hold, where yum 3 (yum-metadata-parser, which reads
primary.xml where the repository lists no primary_db) reads something: refused, as one reading
or the other would go unaudited."""


@pytest.mark.parametrize("change", YUM_READS_THERE.values(), ids=YUM_READS_THERE.keys())
@pytest.mark.parametrize("halves", [False, True])
def test_an_element_libsolv_skips_and_yum_reads_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool, change: tuple[Callable[[str], str], str]
) -> None:
    edit, element = change
    rewrite_primary(repo, edit)
    libsolv = libsolv_reads(repo)
    assert libsolv["requires"] == ["caret-lib >= 1.5^20231231", "tilde-version >= 1.0~rc1"]
    with pytest.raises(InputError) as refused:
        auditor_read(repo, monkeypatch, halves=halves)
    assert "primary.xml.gz: " in str(refused.value)
    assert f"{element} where dnf skips it and yum 3 reads it" in str(refused.value)


FILEDEPS = "a179bf563db2b0d6d5cd06caa742011bc2e47c84884939949ac15e0f10964a7d"
"""The pkgid of filedeps-1.0-1, whose files filelists.xml lists."""
SINGLE_REQ = '<rpm:entry name="single-req" flags="GE" epoch="0" ver="1.0"/>'
"""A requirement of single-deps-1.0-1, after which the tests add a file requirement."""


def test_a_file_nested_in_an_unknown_element_of_filelists_is_refused(repo: Path) -> None:
    """libsolv reads no file there (the path stays unresolved for dnf); yum 3's reader of
    filelists.xml (yum-metadata-parser) keeps no depth, and reads it as one of the package's:
    what meets a file requirement on yum 3 hosts is not what the audit saw."""
    rewrite_primary(
        repo, lambda text: text.replace(SINGLE_REQ, SINGLE_REQ + '<rpm:entry name="/opt/ghost/x"/>')
    )
    conf = "<file>/etc/filedeps.conf</file>"
    rewrite_filelists(
        repo, lambda text: text.replace(conf, conf + "<extra><file>/opt/ghost/x</file></extra>")
    )
    assert "/opt/ghost/x" in unresolved_by_libsolv(repo)
    read = repodata.read_repository(str(repo))
    assert read.file_lists is not None
    complete_file_lists([read.file_lists], frozenset({"/opt/ghost/x"}), read.errors)
    [error] = read.errors
    assert "filelists.xml.gz: package filedeps: a <file> where dnf skips it and yum 3 reads it" in str(error)


@pytest.mark.parametrize(
    ("added", "says"),
    [
        # libsolv replaces filedeps' requirements and vendor by these: dnf shows a Citrix package.
        (
            "<rpm:vendor>Citrix Systems, Inc.</rpm:vendor>"
            "<rpm:requires><rpm:entry name='xenserver-release'/></rpm:requires>",
            "package filedeps: <rpm:vendor>, which libsolv (dnf) reads in place of primary.xml's; refused",
        ),
        # A <package> without a pkgid is a new package to libsolv, one primary.xml does not list.
        (
            "</package><package><name>citrix-ghost</name><version epoch='0' ver='1' rel='1'/>"
            "<rpm:requires><rpm:entry name='xenserver-release'/></rpm:requires>",
            "a package: no pkgid: libsolv (dnf) reads it as a package primary.xml does not list; refused",
        ),
    ],
    ids=["requirements-of-a-package", "a-package"],
)
def test_package_data_in_filelists_is_refused(repo: Path, added: str, says: str) -> None:
    conf = "<file>/etc/filedeps.conf</file>"
    rewrite_filelists(repo, lambda text: text.replace(conf, conf + added, 1))
    assert "xenserver-release" in unresolved_by_libsolv(repo)
    read = repodata.read_repository(str(repo))
    assert read.file_lists is not None
    read.file_lists.load()
    error = read.file_lists.error
    assert error is not None and "filelists.xml.gz: " in str(error) and says in str(error)


@pytest.mark.parametrize("halves", [False, True])
def test_a_package_with_a_pkgid_in_primary_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool
) -> None:
    # libsolv takes it for more data of a package read before (none here): it drops the package.
    rewrite_primary(
        repo, lambda text: text.replace('<package type="rpm">', f'<package type="rpm" pkgid="{FILEDEPS}">', 1)
    )
    _, repository = solv_closure.load(str(repo))
    assert PACKAGE not in {s.name for s in repository.solvables}
    read = auditor_read(repo, monkeypatch, halves=halves)
    assert PACKAGE not in {p.name for p in read.packages}
    [error] = read.errors
    assert "primary.xml.gz: package caret-version: a <package> with a pkgid attribute" in str(error)


@pytest.mark.parametrize("halves", [False, True])
def test_a_root_element_libsolv_reads_no_package_under_is_refused(
    repo: Path, monkeypatch: pytest.MonkeyPatch, halves: bool
) -> None:
    # A prefixed root is no root libsolv knows: dnf sees an empty repository, which the file is not.
    rewrite_primary(
        repo,
        lambda text: text.replace(
            "<metadata xmlns=", '<md:metadata xmlns:md="http://linux.duke.edu/metadata/common" xmlns='
        ).replace("</metadata>", "</md:metadata>"),
    )
    _, repository = solv_closure.load(str(repo))
    assert repository.nsolvables == 0
    with pytest.raises(
        InputError, match=r"primary.xml.gz: its root element is <md:metadata>, not <metadata>"
    ):
        auditor_read(repo, monkeypatch, halves=halves)
