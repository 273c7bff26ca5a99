"""Resolution scenarios as real packages: rpmbuild builds them, createrepo_c indexes them, and
the same repository goes to the auditor and to libsolv (the ``solv`` wheel, as dnf sets it up).

A package is a compact description (``tests/universe.py`` style): ``name``, ``evr``,
``arch`` (``noarch`` by default; another one is rpmbuild's ``--target``), ``vendor``, ``license``
(``MIT`` by default) and lists
of ``provides``, ``requires``, ``conflicts``, ``obsoletes``, ``buildrequires``,
``buildconflicts`` and ``supplements``, written as in a spec file, and of ``files`` (paths the package owns, each an
empty file). Each is built with its source package.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
from collections.abc import Callable, Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

import solv

from auditor.audit.options import AuditOptions
from auditor.audit.result import AuditResult
from auditor.engine import run_audit
from auditor.origin.policy import load_policy
from benchmarks.generators import solv_closure

CITRIX = {"vendor": "Citrix Systems, Inc."}
PROPRIETARY = {"license": "Proprietary"}
"""A licence the shipped policy's ``proprietary-license`` rule flags (category ``proprietary``)."""
CATEGORIES = ("citrix", "proprietary")
"""The shipped policy's two categories of origin, as the JSON report names them."""


def draw_categories(
    packages: Iterable[dict[str, Any]], rng: random.Random, *, citrix: float, proprietary: float, both: float
) -> dict[str, set[str]]:
    """Make each package Citrix's, proprietary or both at those shares (one draw of ``rng`` per
    package, in order, so a seed names the same universe), and return the categories of each
    origin package by name."""
    of: dict[str, set[str]] = {}
    for package in packages:
        draw = rng.random()
        kinds = (
            {"citrix"}
            if draw < citrix
            else {"proprietary"}
            if draw < citrix + proprietary
            else set(CATEGORIES)
            if draw < citrix + proprietary + both
            else set()
        )
        if "citrix" in kinds:
            package.update(CITRIX)
        if "proprietary" in kinds:
            package.update(PROPRIETARY)
        if kinds:
            of[package["name"]] = kinds
    return of


DNF_INSTALLONLYPKGS = ("kernel", "kernel-PAE", "installonlypkg(kernel)", "installonlypkg(kernel-module)",
                       "installonlypkg(vm)", "multiversion(kernel)")  # fmt: skip
"""dnf's default ``installonlypkgs`` (dnf.const.INSTALLONLYPKGS; tests/deps/test_same_name.py
reads dnf's own)."""

_TAGS = {
    "provides": "Provides",
    "requires": "Requires",
    "conflicts": "Conflicts",
    "obsoletes": "Obsoletes",
    "buildrequires": "BuildRequires",
    "buildconflicts": "BuildConflicts",
    "supplements": "Supplements",
}


def spec_text(package: dict[str, Any]) -> str:
    epoch, _, rest = package.get("evr", "1.0-1").rpartition(":")
    version, _, release = rest.partition("-")
    lines = [f"Name: {package['name']}", f"Version: {version}", f"Release: {release or '1'}"]
    lines += [f"Epoch: {epoch}"] if epoch else []
    lines += ["Summary: s", f"License: {package.get('license', 'MIT')}"]
    lines += ["BuildArch: noarch"] if package.get("arch", "noarch") == "noarch" else []
    lines += [f"Vendor: {package['vendor']}"] if "vendor" in package else []
    for key, tag in _TAGS.items():
        lines += [f"{tag}: {item}" for item in package.get(key, ())]
    lines += ["%description", "s"]
    files = package.get("files", ())
    if files:  # each an empty file rpmbuild packages, so that the package owns it
        lines += [
            "%install",
            *(f"mkdir -p %{{buildroot}}$(dirname {f}) && touch %{{buildroot}}{f}" for f in files),
        ]
    lines += ["%files", *files, ""]
    return "\n".join(lines)


def build_preambles(preambles: dict[str, str], directory: Path) -> Path:
    """A repository (createrepo_c) of one noarch package per name, built by rpmbuild from a spec
    whose preamble holds ``preambles[name]`` as written (any tag, macros included), in
    ``directory``; the binary packages only."""
    top, repo = directory / "rpmbuild", directory / "repo"
    for name, preamble in preambles.items():
        spec = directory / f"{name}.spec"
        spec.write_text(
            f"Name: {name}\nVersion: 1.0\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
            f"{preamble}%description\nd\n%files\n"
        )
        command = ["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", "--define", f"_rpmdir {repo}"]
        subprocess.run([*command, str(spec)], check=True)
    for built in (repo / "noarch").glob("*.rpm"):
        built.rename(repo / built.name)
    subprocess.run(["createrepo_c", "-q", str(repo)], check=True)
    return repo


