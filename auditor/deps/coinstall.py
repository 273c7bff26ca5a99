"""Which providers dnf would never install for a package: no alternative for its requirements.

- dnf (libsolv) never installs both packages of a Conflicts (a rich one as libsolv reads it:
  `auditor.deps.rich`) or of an Obsoletes, whichever of the two declares it (`incompatible`);
- nor two packages of one name (`same_name`), but installonly ones and multilib pairs;
- a host installs packages of its own architecture family only
  (`auditor.deps.provides.Architectures`): an x86_64 package is never satisfied by an aarch64
  one.

A clean provider in one of these positions cannot spare a package a tainted one
(`auditor.deps.graph`). What is not here, on purpose:
- a provider whose own requirements are unresolved: a run often leaves out the base
  distribution, and then every package looks broken; leaving such a tainted provider out
  would clean what depends on it;
- a provider another provider obsoletes: libsolv prefers the obsoleting one, but installs
  the other when that one is excluded, so the other is still a way around it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from auditor.deps.resolve import Match
from auditor.rpm.model import DependencyKind, Package


def incompatible(packages: Sequence[Package], matches: Mapping[int, list[Match]]) -> dict[int, set[int]]:
    """package -> the providers it can never be installed with, for the few packages that have any.

    libsolv forbids installing both packages of a Conflicts or of an Obsoletes (by name, as
    ``Resolver.obsoleted`` matches), whichever of the two declares it: a clean provider that
    the package conflicts with or obsoletes cannot spare it a tainted one. A source package's
    Conflicts are its BuildConflicts: they keep a provider out of its buildroot, and nothing
    is installed with the source package itself, so they go one way only.
    """
    found = same_name(packages)
    for owner, owner_matches in matches.items():
        source = packages[owner].is_source
        for match in owner_matches:
            if source and match.kind is not DependencyKind.CONFLICTS:
                continue
            for other in match.packages:
                if other != owner:  # rpm ignores a package's conflict with its own provides
                    found.setdefault(owner, set()).add(other)
                    if not source:
                        found.setdefault(other, set()).add(owner)
    return found


INSTALLONLY_PROVIDES = frozenset(
    ("kernel", "kernel-PAE", "installonlypkg(kernel)", "installonlypkg(kernel-module)",
     "installonlypkg(vm)", "multiversion(kernel)")
)  # fmt: skip
"""dnf's default ``installonlypkgs`` (dnf.const.INSTALLONLYPKGS, libdnf's ConfigMain): the
packages providing one of these are installed side by side, version after version
(Fedora's kernel-core provides ``installonlypkg(kernel)``)."""


def same_name(packages: Sequence[Package]) -> dict[int, set[int]]:
    """package -> the other binary packages of its name it can never be installed with.

    libsolv never installs two packages of one name (its implicit obsoletes), so a newer
    version of a package is no alternative for the older one's requirement. dnf makes two
    exceptions: installonly packages (both must be: `INSTALLONLY_PROVIDES`), and, as dnf sets
    libsolv's ``implicitobsoleteusescolors``, a multilib pair: the same version of a 64-bit
    and a 32-bit architecture (x86_64 and i686). A multilib pair of different versions is not
    installed together either (dnf and libsolv, checked in tests/deps/test_same_name.py).
    """
    by_name: dict[str, list[int]] = {}
    for index, package in enumerate(packages):
        if not package.is_source:
            by_name.setdefault(package.name, []).append(index)
    found: dict[int, set[int]] = {}
    for indexes in by_name.values():
        if len(indexes) < 2:
            continue
        for position, first in enumerate(indexes):
            for second in indexes[position + 1 :]:
                if not _coexist(packages[first], packages[second]):
                    found.setdefault(first, set()).add(second)
                    found.setdefault(second, set()).add(first)
    return found


def _coexist(first: Package, second: Package) -> bool:
    if _installonly(first) and _installonly(second):
        return True
    same_version = (first.epoch or 0, first.version, first.release) == (
        second.epoch or 0,
        second.version,
        second.release,
    )
    return same_version and not _colour(first.arch) & _colour(second.arch)


def _installonly(package: Package) -> bool:
    return package.name in INSTALLONLY_PROVIDES or any(
        provide.name in INSTALLONLY_PROVIDES for provide in package.provides
    )


def _colour(arch: str) -> int:
    """libsolv's colour of an architecture (``pool_arch2color``): 64-bit ones 2, 32-bit ones 1,
    noarch every colour; packages of one name and of disjoint colours are a multilib pair."""
    if arch == "noarch":
        return 3
    return 2 if arch == "s390x" or "64" in arch else 1
