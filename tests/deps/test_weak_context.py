"""``--roots``: a Citrix package of a context repository that dnf installs as a weak dependency
taints what installs it, as one it requires does.

A context package is not audited, so the audited packages that install it are the only ones that
can say it is installed: a Recommends or a Supplements dnf follows is an edge of the dependency
graph like a Requires. The packages are built by rpmbuild, their repodata by createrepo_c, and
what dnf installs is what libsolv (the ``solv`` wheel, weak dependencies on as dnf's default
``install_weak_deps``) installs from the two repositories.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import solv

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.deps.supplements import Condition
from auditor.origin.findings import Verdict
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from auditor.sources.repodata import read_repository
from benchmarks.generators import solv_closure
from tests.deps.built import build_preambles

CITRIX = "Vendor: Citrix Systems, Inc.\n"
TARGET = {
    "meta-recommends": "Requires: cleanlib\nRecommends: cx-tool\n",
    "meta-supplemented": "Requires: cleanlib\n",
    "cleanlib": "",
}
CONTEXT = {
    "cx-tool": CITRIX,
    "cx-sup": CITRIX + "Supplements: meta-supplemented\n",
}
ROOTS = ("meta-recommends", "meta-supplemented")


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return (
        build_preambles(TARGET, tmp_path_factory.mktemp("target")),
        build_preambles(CONTEXT, tmp_path_factory.mktemp("context")),
    )


def libsolv_installs(repos: tuple[Path, Path], name: str, *, weak: bool) -> set[str]:
    pool, _ = solv_closure.load(str(repos[0]))
    context = pool.add_repo("context")
    repomd = os.path.join(repos[1], "repodata", "repomd.xml")
    context.add_repomdxml(solv.xfopen(repomd), 0)
    primary = solv_closure.metadata_locations(repomd)["primary"]
    context.add_rpmmd(solv.xfopen(os.path.join(repos[1], primary)), None, 0)
    pool.installed = pool.add_repo("installed")
    pool.createwhatprovides()
    solver = pool.Solver()
    solver.set_flag(solv.Solver.SOLVER_FLAG_IGNORE_RECOMMENDED, int(not weak))
    jobs = pool.select(name, solv.Selection.SELECTION_NAME).jobs(solv.Job.SOLVER_INSTALL)
    assert not solver.solve(jobs)
    return {solvable.name for solvable in solver.transaction().newsolvables()}


def verdicts(repos: tuple[Path, Path], *, weak: bool) -> dict[str, tuple[Verdict, str | None]]:
    """Each root -> its verdict and the origin package its chain ends at."""
    target, context = (read_repository(str(repo)).packages for repo in repos)
    result = audit_packages(
        AuditOptions(targets=(str(repos[0]),), roots=ROOTS, install_weak_deps=weak),
        load_policy(),
        LoadResult(packages=target),
        LoadResult(packages=context),
    )
    return {
        row.package.name: (row.verdict, result.packages[row.chain[-1].target].name if row.chain else None)
        for row in result.results
        if row.package.name in ROOTS
    }


def test_a_citrix_context_package_installed_as_a_weak_dependency_taints_its_root(
    repos: tuple[Path, Path],
) -> None:
    assert libsolv_installs(repos, "meta-recommends", weak=True) >= {"cx-tool"}
    assert libsolv_installs(repos, "meta-supplemented", weak=True) >= {"cx-sup"}
    assert verdicts(repos, weak=True) == {
        "meta-recommends": (Verdict.DEPENDS, "cx-tool"),
        "meta-supplemented": (Verdict.DEPENDS, "cx-sup"),
    }


def test_without_weak_dependencies_nothing_citrix_is_installed(repos: tuple[Path, Path]) -> None:
    for root in ROOTS:
        assert not {"cx-tool", "cx-sup"} & libsolv_installs(repos, root, weak=False)
    assert verdicts(repos, weak=False) == dict.fromkeys(ROOTS, (Verdict.CLEAN, None))


CHAIN = 12
CHAINED = {f"chain{i}": f"Recommends: chain{i + 1}\n" for i in range(CHAIN - 1)} | {f"chain{CHAIN - 1}": ""}
SUPPLEMENTING = {f"sup-never{i}": f"Supplements: absent{i}\n" for i in range(CHAIN)} | {
    "cx-late": CITRIX + f"Supplements: chain{CHAIN - 1}\n"
}


def test_a_supplements_is_asked_again_only_when_what_it_looks_at_is_installed(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each round of a Recommends chain installs one more package; asking every Supplements of
    the run again each round made a chain of 8,000 beside 8,000 Supplements 64 million
    questions (13 s; 60,000 would take minutes). A Supplements met only at the chain's end
    (``cx-late``, Citrix) is still installed, as libsolv installs it, and taints what it
    supplements."""
    built = (
        build_preambles(CHAINED, tmp_path_factory.mktemp("chain")),
        build_preambles(SUPPLEMENTING, tmp_path_factory.mktemp("supplementing")),
    )
    assert "cx-late" in libsolv_installs(built, "chain0", weak=True)
    asked: list[int] = []
    real = Condition.may_hold

    def counted(self: Condition, possible: set[int], certain: set[int]) -> bool:
        asked.append(1)
        return real(self, possible, certain)

    monkeypatch.setattr(Condition, "may_hold", counted)
    target, context = (read_repository(str(repo)).packages for repo in built)
    result = audit_packages(
        AuditOptions(targets=(str(built[0]),), roots=("chain0",)),
        load_policy(),
        LoadResult(packages=target),
        LoadResult(packages=context),
    )
    # The audited package it supplements carries the taint (each audited one dnf installs is a
    # row of its own, `pipeline._installed`).
    (end,) = [row for row in result.results if row.package.name == f"chain{CHAIN - 1}"]
    assert (end.verdict, result.packages[end.chain[-1].target].name) == (Verdict.DEPENDS, "cx-late")
    assert len(asked) <= 2 * len(SUPPLEMENTING), len(asked)  # each once, and once more when it may be met
