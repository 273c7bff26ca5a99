"""Which packages can never be installed together: the Conflicts and Obsoletes between them.

dnf (libsolv) never installs both packages of a Conflicts or of an Obsoletes, whichever of
the two declares it, so a provider in that position is no alternative for a package's
requirement (`auditor.deps.graph`).
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
