"""The packages whose presence makes a conditional group needed: what the clean-way search follows.

A group of a rich requirement under a condition that only some hosts need
(`auditor.deps.rich.Requirement.every_host`) does not bind a package on its own: ``(libf if
cond)`` needs nothing where ``cond`` is absent. But an installation that holds a provider of
``cond`` for another reason (the one clean provider of another requirement brings it in) needs
``libf`` as a plain Requires: libsolv finds no clean buildroot for ``BuildRequires: libm, (libf
if cond)`` when ``libm``'s clean provider requires ``cond`` and ``libf``'s conflicts with it
(rt-rich, seed 275, a source package read clean). A package *triggers* a group when every host
on which the conditions it provides hold needs that group (or a clause inside it): installing
it makes the group needed, whatever else is installed. `auditor.deps.cleanway` takes the group
once its walk holds such a package.
"""

from __future__ import annotations

from auditor.deps.rich import Evaluation
from auditor.rpm.deps import one_package_holds

MAX_TRIGGER_WORK = 200_000
"""The most (candidate, host) pairs read for one requirement's triggers. Past it, no package
triggers its groups: they stay as unbinding as before, never a cleaner answer than that."""

Triggers = tuple[tuple[tuple[int, ...], frozenset[int]], ...]
"""(a group's members, the packages that trigger it), for the host-only groups that have any."""


def triggers(
    evaluation: Evaluation, groups: tuple[tuple[int, ...], ...], every_host: tuple[tuple[int, ...], ...]
) -> Triggers:
    """The triggers of the host-only ``groups`` of the requirement ``evaluation`` read last.

    Only conditions that are capabilities, ``with`` or ``without`` are read: a package providing
    one makes it hold. A host on which the requirement cannot be met is no host the package is
    installed on, and was left out of the reading already."""
    hosts, conditions = evaluation.last_read
    provided: dict[str, frozenset[int]] = {
        text: frozenset(evaluation.providers(condition))
        for text, condition in conditions.items()
        if one_package_holds(condition)
    }
    candidates = frozenset().union(*provided.values())
    only_some = [group for group in groups if group not in every_host]
    if not hosts or not candidates or not only_some or len(candidates) * len(hosts) > MAX_TRIGGER_WORK:
        return ()
    found: list[tuple[tuple[int, ...], frozenset[int]]] = []
    by_candidate = {
        candidate: [
            needs
            for host, needs in hosts
            if all(host[text] for text, ones in provided.items() if candidate in ones)
        ]
        for candidate in candidates
    }
    for group in only_some:
        members = frozenset(group)
        triggering = frozenset(
            candidate
            for candidate, needs_of in by_candidate.items()
            if needs_of and all(any(clause <= members for clause in needs) for needs in needs_of)
        )
        if triggering:
            found.append((group, triggering))
    return tuple(found)
