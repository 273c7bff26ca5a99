"""Whether every installation of a package holds a provider of a condition, whichever way its
requirements are met: what `auditor.deps.resolve.Resolver` reads a conditional requirement with.

A requirement holds one when each of its ways installs one: a group it needs wherever it is met
(all of a plain one's, a rich one's `Resolution.every_host`) made of such providers only. So do
the requirements of what the package surely needs, however deep: the one provider of a group of
one is installed with it. ``app`` requiring ``((four if one else gone) if four)`` and ``mid``,
which requires ``four``, is read on the hosts with ``four`` only: it needs ``one`` on every
installation, as libsolv finds (tests/deps/test_condition_sure_needs_hold.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from auditor.deps.resolution import Resolution, Status

MAX_WALKED = 64
"""The most packages surely needed whose requirements are read for one condition. Past it,
what the walk has not reached holds nothing: fewer conditions held, never a cleaner answer."""


def installs(
    owner: int,
    resolutions: Sequence[Resolution],
    but: int,
    providers: frozenset[int],
    requirements_of: Callable[[int], Sequence[Resolution]],
) -> bool:
    """Whether the requirements of ``owner`` other than the one at ``but`` (``resolutions``),
    and those of each package they surely need (``requirements_of``), install one of
    ``providers`` on every way of meeting them."""
    walked = {owner}
    queue: list[Sequence[Resolution]] = [[one for position, one in enumerate(resolutions) if position != but]]
    while queue:
        for resolution in queue.pop():
            if resolution.status is not Status.SATISFIED:
                continue
            binding = resolution.every_host if resolution.dependency.is_rich else resolution.groups
            for group in binding:
                if group and providers.issuperset(group):
                    return True
                if len(group) == 1 and group[0] not in walked and len(walked) < MAX_WALKED:
                    walked.add(group[0])
                    queue.append(requirements_of(group[0]))
    return False
