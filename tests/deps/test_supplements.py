"""``--roots``: a package whose Supplements what dnf installs fulfils is installed with it.

dnf evaluates a rich Supplements as a boolean over the packages it installs (libsolv's
``solver_dep_fulfilled``): ``(b unless a else a)`` is met by a alone. The packages are built by
rpmbuild, their repodata by createrepo_c, and the audited set is compared with what libsolv
(the ``solv`` wheel, weak dependencies on, as dnf's default ``install_weak_deps``) installs.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import solv

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from auditor.sources.repodata import read_repository
from benchmarks.generators import solv_closure
from tests.deps.built import build_preambles

CITRIX = "Vendor: Citrix Systems, Inc.\n"
PACKAGES = {
    "meta": "Requires: a\nRequires: choice\n",
    "a": "",
    "b": "",
    "c1": "Provides: choice\n",
    "c2": "Provides: choice\n",
    # rpm refuses `if` in a Supplements, and accepts `unless ... else`
    "cx-ue1": CITRIX + "Supplements: (b unless a else a)\n",  # a installed: the else branch, a
    "cx-ue2": CITRIX + "Supplements: (a unless b else b)\n",  # b is not: a
    "cx-unless": CITRIX + "Supplements: (a unless b)\n",
    "cx-and": CITRIX + "Supplements: (a and b)\n",  # b is not installed
    "cx-surely": CITRIX + "Supplements: (meta unless a)\n",  # a is meta's only provider of a
    # c1 or c2 is dnf's choice: the audit cannot know which, and counts the Supplements met
    "cx-choice": CITRIX + "Supplements: (meta unless c1)\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_preambles(PACKAGES, tmp_path_factory.mktemp("supplements"))


def libsolv_installs(repo: Path, name: str) -> set[str]:
    pool, _ = solv_closure.load(str(repo))
    pool.installed = pool.add_repo("installed")
    pool.createwhatprovides()
    solver = pool.Solver()
    jobs = pool.select(name, solv.Selection.SELECTION_NAME).jobs(solv.Job.SOLVER_INSTALL)
    assert not solver.solve(jobs)
    return {solvable.name for solvable in solver.transaction().newsolvables()}


def audited(repo: Path, *, install_weak_deps: bool = True) -> set[str]:
    packages = read_repository(str(repo)).packages
    result = audit_packages(
        AuditOptions(targets=(str(repo),), roots=("meta",), install_weak_deps=install_weak_deps),
        load_policy(),
        LoadResult(packages=packages),
        LoadResult(),
    )
    return {row.package.name for row in result.results}


def test_a_rich_supplements_is_evaluated_over_what_is_installed(repo: Path) -> None:
    dnf = libsolv_installs(repo, "meta")
    assert {"cx-ue1", "cx-ue2", "cx-unless"} <= dnf and not {"cx-and", "cx-surely"} & dnf
    assert audited(repo) == dnf | {"c1", "c2", "cx-choice"}  # every alternative counted


def test_without_weak_dependencies_no_supplements(repo: Path) -> None:
    assert audited(repo, install_weak_deps=False) == {"meta", "a", "c1", "c2"}
