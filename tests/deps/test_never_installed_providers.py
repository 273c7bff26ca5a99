"""A provider dnf would never install for a package cannot spare it a tainted one.

Beside a Conflicts or Obsoletes between the two (tests/deps/test_conflicting_providers.py): a
provider of an architecture no host installs beside the package's. Obsoletes between
providers are not such a case, and the scenarios say why. Each scenario is checked
against libsolv (the ``solv`` wheel, RPM semantics): what it installs for the package is what
the verdict says.
"""

from __future__ import annotations

from typing import Any

import pytest
import solv

from auditor.audit.options import AuditOptions
from auditor.audit.pipeline import audit_packages
from auditor.origin.policy import load_policy
from auditor.sources.interface import LoadResult
from tests.universe import universe

CITRIX = {"vendor": "Citrix Systems, Inc."}
TAINT: dict[str, Any] = {"name": "taint", **CITRIX, "arch": "x86_64", "provides": ["foo"]}
APP = {"name": "app", "arch": "x86_64", "requires": ["foo"]}

SCENARIOS: dict[str, tuple[list[dict[str, Any]], str]] = {
    # (the packages besides app and taint, app's verdict)
    "clean provider of another architecture": (
        [{"name": "cleanarm", "arch": "aarch64", "provides": ["foo"]}],
        "depends",
    ),
    # libsolv prefers a provider that obsoletes another, but installs the other when the
    # obsoleting one is excluded: a way around it all the same.
    "clean provider the tainted one obsoletes": (
        [{"name": "cleanold", "arch": "x86_64", "provides": ["foo"]}],
        "may-depend",
    ),
    "tainted provider a clean one obsoletes": (
        [{"name": "cleannew", "arch": "noarch", "provides": ["foo"], "obsoletes": ["taint"]}],
        "may-depend",
    ),
    "clean provider obsoleted by a package that does not provide": (
        [
            {"name": "cleanold", "arch": "x86_64", "provides": ["foo"]},
            {"name": "replacement", "arch": "noarch", "obsoletes": ["cleanold"]},
        ],
        "may-depend",
    ),
    # Controls: a multilib provider and a plain second provider are real alternatives.
    "clean multilib provider": ([{"name": "clean32", "arch": "i686", "provides": ["foo"]}], "may-depend"),
    "clean provider": ([{"name": "cleanalt", "arch": "noarch", "provides": ["foo"]}], "may-depend"),
}


def audit_verdict(specs: list[dict[str, Any]]) -> str:
    result = audit_packages(
        AuditOptions(targets=("universe",)), load_policy(), LoadResult(packages=universe(specs)), LoadResult()
    )
    return next(r.verdict.value for r in result.results if r.package.name == "app")


def libsolv_installs(specs: list[dict[str, Any]], *, without_taint: bool = False) -> set[str] | None:
    """What libsolv installs, on an x86_64 host, for ``dnf install app`` (None: it cannot);
    ``without_taint``: with the tainted package locked out."""
    pool = solv.Pool()
    pool.setarch("x86_64")
    repo = pool.add_repo("run")
    for spec in specs:
        solvable = repo.add_solvable()
        solvable.name, solvable.evr, solvable.arch = spec["name"], "1.0-1", spec.get("arch", "noarch")
        own = pool.Dep(spec["name"]).Rel(solv.REL_EQ, pool.Dep("1.0-1"))
        solvable.add_deparray(solv.SOLVABLE_PROVIDES, own)
        for key, kind in (("provides", solv.SOLVABLE_PROVIDES), ("requires", solv.SOLVABLE_REQUIRES)):
            for name in spec.get(key, ()):
                solvable.add_deparray(kind, pool.Dep(name))
        for name in spec.get("obsoletes", ()):
            solvable.add_deparray(solv.SOLVABLE_OBSOLETES, pool.Dep(name))
    repo.internalize()
    pool.installed = pool.add_repo("installed")
    pool.createwhatprovides()
    solver = pool.Solver()
    jobs = [pool.Job(solv.Job.SOLVER_INSTALL | solv.Job.SOLVER_SOLVABLE_NAME, pool.str2id("app"))]
    if without_taint:
        jobs.append(pool.Job(solv.Job.SOLVER_LOCK | solv.Job.SOLVER_SOLVABLE_NAME, pool.str2id("taint")))
    if solver.solve(jobs):
        return None
    return {solvable.name for solvable in solver.transaction().newsolvables()}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_verdict_follows_what_libsolv_can_install(scenario: str) -> None:
    others, verdict = SCENARIOS[scenario]
    taint = (
        {**TAINT, "obsoletes": ["cleanold"]} if scenario.startswith("clean provider the tainted") else TAINT
    )
    specs = [APP, taint, *others]
    assert audit_verdict(specs) == verdict
    # depends: libsolv cannot install app without the tainted package; may-depend: it can,
    # and may choose either.
    assert (libsolv_installs(specs, without_taint=True) is None) == (verdict == "depends")
    assert libsolv_installs(specs) is not None
