"""The resolver against libsolv (RPM semantics, the `solv` wheel) and dnf repoclosure.

For plain requirements the set of (package, unresolved requirement) pairs must equal
libsolv's `whatprovides` closure, which is what dnf repoclosure computes. Rich
dependencies differ on purpose (README, "How requirements are resolved"); for them every
leaf capability must have the same providers in both.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.deps.resolve import Resolver
from auditor.rpm.deps import leaves, parse
from auditor.rpm.model import Dependency
from auditor.sources.repodata import read_repository
from tests.conftest import DATA

solv = pytest.importorskip("solv", reason="the solv wheel is in the test extra: pip install -e '.[test]'")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "xcp-ng-mini"
SHARED_BENCH = ROOT.parent / "shared" / "bench"


class Libsolv:
    def __init__(self, repo: Path) -> None:
        pool = solv.Pool()
        pool.setdisttype(solv.Pool.DISTTYPE_RPM)
        pool.setarch("x86_64")
        repository = pool.add_repo("r")
        repository.add_repomdxml(solv.xfopen(str(repo / "repodata" / "repomd.xml")), 0)
        primary = glob.glob(str(repo / "repodata" / "*-primary.xml*"))[0]
        repository.add_rpmmd(solv.xfopen(primary), None, 0)
        filelists = glob.glob(str(repo / "repodata" / "*-filelists.xml*"))
        if filelists:
            repository.add_rpmmd(solv.xfopen(filelists[0]), None, solv.Repo.REPO_EXTEND_SOLVABLES)
        pool.addfileprovides()
        pool.createwhatprovides()
        self.pool = pool
        self.repository = repository

    def unresolved(self) -> set[tuple[str, str]]:
        found = set()
        for solvable in self.repository.solvables:
            if solvable.arch in ("src", "nosrc"):
                continue
            for dep in solvable.lookup_deparray(solv.SOLVABLE_REQUIRES, 0):
                text = str(dep)
                if dep.id == solv.SOLVABLE_PREREQMARKER or text.startswith(("rpmlib(", "(")):
                    continue
                if not self.pool.whatprovides(dep):
                    found.add((str(solvable), text))
        return found

    def providers(self, dep: Dependency) -> set[str]:
        if dep.op is None or dep.evr is None:
            handle = self.pool.Dep(dep.name)
        else:
            flags = {"<": solv.REL_LT, "<=": solv.REL_LT | solv.REL_EQ, "=": solv.REL_EQ,
                     ">=": solv.REL_GT | solv.REL_EQ, ">": solv.REL_GT}[dep.op.value]  # fmt: skip
            handle = self.pool.Dep(dep.name).Rel(flags, self.pool.Dep(str(dep.evr)))
        return {str(s) for s in self.pool.whatprovides(handle)}


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


@pytest.mark.skipif(
    shutil.which("dnf") is None, reason="dnf repoclosure is compared only where Debian's dnf is installed"
)
def test_fixture_repository_matches_dnf_repoclosure(tmp_path: Path) -> None:
    repo = DATA / "repo"
    script = SHARED_BENCH / "dnf_closure.sh"
    assert script.is_file(), f"{script} is missing: the shared tooling is expected at ../shared"
    closure = subprocess.run(["bash", str(script), str(repo), "cold"], capture_output=True,
                             text=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})  # fmt: skip
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


def _distro_corpus() -> Path:
    configured = os.environ.get("AUDITOR_CORPORA")
    base = Path(configured) if configured else ROOT / "benchmarks" / "corpora"
    corpus = base / "distro-60k"
    if (corpus / "repodata" / "repomd.xml").is_file():
        return corpus
    lists = glob.glob("/var/lib/apt/lists/*bookworm_main_binary-amd64_Packages*")
    if not lists or not (SHARED_BENCH / "deb2repodata.py").is_file():
        pytest.fail("the distro-60k corpus is missing: run `apt-get update` (Debian bookworm) so ../shared/bench "
                    "can generate it, or set AUDITOR_CORPORA to a directory holding distro-60k")  # fmt: skip
    base.mkdir(parents=True, exist_ok=True)
    packages_file = base / "bookworm-main-amd64.Packages"
    with packages_file.open("wb") as stream:
        subprocess.run(["/usr/lib/apt/apt-helper", "cat-file", lists[0]], stdout=stream, check=True)
    subprocess.run([sys.executable, str(SHARED_BENCH / "deb2repodata.py"), "--packages", str(packages_file),
                    "--out", str(corpus)], check=True, capture_output=True)  # fmt: skip
    return corpus


@pytest.mark.slow
def test_distribution_sized_repository_matches_libsolv() -> None:
    """distro-60k: Debian bookworm's dependency graph as rpm-md (about 63,000 packages)."""
    unresolved, checked = compare(_distro_corpus())
    assert len(unresolved) > 20 and checked > 1000