def build_repository(packages: Iterable[dict[str, Any]], directory: Path) -> Path:
    """``directory``/repo: the packages built by rpmbuild, with createrepo_c's metadata, and
    their source packages in ``directory``/SRPMS (a repository too)."""
    for tool in ("rpmbuild", "createrepo_c"):
        assert shutil.which(tool), f"install {tool} (Debian: rpm, createrepo-c)"
    directory.mkdir(parents=True, exist_ok=True)
    top, repo, sources = directory / "rpmbuild", directory / "repo", directory / "SRPMS"
    specs: dict[str, list[Path]] = {}
    for number, package in enumerate(packages):
        path = directory / f"{number:02d}-{package['name']}.spec"
        path.write_text(spec_text(package))
        arch = package.get("arch", "noarch")
        specs.setdefault("" if arch == "noarch" else arch, []).append(path)
    defines = {"_topdir": top, "_rpmdir": repo, "_srcrpmdir": sources, "_build_id_links": "none",
               "debug_package": "%{nil}"}  # fmt: skip
    places = [item for name, value in defines.items() for item in ("--define", f"{name} {value}")]
    env = {**os.environ, "HOME": str(directory), "LC_ALL": "C"}  # no ~/.rpmmacros
    for target, paths in specs.items():
        targets = ["--target", target] if target else []
        command = ["rpmbuild", "-ba", "--quiet", "--nodeps", *targets, *places, *map(str, paths)]
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
    for made in (repo, sources):
        subprocess.run(["createrepo_c", "--quiet", str(made)], check=True, capture_output=True)
    return repo


def audit(repo: Path) -> AuditResult:
    """The audit of the binary repository and its source packages (``repo``/../SRPMS)."""
    targets = (str(repo), str(repo.parent / "SRPMS"))
    return run_audit(AuditOptions(targets=targets, cache=False, discover_sources=False), load_policy())


def verdicts(result: AuditResult) -> dict[str, str]:
    """NEVRA -> verdict."""
    return {r.package.nevra: r.verdict.value for r in result.results}


def libsolv_installs(
    repo: Path, nevra: str, *, locked: Iterable[str] = (), also: Iterable[str] = (), arch: str = "x86_64"
) -> set[str] | None:
    """What libsolv, set up as dnf sets it, installs on a host of ``arch`` for ``dnf install
    NEVRA`` (None: it cannot); the packages named ``locked`` are never installed, a provider of
    each capability of ``also`` is installed with it (``NEVRA`` may be one more of them: what
    ``dnf builddep`` installs for a source package's BuildRequires)."""
    pool, repository = solv_closure.load(str(repo))
    pool.setarch(arch)
    # dnf (libdnf's sack): same-name packages of different colours (multilib) may coexist.
    pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
    pool.createwhatprovides()
    jobs = [
        pool.Job(solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_LOCK, solvable.id)
        for solvable in repository.solvables
        if solvable.name in set(locked)
    ]
    # dnf's installonlypkgs, as dnf passes them to libsolv: by what the packages provide.
    jobs += [
        pool.Job(solv.Job.SOLVER_SOLVABLE_PROVIDES | solv.Job.SOLVER_MULTIVERSION, pool.Dep(name).id)
        for name in DNF_INSTALLONLYPKGS
    ]
    for capability in also:
        jobs.append(
            pool.Job(solv.Job.SOLVER_SOLVABLE_PROVIDES | solv.Job.SOLVER_INSTALL, pool.Dep(capability).id)
        )
    if nevra:
        selection = pool.select(nevra, solv.Selection.SELECTION_CANON)
        assert not selection.isempty(), nevra
        jobs += selection.jobs(solv.Job.SOLVER_INSTALL)
    solver = pool.Solver()
    if solver.solve(jobs):
        return None
    return {str(solvable) for solvable in solver.transaction().newsolvables()}


def libsolv_needs(repo: Path, nevra: str, locked: Iterable[str]) -> bool:
    """Whether libsolv installs ``nevra``, and not with the packages named in ``locked`` left out:
    the package needs one of them, the authority a `depends` verdict is held to."""
    return libsolv_installs(repo, nevra) is not None and libsolv_installs(repo, nevra, locked=locked) is None


def verdict_libsolv_needs(
    packages: Iterable[dict[str, Any]], directory: Path, nevra: str, locked: Iterable[str]
) -> str:
    """The auditor's verdict of ``nevra`` in the repository of ``packages`` (built in
    ``directory``), once libsolv is seen to need one of ``locked`` for it (`libsolv_needs`)."""
    repository = build_repository(packages, directory)
    assert libsolv_needs(repository, nevra, locked)
    return verdicts(audit(repository))[nevra]


def libsolv_buildroot(
    repo: Path, packages: Iterable[dict[str, Any]], name: str, *, locked: Iterable[str]
) -> set[str] | None:
    """What libsolv installs for the BuildRequires of the package ``name`` of ``packages``
    (built into ``repo``), ``locked`` never installed (None: it cannot)."""
    package = next(one for one in packages if one["name"] == name)
    return libsolv_installs(repo, "", also=package["buildrequires"], locked=locked)


