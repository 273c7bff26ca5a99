"""The resolver against libsolv (RPM semantics, the `solv` wheel) and dnf repoclosure.

For plain requirements the set of (package, unresolved requirement) pairs must equal
libsolv's `whatprovides` closure, which is what dnf repoclosure computes. Rich
dependencies differ on purpose (README, "How requirements are resolved"); for them every
leaf capability must have the same providers in both.

Besides the fixtures and the example, the comparison runs on the benchmark corpora
(benchmarks/generators): distro-60k, Debian bookworm's graph as rpm-md, and rpms-2k, 2,000
RPMs built by rpmbuild. They are generated on first use and kept (benchmarks/corpora, or
$AUDITOR_CORPORA); where one cannot be generated the test fails and says what to install or run.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

import pytest
import solv

from auditor.deps.resolve import Resolver
from auditor.rpm.deps import leaves, parse
from auditor.rpm.model import Dependency
from auditor.sources.repodata import read_repository
from auditor.sources.rpmpackage import read_rpm_file
from benchmarks.generators import dnf_closure, solv_closure, store
from tests.conftest import DATA
from tests.paths import ROOT

EXAMPLE = ROOT / "examples" / "xcp-ng-mini"


class Libsolv:
    def __init__(self, repo: Path) -> None:
        self.pool, self.repository = solv_closure.load(str(repo))

    def unresolved(self) -> set[tuple[str, str]]:
        found = solv_closure.unresolved(self.pool, self.repository)
        return {(nevra, dep) for nevra, deps in found.items() for dep in deps if not dep.startswith("(")}

    def providers(self, dep: Dependency) -> set[str]:
        if dep.op is None or dep.evr is None:
            handle = self.pool.Dep(dep.name)
        else:
            flags = {"<": solv.REL_LT, "<=": solv.REL_LT | solv.REL_EQ, "=": solv.REL_EQ,
                     ">=": solv.REL_GT | solv.REL_EQ, ">": solv.REL_GT}[dep.op.value]  # fmt: skip
            handle = self.pool.Dep(dep.name).Rel(flags, self.pool.Dep(str(dep.evr)))
        return {str(s) for s in self.pool.whatprovides(handle)}


# kept for the next test: the libsolv and the dnf comparisons of a corpus read it once
@functools.lru_cache(maxsize=1)
def ours(repo: Path) -> tuple[Resolver, set[tuple[str, str]], list[Dependency]]:
    packages = read_repository(str(repo)).packages
    resolver = Resolver(packages)
    resolved = resolver.resolve_all(weak=False)
    unresolved = {
        (packages[index].nevra, str(resolution.dependency))
        for index, resolution in resolved.unresolved()
        if not resolution.dependency.is_rich and not packages[index].is_source
    }
    rich = [dep for p in packages for dep in p.requires if dep.is_rich]
    return resolver, unresolved, rich


def compare(repo: Path) -> tuple[set[tuple[str, str]], int]:
    oracle = Libsolv(repo)
    resolver, unresolved, rich = ours(repo)
    assert unresolved == oracle.unresolved()
    packages = resolver.packages
    checked = 0
    for dep in rich:
        for leaf in leaves(parse(dep.name)):
            mine = {packages[i].nevra for i in resolver.index.providers(leaf)}
            assert mine == oracle.providers(leaf), str(leaf)
            checked += 1
    return unresolved, checked


# The solv wheel reads gzip metadata only; test_repodata.py shows every compression reads alike.
@pytest.mark.parametrize("repo", [DATA / "repo", EXAMPLE / "repo"], ids=["fixtures", "example"])
def test_fixture_repositories_match_libsolv(repo: Path) -> None:
    unresolved, checked = compare(repo)
    if repo.parent == DATA:
        assert unresolved  # the fixtures do have unresolved requirements: the comparison is not vacuous
        assert checked > 10


def dnf_repoclosure(repo: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """Offline ``dnf repoclosure`` of ``repo`` alone, with its metadata cache emptied first."""
    if dnf_closure.dnf() is None:
        pytest.fail("dnf is not installed: run scripts/test, or apt-get install dnf dnf-plugins-core "
                    "(Fedora: dnf install dnf-plugins-core)")  # fmt: skip
    command = dnf_closure.prepare(str(repo), "cold", str(cache))
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def test_fixture_repository_matches_dnf_repoclosure(tmp_path: Path) -> None:
    repo = DATA / "repo"
    closure = dnf_repoclosure(repo, tmp_path)
    # dnf exits 1 when requirements are unresolved (the fixture has some) and prints them
    assert closure.returncode == 1 and "package: " in closure.stdout, closure.stderr
    reported: set[tuple[str, str]] = set()
    current = None
    for line in closure.stdout.splitlines():
        if line.startswith("package: "):
            current = line.split()[1]
        elif line.startswith("    ") and current:
            reported.add((current, line.strip()))
    _, unresolved, _ = ours(repo)
    plain = {(nevra.replace(":", ""), dep) for nevra, dep in unresolved}
    # dnf prints NEVRAs with the epoch (name-E:V-R.A); compare on name and requirement
    dnf_plain = {(nevra.split("-")[0], dep) for nevra, dep in reported if not dep.startswith("(")}
    assert {(nevra.split("-")[0], dep) for nevra, dep in plain} == dnf_plain
    assert dnf_plain


def corpus(name: str) -> Path:
    """A benchmark corpus, generated first when missing or out of date; a failure when it cannot be."""
    try:
        return Path(store.ensure([name])) / name
    except store.CorpusUnavailable as exc:
        pytest.fail(str(exc))


def matches_dnf_repoclosure(repo: Path, cache: Path) -> set[tuple[str, str]]:
    """Assert that dnf repoclosure finds the plain unresolved requirements the auditor finds."""
    closure = dnf_repoclosure(repo, cache)
    # exit 1 with the packages listed when requirements are unresolved, 0 without; anything
    # else (no repoclosure plugin, an unreadable repository) is dnf failing, shown as such
    assert closure.returncode in (0, 1) and ("package: " in closure.stdout) == (closure.returncode == 1), (
        closure.stderr
    )
    theirs = {
        (nevra, dep) for nevra, dep in dnf_closure.unresolved(closure.stdout) if not dep.startswith("(")
    }
    _, unresolved, _ = ours(repo)
    assert {(nevra, dnf_closure.normalise(dep)) for nevra, dep in unresolved} == theirs
    return theirs


@pytest.mark.slow
def test_distribution_sized_repository_matches_libsolv() -> None:
    """distro-60k: Debian bookworm's dependency graph as rpm-md (about 63,000 packages)."""
    unresolved, checked = compare(corpus(store.DISTRO_60K))
    assert len(unresolved) > 20 and checked > 1000


