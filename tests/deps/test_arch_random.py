"""Each category's taints against libsolv on random multilib universes (`tests.deps.arch_universe`).

The check is tests/deps/test_category_clean_way_random.py's, run time only, per host: for a host
architecture H (libsolv set to H, as dnf sets it) and each category C with ``O(C)`` its origin
names (every architecture of them), a binary package X that libsolv installs on H with nothing
locked, and not with ``O(C)`` locked, carries a ``depends`` fact of category C (an ``origin``
one when X is of C) in ``auditor scan --format json``, run with ``--arch H`` or, for x86_64,
with no ``--arch`` (every host at once, which an x86_64 host, taking i686 and noarch too,
bounds). One way: more categories than libsolv needs are no error. Nor is a requirement
unresolved for the auditor that some provider an H host installs meets, nor the reverse.

libsolv's pool gets a clean package providing each requirement nothing of the repository meets
on H (the base distribution a run leaves out): the auditor takes a provider with unresolved
requirements for a way around on purpose (`auditor.deps.coinstall`), and without it each such
provider read as a false clean.

Of seeds 0-129 (rt-arch), 11 held false cleans, all of one shape: dnf's lock-step of multilib
packages (an i686 dependency comes with its x86_64 twin, whose needs it takes on; tests/deps/
test_arch_random_finds.py), 96 facts in all, on x86_64 only, none since; 2 more (45, 106) are
the clean-way screen's documented miss, found once every package is asked. A disagreement names
"(lock-step)" when libsolv without its infarch rules installs the package as the auditor says.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import solv

from auditor.cli.main import main
from benchmarks.generators import solv_closure
from tests.deps.arch_universe import arch_universe
from tests.deps.built import CATEGORIES, build_repository
from tests.deps.screen import both_ways, screen_only


class HostInstalls:
    """libsolv's answers on a host of ``arch`` for one repository, by NEVRA."""

    def __init__(self, repository: Path, arch: str) -> None:
        self.pool, self.repository = solv_closure.load(str(repository))
        self.pool.setarch(arch)
        self.pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
        self.pool.createwhatprovides()
        self.binary = {str(one): one for one in self.repository.solvables if one.arch != "src"}
        self.lacking = {nevra: self.unmet(nevra) for nevra, one in self.binary.items() if one.installable()}
        # The base distribution a run leaves out: a clean package providing what nothing here
        # does, as the auditor takes a provider with unresolved requirements for a way around
        # (`auditor.deps.coinstall`).
        base = self.pool.add_repo("base")
        for number, capability in enumerate(sorted(set().union(*self.lacking.values()))):
            made = base.add_solvable()
            made.name, made.evr, made.arch = f"base-{number}", "1-1", "noarch"
            made.add_deparray(solv.SOLVABLE_PROVIDES, self.pool.Dep(capability))
        base.internalize()
        self.pool.createwhatprovides()

    def installs(self, nevra: str, locked: Iterable[str] = (), *, lock_step: bool = True) -> bool:
        """Whether libsolv installs ``nevra``, no package named in ``locked`` installed;
        ``lock_step`` false: without its infarch rules (`LOCK_STEP`)."""
        pool, locked = self.pool, set(locked)
        lock = solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_LOCK
        jobs = [pool.Job(lock, one.id) for one in self.binary.values() if one.name in locked]
        jobs.append(pool.Job(solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_INSTALL, self.binary[nevra].id))
        solver = pool.Solver()
        solver.set_flag(solv.Solver.SOLVER_FLAG_NO_INFARCHCHECK, not lock_step)
        return not solver.solve(jobs)

    def unmet(self, nevra: str) -> set[str]:
        """The requirements of ``nevra`` no package this host installs provides."""
        solvable = self.binary[nevra]
        found = set()
        for dep in solvable.lookup_deparray(solv.SOLVABLE_REQUIRES):
            text = str(dep)
            if text.startswith("rpmlib("):
                continue
            providers = [
                one for one in self.pool.whatprovides(dep.id) if one.arch != "src" and one.installable()
            ]
            if not providers:
                found.add(text)
        return found


