"""Which providers dnf would never install for a package: no alternative for its requirements.

- dnf (libsolv) never installs both packages of a Conflicts (a rich one as libsolv reads it:
  `auditor.deps.rich`) or of an Obsoletes, whichever of the two declares it (`incompatible`);
- a host installs packages of its own architecture family only (`Architectures`): an x86_64
  package is never satisfied by an aarch64 one.

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

from auditor.deps.provides import HOST_ARCHES
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
    found: dict[int, set[int]] = {}
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


class Architectures:
    """Whether a package of one architecture can satisfy a requirement of a package of another.

    Two architectures go together when some host installs both (x86_64 and i686, by
    multilib); ``noarch`` goes with everything, and so does an architecture no host of
    `HOST_ARCHES` names (nothing is known against it).
    """

    def __init__(self) -> None:
        self._hosts = {
            arch: frozenset(host for host, arches in HOST_ARCHES.items() if arch in arches)
            for arches in HOST_ARCHES.values()
            for arch in arches
        }
        self._answers: dict[tuple[str, str], bool] = {}

    def together(self, first: str, second: str) -> bool:
        if first == second or first == "noarch" or second == "noarch":
            return True
        answer = self._answers.get((first, second))
        if answer is None:
            hosts, others = self._hosts.get(first), self._hosts.get(second)
            answer = hosts is None or others is None or not hosts.isdisjoint(others)
            self._answers[first, second] = answer
        return answer
