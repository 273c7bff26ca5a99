"""Asking every package that may reach a mixed group, where the run is small enough.

The screen of `auditor.deps.cleanscreen` asks few packages, and misses some: a package that
reaches a mixed group only through a choice between clean providers, or whose conflict lies
below such a choice, stays `may-depend` where libsolv finds it needs Citrix. A run where at most
`ASK_EVERY` packages may reach one asks each of them after the screen's choice, unless no clean
way through a mixed group can be ruled out at all (`_nothing_to_rule_out`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Mapping, Sequence
from typing import Protocol

from auditor.deps.edges import Edges
from auditor.deps.hops import Group

ASK_EVERY = 2_000
"""At most this many packages that may reach a mixed group through any clean provider are all
asked: the size of a product's repository (XCP-ng's), 0.6 to 2 s at most to ask (0.3 ms each
on distro-10k, 1.0 on distro-60k: an installation found answers for each package it holds,
`auditor.deps.askorder`). With more (8,600 on distro-60k, 10 s to ask), only the screen's
choice is."""

Builds = Mapping[int, Sequence[Group]]
"""Source package -> its BuildRequires' groups."""
Asked = dict[int, Sequence[Group]]
"""Package to ask -> its groups, in the order asked."""
Only = Container[int] | None
"""The packages the caller needs an answer for; None: all."""


class CleanView(Protocol):
    """What this module reads of `auditor.deps.cleanscreen.CleanView` (which imports it)."""

    @property
    def runtime(self) -> Mapping[int, Sequence[Group]]: ...

    @property
    def tainted(self) -> Container[int]: ...

    @property
    def build_tainted(self) -> Container[int]: ...

    @property
    def apart_from(self) -> Container[int]: ...

    def clean(self, group: Group) -> list[int]: ...

    def mixed(self, group: Group) -> bool: ...

    screened_only: bool
    """Set when more than `ASK_EVERY` packages may reach a mixed group, and only the screen's
    choice is asked."""


def beyond_the_screen(
    view: CleanView, edges: Edges, mixed: list[Group], owners: set[int], build: Builds, only: Only
) -> Asked:
    """Each package outside the tainted ones that may reach the ``owners`` of a ``mixed`` group
    (of ``only``), and each source package a BuildRequires of which may take one of them or is
    mixed: none past `ASK_EVERY`, or when nothing can be ruled out."""
    if _nothing_to_rule_out(view, mixed, build):
        return {}
    every = _may_reach(view, edges, owners, only)
    if every is None:
        view.screened_only = True
        return {}
    runtime, tainted = view.runtime, view.tainted
    asked: Asked = {one: runtime[one] for one in sorted(every) if one in runtime and one not in tainted}
    for source, groups in build.items():
        if source in view.build_tainted or (only is not None and source not in only):
            continue
        if any(view.mixed(group) or any(one in every for one in view.clean(group)) for group in groups):
            asked[source] = groups
    return asked


def _may_reach(view: CleanView, edges: Edges, ends: set[int], within: Only) -> set[int] | None:
    """``ends`` and the packages outside the tainted ones that may hold one of them, through
    any clean provider of any group (of ``within``, when given); None past `ASK_EVERY` of them."""
    tainted = view.tainted
    found = {end for end in ends if end not in tainted and (within is None or end in within)}
    queue = deque(found)
    while queue and len(found) <= ASK_EVERY:
        node = queue.popleft()
        for number in edges.of_member.get(node, ()):
            if node not in view.clean(edges.groups[number]):
                continue
            for owner in edges.owners[number]:
                if owner not in found and owner not in tainted and (within is None or owner in within):
                    found.add(owner)
                    queue.append(owner)
    return found if len(found) <= ASK_EVERY else None


def _nothing_to_rule_out(view: CleanView, mixed: list[Group], build: Builds) -> bool:
    """Whether no clean way through a ``mixed`` group can be ruled out: nothing that its clean
    providers are or may hold (through any clean provider of any group) is apart from a
    package. Then an installation that takes a tainted provider of a mixed group can take a
    clean one instead, with all it needs, which conflicts with nothing: the answer of each
    requirement alone stands (distro-10k: 4 mixed groups, 72 such packages, none apart). A
    source package apart from some (its BuildConflicts are its own way) is taken as may."""
    apart_from = view.apart_from
    if any(source in apart_from for source in build):
        return False
    seen = {member for group in mixed for member in view.clean(group)}
    queue = deque(seen)
    while queue:
        node = queue.popleft()
        if node in apart_from:
            return False
        for group in view.runtime.get(node, ()):
            for member in view.clean(group):
                if member not in seen:
                    seen.add(member)
                    queue.append(member)
    return True