def scan(repository: Path, out: Path, arches: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``auditor scan --format json`` of the binary repository with ``--arch`` for each of
    ``arches``: NEVRA -> its report entry."""
    args = [str(repository), "--no-source-discovery", "--no-cache", "-q"]
    args += [item for arch in arches for item in ("--arch", arch)]
    code = main(["scan", *args, "--format", "json", "-o", str(out)])
    assert code in (0, 1), code
    return {package["nevra"]: package for package in json.loads(out.read_text())["packages"]}


def facts_of(entry: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(fact["kind"], fact.get("category")) for fact in entry["facts"]}


def arch_disagreements(
    of: dict[str, set[str]], repository: Path, out: Path, *, host: str, arches: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The false cleans (a category libsolv needs on ``host`` that the report lacks) and the
    false positives (a ``depends`` of a category libsolv installs the package without)."""
    report = scan(repository, out, arches)
    solver = HostInstalls(repository, host)
    wrong, extra = [], []
    for nevra in sorted(solver.binary):
        if nevra not in report or not solver.installs(nevra):
            continue
        facts = facts_of(report[nevra])
        name = solver.binary[nevra].name
        for category in CATEGORIES:
            locked = {one for one, kinds in of.items() if category in kinds}
            if name in locked:
                continue
            needed = not solver.installs(nevra, locked)
            said = ("depends", category) in facts
            if needed and not (said or ("origin", category) in facts):
                step = " (lock-step)" if solver.installs(nevra, locked, lock_step=False) else ""
                wrong.append(f"{nevra}: libsolv on {host} needs {category}{step}, auditor {sorted(facts)}")
            if said and not needed:
                extra.append(f"{nevra}: libsolv on {host} installs it without {category}, auditor depends")
    return wrong, extra


def unresolved_disagreements(repository: Path, out: Path, *, host: str, arches: Sequence[str]) -> list[str]:
    """Each package whose unresolved requirements (by the report) are not libsolv's on ``host``."""
    report = scan(repository, out, arches)
    solver = HostInstalls(repository, host)
    wrong = []
    for nevra in sorted(solver.binary):
        if nevra not in report or not solver.binary[nevra].installable():
            continue
        said = {
            str(fact.get("dependency") or fact.get("detail"))
            for fact in report[nevra]["facts"]
            if fact["kind"] == "unresolved"
        }
        unmet = solver.lacking[nevra]
        if bool(said) != bool(unmet):
            wrong.append(f"{nevra}: libsolv on {host} lacks {sorted(unmet)}, auditor {sorted(said)}")
    return wrong


RUNS = {"default": ("x86_64", ()), "x86_64": ("x86_64", ("x86_64",)), "i686": ("i686", ("i686",))}
"""A run (no ``--arch``, ``--arch x86_64``, ``--arch i686``) -> libsolv's host and the run's ``--arch``."""


@pytest.mark.parametrize(
    ("seed", "screen"), both_ways([0, 8, 21, 42, 118, 199, 3, 45, 106], missed=[45, 106])
)
def test_each_category_libsolv_needs_on_a_host_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, screen: bool
) -> None:
    """Seeds 0, 8, 21, 42 and 118 were false cleans of dnf's lock-step of multilib packages
    (tests/deps/test_arch_random_finds.py), 199 one the first reading of it made (the package
    named on the command line asked with its twin); 45 (``--arch i686``) and 106 are the
    screen's miss."""
    screen_only(monkeypatch, screen)
    packages, of = arch_universe(seed)
    repository = build_repository(packages, tmp_path)
    for run, (host, arches) in RUNS.items():
        out = tmp_path / f"{run}.json"
        wrong, _extra = arch_disagreements(of, repository, out, host=host, arches=arches)
        assert not wrong, run
        assert not unresolved_disagreements(repository, out, host=host, arches=arches), run
