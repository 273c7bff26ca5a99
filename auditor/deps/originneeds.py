"""Origin packages that cannot do without another origin package, their requirements read together.

The clean-way check (`auditor.deps.cleanway`) asks no tainted package, and an origin package is
one: a Citrix ``app`` requiring ``lib`` (Citrix's ``cx`` or ``alt``, which needs what conflicts
with ``app``) was only `may-depend` on ``cx``, though libsolv cannot install it without ``cx``.
A release whose waivers accepted both packages' own evidence passed
(tests/gate/test_origin_package_needs.py). Each origin package is asked here as the others are,
itself allowed; the chains keep its answer apart from the others' (`auditor.deps.chains`): a
package that needs it ends its chain at it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from auditor.deps.edges import Edges
from auditor.deps.hops import Group, without_lock_step
from auditor.deps.noclean import NoCleanWay, OutOfSteps


class Asking(Protocol):
    """What this module asks of `auditor.deps.cleanway`'s search (which imports it)."""

    steps: int
    installed_cleanly: set[int]

    @property
    def runtime(self) -> Mapping[int, Sequence[Group]]: ...

    @property
    def apart_from(self) -> Mapping[int, object]: ...

    @property
    def banning(self) -> Mapping[int, object]: ...

    def mixed_groups(self, edges: Edges) -> list[int]: ...

    def ask(self, package: int, groups: Sequence[Group]) -> NoCleanWay | None: ...


def origin_needs(
    search: Asking, edges: Edges, origin: Iterable[int], bound: int
) -> tuple[dict[int, NoCleanWay], frozenset[int]]:
    """Each of ``origin`` (binaries) with no installation free of every other tainted package,
    and those left unasked once ``search`` walked past ``bound`` requirements. Each installation
    found holds the package asked, a clean one for nothing it holds: none is kept as a witness
    of the others' questions."""
    if not (search.apart_from or search.banning) or not search.mixed_groups(edges):
        return {}, frozenset()  # nothing can rule a clean way out
    found: dict[int, NoCleanWay] = {}
    asking = [package for package in sorted(origin) if search.runtime.get(package)]
    kept, search.installed_cleanly = search.installed_cleanly, set()
    try:
        for position, package in enumerate(asking):
            answer = None
            if search.steps <= bound:
                with contextlib.suppress(OutOfSteps):  # the check below says so
                    answer = search.ask(package, without_lock_step(search.runtime[package]))
            if search.steps > bound:
                return found, frozenset(asking[position:])
            if answer is not None:
                found[package] = answer
    finally:
        search.installed_cleanly = kept
    return found, frozenset()