@pytest.mark.slow
def test_distribution_sized_repository_matches_dnf_repoclosure(tmp_path: Path) -> None:
    assert len(matches_dnf_repoclosure(corpus(store.DISTRO_60K), tmp_path)) > 20


@pytest.mark.slow
def test_real_rpm_corpus_matches_libsolv_and_dnf_repoclosure(tmp_path: Path) -> None:
    """rpms-2k: the repodata createrepo_c made of 2,000 RPMs built by rpmbuild."""
    repo = corpus(store.RPMS_2K) / "RPMS"
    unresolved, checked = compare(repo)
    assert len(unresolved) >= 10 and checked > 50  # the generator makes 1 % of them unresolvable
    assert matches_dnf_repoclosure(repo, tmp_path) == {
        (nevra, dnf_closure.normalise(dep)) for nevra, dep in unresolved
    }


EMPTY_VERSION_SPECS = {
    # ``%{?undefined}`` leaves the version empty; rpmbuild accepts each of these, and
    # createrepo_c writes ``fooapi = -1`` as <rpm:entry flags="EQ" epoch="0" rel="1"/>.
    "emptyver": "Provides: fooapi = %{?undefined}-1\nProvides: barapi = 2-\nProvides: bazapi = 0:-1\n",
    "needs": "Requires: fooapi >= 2\nRequires: fooapi < 1\nRequires: barapi >= 2-1\nRequires: bazapi >= 1\n"
    "Requires: fooapi >= :1\nRequires: emptyver >= -1\nRequires: emptyver <= %{?undefined}-5\n",
}


def test_an_empty_version_is_compared_as_libsolv_compares_it(tmp_path: Path) -> None:
    """``fooapi = -1`` is no unversioned provide matching every version: libsolv compares the
    empty version, below any other. The same from the repodata and from the RPM headers."""
    from tests.deps.built import build_preambles

    repo = build_preambles(EMPTY_VERSION_SPECS, tmp_path)
    expected = {
        ("needs-1.0-1.noarch", "fooapi >= 2"),
        ("needs-1.0-1.noarch", "bazapi >= 1"),
        ("needs-1.0-1.noarch", "fooapi >= 1"),  # createrepo_c writes ":1" as epoch 0, version 1
        ("needs-1.0-1.noarch", "emptyver <= -5"),
    }
    assert compare(repo)[0] == expected  # compare: the same as libsolv on the repodata
    headers = [read_rpm_file(str(path)) for path in sorted(repo.glob("*.rpm"))]
    resolver = Resolver(headers)
    from_headers = {
        (headers[index].nevra, str(resolution.dependency))
        for index, resolution in resolver.resolve_all(weak=False).unresolved()
    }
    # the header keeps ":1", which rpm reads as epoch 0 and prints as such
    assert from_headers == expected - {("needs-1.0-1.noarch", "fooapi >= 1")} | {
        ("needs-1.0-1.noarch", "fooapi >= 0:1")
    }


