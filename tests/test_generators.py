"""The corpus generators of benchmarks/generators, on a small index: what the differential
tests stand on.

A wrong conversion would make the differential tests compare the auditor with libsolv and dnf
on a corpus that means something other than intended, and silently: all three would read the
same wrong repodata. These check the mapping itself, that the output is valid repodata (the
auditor verifies every checksum and size) and that it is the same on every run.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from auditor.sources.repodata import read_repository
from benchmarks.generators import copies, debian, distro, dnf_closure, ranges, rpms, solv_closure, store
from tests.rpmbuild import binary_of

INDEX = textwrap.dedent(
    """\
    Package: dash
    Version: 0.5.12-2
    Architecture: amd64
    Provides: sh
    Pre-Depends: libc6 (>= 2.34)
    Description: POSIX-compliant shell
     The Debian Almquist Shell.

    Package: libc6
    Source: glibc
    Version: 2.36-9+deb12u4
    Architecture: amd64
    Provides: libc6-abi (= 2.36)
    Description: GNU C Library: Shared libraries

    Package: tool
    Source: tool-src (1:2.0~rc1-1)
    Version: 1:2.0~rc1-1+b2
    Architecture: all
    Depends: dash | bash (>= 5), libc6 (>= 2.36), libc6:any, missing-thing (>> 1.0), lib32-only:i386
    Breaks: sh (<< 1), dash (<< 0.5)
    Recommends: libc6-abi
    Installed-Size: 1100
    Description: a tool

    Package: tool
    Version: 0.9-1
    Architecture: all
    Description: the same package again: the first one wins, as in apt
    """
)


def test_versions_compare_in_rpm_as_in_dpkg() -> None:
    assert debian.split_version("1:2.0~rc1-1+b2") == ("1", "2.0~rc1", "1+b2")
    assert debian.full_evr("4.13.3withdata-dfsg2") == ("0", "4.13.3withdata", "dfsg2")
    assert debian.full_evr("12-20211113-1") == ("0", "12^20211113", "1")  # '-' inside: '^'
    assert debian.full_evr("2.36") == ("0", "2.36", "0")  # no revision: 0, as dpkg reads it
    groups = debian.relation_groups("a | b (>= 1:2-3), c:any (<< 4), d:i386, e [amd64] <!nocheck>")
    assert groups == [
        (debian.Relation("a"), debian.Relation("b", "GE", ("1", "2", "3"))),
        (debian.Relation("c", "LT", ("0", "4", "0")),),
        (debian.Relation("e"),),
    ]


def write_index(tmp_path: Path, name: str) -> Path:
    packages = debian.unique_paragraphs(INDEX)
    out = tmp_path / name
    distro.write(str(out), packages, distro.virtual_names(packages))
    return out


def test_debian_index_becomes_repodata_the_auditor_and_libsolv_read(tmp_path: Path) -> None:
    repo = write_index(tmp_path, "repo")
    packages = {p.name: p for p in read_repository(str(repo)).packages}
    assert sorted(packages) == ["dash", "libc6", "tool"]
    tool = packages["tool"]
    assert (tool.epoch, tool.version, tool.release, tool.arch) == (1, "2.0~rc1", "1+b2", "noarch")
    assert tool.sourcerpm == "tool-src-2.0~rc1-1.src.rpm"
    requires = {str(dep) for dep in tool.requires}
    assert "(dash or bash >= 5-0)" in requires  # alternatives: a rich dependency
    assert {"libc6 >= 2.36-0", "libc6", "missing-thing > 1.0-0"} <= requires
    assert not any("lib32-only" in text for text in requires)  # a foreign architecture: left out
    # a versioned Breaks on a name some package provides unversioned (sh) is left out
    assert {str(dep) for dep in tool.conflicts} == {"dash < 0.5-0"}
    assert [str(dep) for dep in tool.recommends] == ["libc6-abi"]
    dash = packages["dash"]
    assert "/bin/sh" in dash.files and "sh" in {d.name for d in dash.provides}
    assert any(dep.name == "libc6" and dep.is_prereq for dep in dash.requires)
    pool, repository = solv_closure.load(str(repo))
    assert solv_closure.unresolved(pool, repository) == {
        "tool-1:2.0~rc1-1+b2.noarch": ["missing-thing > 1.0-0"]
    }


def test_ranges_corpus_has_one_unresolved_requirement_for_the_auditor_and_libsolv(tmp_path: Path) -> None:
    """ranges-5k's shape, small: each range matches what rpm says, and r-0's alone matches nothing."""
    total = ranges.write(str(tmp_path), count=30)
    packages = {p.name: p for p in read_repository(str(tmp_path)).packages if p.name != "x"}
    assert total == 121 and len(packages) == 91
    assert [str(d) for d in packages["o-7"].obsoletes] == ["x < 1.0-7"]
    assert [str(d) for d in packages["c-7"].conflicts] == ["x > 1.0-7"]
    assert [str(d) for d in packages["r-7"].requires] == ["x <= 1.0-7"]
    pool, repository = solv_closure.load(str(tmp_path))
    assert solv_closure.unresolved(pool, repository) == {"r-0-1.0-1.noarch": ["x < 1.0-1"]}


def test_versions_corpus_holds_each_name_in_three_versions_libsolv_reads(tmp_path: Path) -> None:
    """versions-30k's shape, small: the later copies are newer versions of the same names, each
    requirement still met, and every pkgid its own."""
    packages = copies.versions(debian.unique_paragraphs(INDEX))
    distro.write(str(tmp_path), packages, distro.virtual_names(packages))
    read = read_repository(str(tmp_path)).packages
    tools = sorted((p.version, p.release) for p in read if p.name == "tool")
    assert tools == [("2.0~rc1", "1+b2"), ("2.0~rc1", "1+b2+v1"), ("2.0~rc1", "1+b2+v2")]
    assert len({p.checksum for p in read}) == len(read) == 9
    pool, repository = solv_closure.load(str(tmp_path))
    assert sorted(solv_closure.unresolved(pool, repository)) == [
        "tool-1:2.0~rc1-1+b2+v1.noarch",
        "tool-1:2.0~rc1-1+b2+v2.noarch",
        "tool-1:2.0~rc1-1+b2.noarch",
    ]


def test_the_same_index_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = write_index(tmp_path, "first"), write_index(tmp_path, "second")
    files = sorted(path.name for path in (first / "repodata").iterdir())
    assert len(files) == 4
    for name in files:
        assert (first / "repodata" / name).read_bytes() == (second / "repodata" / name).read_bytes()


def test_rpm_corpus_specs_are_deterministic_and_rpmspec_reads_them(tmp_path: Path) -> None:
    first = rpms.write_specs(str(tmp_path / "a"), 60, seed=7)
    second = rpms.write_specs(str(tmp_path / "b"), 60, seed=7)
    assert [Path(p).read_text() for p in first] == [Path(p).read_text() for p in second]
    for spec in first[:3] + first[-3:]:
        parsed = subprocess.run(["rpmspec", "-P", spec], capture_output=True, text=True, check=False)
        assert parsed.returncode == 0, parsed.stderr


def test_unresolvable_requirements_go_only_on_packages_nothing_requires() -> None:
    graph = rpms.plan(500, random.Random(7))
    assert graph.broken
    required = {req.split()[0] for requires in graph.requires for req in requires}
    assert not {graph.names[i] for i in graph.broken} & required


def test_dnf_repoclosure_output_is_read_into_pairs() -> None:
    output = (
        "package: tool-1:2.0-1.noarch from r\n"
        "  unresolved deps (2):\n"
        "    missing-thing > 1.0\n"
        "    git < 0:2.39.5\n"
        "package: other-1-1.x86_64 from r\n"
        "  unresolved deps (1):\n"
        "    (a or b)\n"
        "Error: Repoclosure ended with unresolved dependencies.\n"
    )
    assert dnf_closure.unresolved(output) == {
        ("tool-1:2.0-1.noarch", "missing-thing > 1.0"),
        ("tool-1:2.0-1.noarch", "git < 2.39.5"),
        ("other-1-1.x86_64", "(a or b)"),
    }


def test_a_corpus_that_cannot_be_made_says_what_to_install_or_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(debian, "APT_LISTS", str(tmp_path / "no-lists"))
    monkeypatch.delenv(store.INDEX_ENV, raising=False)
    with pytest.raises(store.CorpusUnavailable, match="apt-get update") as missing_index:
        store.ensure([store.DISTRO_60K], str(tmp_path / "corpora"))
    assert "scripts/test" in str(missing_index.value)
    monkeypatch.setenv("PATH", str(tmp_path))  # no rpmbuild, no createrepo_c
    with pytest.raises(store.CorpusUnavailable, match="rpmbuild and createrepo_c") as missing_tools:
        store.ensure([store.RPMS_2K], str(tmp_path / "corpora"))
    assert "apt-get install rpm createrepo-c" in str(missing_tools.value)


def test_multilib_corpus_holds_i686_copies_some_of_an_older_version_libsolv_reads(tmp_path: Path) -> None:
    """multilib-12k's shape, small: an i686 copy of some x86_64 packages (by a digest of the name),
    some of those of an older version only, every pkgid its own, each Depends met (the index
    has no /bin/sh that the generator's scripts need)."""
    index = "".join(
        f"Package: p{n}\nVersion: 1:2.{n}-1\nArchitecture: amd64\nDepends: p0\n\n" for n in range(200)
    )
    packages = copies.multilib(debian.unique_paragraphs(index))
    distro.write(str(tmp_path), packages, distro.virtual_names(packages))
    read = read_repository(str(tmp_path)).packages
    i686 = {p.name: (p.epoch, p.version) for p in read if p.arch == "i686"}
    older = {name for name, (_epoch, version) in i686.items() if version.startswith("0~")}
    assert 0.3 * 200 < len(i686) < 0.5 * 200  # about MULTILIB_SHARE of 100
    assert 0.05 * 200 < len(older) < 0.15 * 200  # about OLDER_SHARE of 100
    assert all(epoch == 1 for epoch, _version in i686.values())
    assert len({p.checksum for p in read}) == len(read) == 200 + len(i686)
    pool, repository = solv_closure.load(str(tmp_path))
    assert {need for needs in solv_closure.unresolved(pool, repository).values() for need in needs} == {
        "/bin/sh"
    }


def test_dnf_repoclosure_reads_a_repository_whose_path_has_a_space(tmp_path: Path) -> None:
    """dnf was handed ``file://`` and the path as written, which curl refuses: the closure of such
    a repository failed before it began."""
    if dnf_closure.dnf() is None:
        pytest.fail("dnf is not installed: run scripts/test, or apt-get install dnf dnf-plugins-core")
    repo = tmp_path / "a repo"
    spec = (
        "Name: needs\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\nRequires: absent\n"
    )
    built = binary_of(spec + "%description\nd\n%files\n", tmp_path)
    repo.mkdir()
    shutil.copy(built, repo)
    subprocess.run(["createrepo_c", "--quiet", str(repo)], check=True, capture_output=True)
    command = dnf_closure.prepare(str(repo), "cold", str(tmp_path / "cache"))
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stderr  # 1: unresolved requirements, listed
    assert dnf_closure.unresolved(done.stdout) == {("needs-1-1.noarch", "absent")}