class Installs:
    """libsolv's answers for one repository, its pool loaded once."""

    def __init__(self, repository: Path) -> None:
        self.pool, self.repository = solv_closure.load(str(repository))
        self.pool.setarch("x86_64")
        self.pool.set_flag(solv.Pool.POOL_FLAG_IMPLICITOBSOLETEUSESCOLORS, 1)
        self.pool.createwhatprovides()
        self.binary = {one.name: one.id for one in self.repository.solvables if one.arch != "src"}

    def installs(self, locked: Iterable[str], *, package: str = "", capabilities: Iterable[str] = ()) -> bool:
        """Whether libsolv installs ``package`` and a provider of each of ``capabilities``, no
        package named in ``locked`` installed."""
        pool, locked = self.pool, set(locked)
        lock = solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_LOCK
        jobs = [pool.Job(lock, self.binary[name]) for name in sorted(locked)]
        if package:
            jobs.append(pool.Job(solv.Job.SOLVER_SOLVABLE | solv.Job.SOLVER_INSTALL, self.binary[package]))
        for capability in capabilities:
            job = self.capability_job(capability, locked)
            if job is None:
                return False
            jobs.append(job)
        return not pool.Solver().solve(jobs)

    def capability_job(self, capability: str, locked: Collection[str]) -> Any:
        """The job that installs a provider of ``capability`` (a binary not ``locked``); None
        when there is none."""
        pool = self.pool
        ids = [
            one.id
            for one in pool.whatprovides(pool.Dep(capability).id)
            if one.name not in locked and one.arch != "src"
        ]
        if not ids:
            return None
        return pool.Job(solv.Job.SOLVER_SOLVABLE_ONE_OF | solv.Job.SOLVER_INSTALL, pool.towhatprovides(ids))


def blocked_builds(
    packages: Iterable[dict[str, Any]],
    roots: Installs,
    origin: Collection[str],
    whole: Mapping[str, bool],
    otherwise: Callable[[str], bool],
    skip: Collection[str] = (),
) -> set[str]:
    """The builds (by name) libsolv finds no buildroot for without the ``origin`` packages and
    the binaries of the builds found so far, a least fixed point: a buildroot may hold no
    blocked binary. A build whose buildroot libsolv cannot install even with everything allowed
    (``whole`` false) is judged by ``otherwise(name)``, the auditor's own answer for it; the
    builds of ``skip`` are not asked."""
    packages = list(packages)
    blocked: set[str] = set()
    changed = True
    while changed:
        changed = False
        for package in packages:
            name = package["name"]
            if name in skip or name in blocked:
                continue
            if whole[name]:
                held = not roots.installs(set(origin) | blocked, capabilities=package["buildrequires"])
            else:
                held = otherwise(name)
            if held:
                blocked.add(name)
                changed = True
    return blocked


def nevra(package: dict[str, Any], arch: str = "noarch") -> str:
    """The NEVRA of ``package`` (a binary's, or ``arch`` ``src`` for its source package)."""
    return f"{package['name']}-{package.get('evr', '1.0-1')}.{arch}"


def category_disagreements(
    packages: list[dict[str, Any]], of: dict[str, set[str]], facts: dict[str, set[tuple[str, str | None]]],
    solver: Installs,
) -> list[str]:  # fmt: skip
    """Each category libsolv (``solver``) finds a package needs and the auditor's ``facts``
    (NEVRA -> the (kind, category) of each fact, `tests.deps.test_category_clean_way_random.scan_facts`)
    do not give it: the check that module's docstring states. `tests.deps.rich_universe.RichInstalls`
    reads versioned and rich BuildRequires as libsolv does."""
    wrong = []

    def carries(name: str, kind: str, category: str) -> bool:
        return bool({(kind, category), ("origin", category)} & facts[name])

    for package in packages:
        name, binary = package["name"], nevra(package)
        if not solver.installs((), package=name):
            continue
        for category in CATEGORIES:
            locked = {one for one, kinds in of.items() if category in kinds}
            if name in locked or solver.installs(locked, package=name):
                continue
            if not carries(binary, "depends", category):
                wrong.append(
                    f"{binary}: libsolv needs {category} to install it, auditor {sorted(facts[binary])}"
                )
    whole = {p["name"]: solver.installs((), capabilities=p["buildrequires"]) for p in packages}
    by_name = {p["name"]: p for p in packages}
    for category in CATEGORIES:
        origin = {one for one, kinds in of.items() if category in kinds}
        says = {name for name in whole if ("build-depends", category) in facts[nevra(by_name[name], "src")]}
        blocked = blocked_builds(packages, solver, origin, whole, says.__contains__)
        for name in sorted(blocked):
            if not whole[name]:
                continue
            for built in (nevra(by_name[name], "src"), nevra(by_name[name])):
                if not carries(built, "build-depends", category):
                    wrong.append(
                        f"{built}: libsolv finds no buildroot without {category}, auditor {sorted(facts[built])}"
                    )
    return wrong