def test_foreign_architectures_match_libsolv_and_dnf_repoclosure(tmp_path: Path) -> None:
    """A requirement of an x86_64 (or i686) package that only packages of another architecture
    meet: unresolved where no x86_64 host installs them (aarch64, riscv64, ppc64, armv7hl), as
    libsolv and dnf repoclosure find on x86_64; resolved by an i686 or x86_64 provider (multilib).
    amd64 and ia32e are foreign to dnf's hosts (yum 3 takes them on the x86_64 hosts it names so:
    `auditor.deps.provides.ONLY_YUM_INSTALLS`), where the requirement is unresolved too."""
    from tests.deps.built import build_repository

    foreign = ["aarch64", "riscv64", "ppc64", "armv7hl", "amd64", "ia32e"]
    providers = [{"name": f"lib-{arch}", "arch": arch} for arch in [*foreign, "i686", "x86_64"]]
    requirers = [
        {"name": "app64", "arch": "x86_64", "requires": [p["name"] for p in providers]},
        {"name": "app32", "arch": "i686", "requires": ["lib-x86_64", "lib-i686", "lib-riscv64"]},
    ]  # no rich requirement: `compare` checks their leaves on the index, which keeps every arch
    repo = build_repository([*providers, *requirers], tmp_path / "built")
    unresolved, _ = compare(repo)
    assert {dep for _, dep in unresolved} == {f"lib-{arch}" for arch in foreign}
    assert len(unresolved) == len(foreign) + 1
    assert matches_dnf_repoclosure(repo, tmp_path / "cache") == unresolved


DOUBLED_SLASHES = {
    # name -> (preamble, the spec's sections after %description)
    "owner": ("", "%install\nmkdir -p %{buildroot}/opt/probe %{buildroot}/usr/bin\n"
              "echo x > %{buildroot}/opt/probe/data.txt\necho x > %{buildroot}/usr/bin/probe-tool\n"
              "%files\n/opt/probe/data.txt\n/usr/bin/probe-tool\n"),
    "needs": ("Requires: //opt/probe/data.txt\nRequires: /opt//probe/data.txt\nRequires: //usr/bin/probe-tool\n"
              "Requires: (/opt/probe/missing or /opt///probe/data.txt)\n"
              "Requires: /opt/probe/data.txt/\nRequires: /opt/probe/./data.txt\n", "%files\n"),
}  # fmt: skip


def test_a_file_requirement_with_doubled_slashes_is_met_as_libsolv_meets_it(tmp_path: Path) -> None:
    """``//opt/probe/data.txt`` (a macro ending in ``/`` writes it) names the file
    ``/opt/probe/data.txt``: libsolv and dnf repoclosure meet it, from filelists.xml and from
    primary.xml (``/usr/bin``) alike, and so does rpm from its file fingerprints. A path ending
    in ``/`` or holding ``.`` names no file for any of them."""
    repo, top = tmp_path / "repo", tmp_path / "rpmbuild"
    for name, (preamble, sections) in DOUBLED_SLASHES.items():
        spec = tmp_path / f"{name}.spec"
        spec.write_text(
            f"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
            f"{preamble}%description\nd\n{sections}"
        )
        command = ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", "--define", f"_rpmdir {repo}"]
        subprocess.run([*command, str(spec)], check=True)
    for built in (repo / "noarch").glob("*.rpm"):
        built.rename(repo / built.name)
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    expected = {
        ("needs-1.0-1.noarch", "/opt/probe/data.txt/"),
        ("needs-1.0-1.noarch", "/opt/probe/./data.txt"),
    }
    unresolved, checked = compare(repo)  # as libsolv: the unresolved pairs, and each rich leaf's providers
    assert unresolved == expected and checked == 2
    assert matches_dnf_repoclosure(repo, tmp_path / "cache") == expected
    headers = [read_rpm_file(str(path)) for path in sorted(repo.glob("*.rpm"))]
    from_headers = {
        (headers[index].nevra, str(resolution.dependency))
        for index, resolution in Resolver(headers).resolve_all(weak=False).unresolved()
    }
    assert from_headers == expected
