"""Reading repodata made by createrepo_c gives the model of reading the same RPM files,
apart from what repodata does not carry (auditor/sources/repodata.py lists it)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from auditor.core.errors import InputError
from auditor.rpm.model import EVR, Dependency, Package
from auditor.rpm.package_fields import DEPENDENCY_KINDS
from auditor.sources.load import load_inputs
from auditor.sources.repodata import read_repository
from auditor.sources.rpmpackage import read_rpm_file
from tests.conftest import DATA, rewrite_primary

REPOS = ["repo", "repo-xz", "repo-bz2", "repo-zst", "srpm-repo"]


def _normal_epoch(evr: EVR | None) -> EVR | None:
    if evr is None:
        return None
    return EVR(evr.epoch or 0, evr.version, evr.release)


def _dep(dep: Dependency) -> Dependency:
    qualifiers = frozenset({"prereq"}) if dep.is_prereq else frozenset()
    return Dependency(dep.name, dep.op, _normal_epoch(dep.evr), qualifiers)


def as_repodata_carries(package: Package) -> Package:
    """What createrepo_c keeps of a package read from its file."""
    provided = {dep.name for dep in package.provides}
    requires: list[Dependency] = []
    last: dict[str, Dependency] = {}  # createrepo_c drops a repeat of the *last* entry of a name
    for dep in package.requires:
        if dep.name.startswith("rpmlib(") or dep.name in provided:
            continue
        if dep.name.startswith("/") and dep.name in package.files:
            continue
        normal = _dep(dep)
        if last.get(dep.name) != normal:
            requires.append(normal)
            last[dep.name] = normal
    return replace(
        package,
        epoch=package.epoch or 0,
        location="",
        input="",
        requires=tuple(requires),
        provides=tuple(_dep(d) for d in package.provides),
        conflicts=tuple(_dep(d) for d in package.conflicts),
        obsoletes=tuple(_dep(d) for d in package.obsoletes),
        recommends=tuple(_dep(d) for d in package.recommends),
        suggests=tuple(_dep(d) for d in package.suggests),
        supplements=tuple(_dep(d) for d in package.supplements),
        enhances=tuple(_dep(d) for d in package.enhances),
        distribution=None,
        signing_keys=(),
        sources=(),
        spec=None,
        builds=None,  # the binaries its spec builds: repodata has no spec
        # nor what its spec's packages carry (their capabilities, their names)
        alternatives=() if package.is_source else package.alternatives,
        notes=(),
        gaps=(),  # what the reading of the SRPM's spec could not see: repodata has no spec
    )


def from_repodata(package: Package) -> Package:
    dependencies: dict[str, Any] = {
        kind: tuple(_dep(d) for d in getattr(package, kind)) for kind in DEPENDENCY_KINDS
    }
    return replace(package, epoch=package.epoch or 0, location="", input="", **dependencies)


@pytest.mark.parametrize("name", REPOS)
def test_repodata_equals_rpm_files(name: str) -> None:
    repository = read_repository(str(DATA / name))
    assert repository.errors == []
    assert repository.has_filelists
    by_checksum = {package.checksum.value: package for package in repository.packages if package.checksum}
    rpm_dir = DATA / name / "Packages" if (DATA / name / "Packages").is_dir() else DATA / name
    files = sorted(rpm_dir.rglob("*.rpm"))
    assert len(files) == len(repository.packages)
    for path in files:
        from_file = read_rpm_file(str(path))
        assert from_file.checksum is not None
        from_repo = by_checksum[from_file.checksum.value]
        assert from_repodata(from_repo) == as_repodata_carries(from_file), path.name
        assert from_repo.location.endswith(path.name)


def test_primary_only_has_the_partial_file_list(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    repomd = repo / "repodata" / "repomd.xml"
    text = repomd.read_text()
    start = text.index('<data type="filelists">')
    end = text.index("</data>", start) + len("</data>")
    repomd.write_text(text[:start] + text[end:])
    repository = read_repository(str(repo))
    assert not repository.has_filelists
    filedeps = next(p for p in repository.packages if p.name == "filedeps")
    assert "/usr/bin/filedeps-tool" in filedeps.files  # primary lists */bin/* and /etc/*
    assert "/usr/share/filedeps/data.txt" not in filedeps.files


def _copy_repo(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "repo", target)
    return target


def test_checksum_mismatch_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    primary = next((repo / "repodata").glob("*-primary.xml.gz"))
    data = bytearray(primary.read_bytes())
    data[-10] ^= 0xFF
    primary.write_bytes(bytes(data))
    with pytest.raises(InputError) as info:
        read_repository(str(repo))
    assert "primary.xml.gz" in str(info.value) and "mismatch" in str(info.value)


def test_a_bad_repository_does_not_hide_the_good_inputs(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    primary = next((repo / "repodata").glob("*-primary.xml.gz"))
    primary.write_bytes(b"garbage")
    loaded = load_inputs([str(repo), str(DATA / "rpms" / "epochs-1.2-4.noarch.rpm")])
    assert [p.name for p in loaded.packages] == ["epochs"]
    assert len(loaded.errors) == 1 and "primary" in str(loaded.errors[0])


def test_doctype_is_refused(tmp_path: Path) -> None:
    repo = _copy_repo(tmp_path)
    # repomd's checksum and sizes are made right, so the XML itself is what gets refused
    rewrite_primary(
        repo, lambda xml: xml.replace("<metadata", '<!DOCTYPE m [<!ENTITY x "boom">]><metadata', 1)
    )
    with pytest.raises(InputError, match="DOCTYPE"):
        read_repository(str(repo))


def test_repomd_path_is_accepted() -> None:
    repository = read_repository(str(DATA / "repo" / "repodata" / "repomd.xml"))
    assert len(repository.packages) > 10
