"""The closure check of one repository through libsolv: the requirements nothing provides.

usage: python benchmarks/generators/solv_closure.py REPO_DIR [-v]

What ``dnf repoclosure`` computes, through the ``solv`` wheel (the test extra) with RPM
semantics: every requirement of a binary package that no package of the repository provides
(primary and filelists), ``rpmlib(...)`` ones aside as rpm itself provides them. Prints one
``NEVRA ['requirement', ...]`` line per such package with ``-v``, then a summary line.

Two settings are not optional. Debian's libsolv (and its ``installcheck``) is built with
Debian's version rules, so the pool must be set to RPM's (``DISTTYPE_RPM``); and
``lookup_deparray(SOLVABLE_REQUIRES, 0)`` with marker 0 is what returns Requires(pre) along
with the plain ones (the default marker silently drops them).

It imports only the standard library and ``solv``, so it runs as a file as well as a module.
"""

from __future__ import annotations

import os
import sys
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from typing import Any

import solv


def load(repo: str) -> tuple[Any, Any]:
    """A libsolv pool with RPM semantics holding the repository ``repo``, and that repository."""
    pool = solv.Pool()
    pool.setdisttype(solv.Pool.DISTTYPE_RPM)
    pool.setarch("x86_64")
    repository = pool.add_repo("r")
    repomd = os.path.join(repo, "repodata", "repomd.xml")
    repository.add_repomdxml(solv.xfopen(repomd), 0)
    locations = metadata_locations(repomd)
    if "primary" not in locations:
        raise FileNotFoundError(f"{repomd}: no primary metadata")
    repository.add_rpmmd(solv.xfopen(os.path.join(repo, locations["primary"])), None, 0)
    if "filelists" in locations:
        extend = solv.Repo.REPO_EXTEND_SOLVABLES
        repository.add_rpmmd(solv.xfopen(os.path.join(repo, locations["filelists"])), None, extend)
    pool.addfileprovides()
    pool.createwhatprovides()
    return pool, repository


def metadata_locations(repomd: str) -> dict[str, str]:
    """``type`` -> ``location href`` of each metadata file ``repomd.xml`` lists."""
    namespace = "{http://linux.duke.edu/metadata/repo}"
    locations = {}
    for data in ElementTree.parse(repomd).getroot().iter(namespace + "data"):
        location = data.find(namespace + "location")
        if location is not None and "href" in location.attrib:
            locations[data.attrib.get("type", "")] = location.attrib["href"]
    return locations


def requirements(solvable: Any) -> list[Any]:
    """Every Requires of ``solvable``, Requires(pre) included, without libsolv's marker."""
    return [
        dep
        for dep in solvable.lookup_deparray(solv.SOLVABLE_REQUIRES, 0)
        if dep.id != solv.SOLVABLE_PREREQMARKER
    ]


def unresolved(pool: Any, repository: Any) -> dict[str, list[str]]:
    """NEVRA of each binary package with requirements nothing provides, and those requirements."""
    found: dict[str, list[str]] = {}
    for solvable in repository.solvables:
        if solvable.arch in ("src", "nosrc"):
            continue
        for dep in requirements(solvable):
            text = str(dep)
            if not text.startswith("rpmlib(") and not pool.whatprovides(dep):
                found.setdefault(str(solvable), []).append(text)
    return found


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0].startswith("-"):
        print("usage: solv_closure.py REPO_DIR [-v]", file=sys.stderr)
        return 2
    start = time.perf_counter()
    pool, repository = load(argv[0])
    loaded = time.perf_counter()
    found = unresolved(pool, repository)
    if "-v" in argv[1:]:
        for nevra in sorted(found):
            print(nevra, found[nevra])
    print(
        f"solv_closure: {repository.nsolvables} packages, {len(found)} packages with unresolved "
        f"requirements ({sum(map(len, found.values()))}); load {loaded - start:.2f} s, "
        f"check {time.perf_counter() - loaded:.2f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
