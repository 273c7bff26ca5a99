"""Asking every package that may reach a mixed group, where the run is small enough.

The screen of `auditor.deps.cleanscreen` asks few packages, and misses some: a package that
reaches a mixed group only through a choice between clean providers, or whose conflict lies
below such a choice, stays `may-depend` where libsolv finds it needs Citrix. A run where at most
`ASK_EVERY` packages may reach one asks each of them after the screen's choice, unless no clean
way through a mixed group it reaches can be ruled out (`_rulable`).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Mapping, Sequence
from typing import Protocol

from auditor.deps.edges import Edges
from auditor.deps.hops import Group, HopKind

ASK_EVERY = 2_000
"""At most this many packages that may reach a mixed group whose clean way can be ruled out
(`_rulable`), through any clean provider, are all asked: the size of a product's repository
(XCP-ng's), a second or two to ask (distro-60k: 1,035 of them, 0.9 s of CPU for both passes).
With more, only the screen's choice is."""

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
    def partly(self) -> Container[int]: ...

    @property
    def apart_from(self) -> Mapping[int, object]: ...

    @property
    def banning(self) -> Mapping[int, frozenset[int]]: ...

    @property
    def banned(self) -> frozenset[int]: ...

    def clean(self, group: Group) -> list[int]: ...

    def mixed(self, group: Group) -> bool: ...

    def loud(self, edges: Edges) -> set[int]: ...

    def triggers(self) -> set[int]: ...

    screened_only: bool
    """Set when more than `ASK_EVERY` packages may reach a mixed group, and only the screen's
    choice is asked."""


def beyond_the_screen(
    view: CleanView, edges: Edges, mixed: list[Group], numbers: list[int], build: Builds, only: Only
) -> Asked:
    """Each package outside the tainted ones that may reach the owner of a ``mixed`` group whose
    clean way can be ruled out (`_rulable`; ``numbers``: the run-time ones' numbers in
    ``edges``), of ``only``, and each source package a BuildRequires of which is such a group
    or may take one of them: none past `ASK_EVERY`."""
    rulable = _rulable(view, edges, mixed, build)
    if not rulable:
        return {}
    ends = {
        owner for number in numbers if id(edges.groups[number]) in rulable for owner in edges.owners[number]
    }
    every = _may_reach(view, edges, ends, only)
    if every is None:
        view.screened_only = True
        return {}
    runtime, tainted = view.runtime, view.tainted
    asked: Asked = {one: runtime[one] for one in sorted(every) if one in runtime and one not in tainted}
    for source, groups in build.items():
        if source in view.build_tainted or (only is not None and source not in only):
            continue
        if any(id(group) in rulable or any(one in every for one in view.clean(group)) for group in groups):
            asked[source] = groups
    return asked


def _may_reach(view: CleanView, edges: Edges, ends: set[int], within: Only) -> set[int] | None:
    """``ends`` and the packages outside the tainted ones that may hold one of them, through
    any clean provider of any group (of ``within``, when given); None past `ASK_EVERY` of them."""
    return _holding(view, edges, ends, within, ASK_EVERY)


def _rulable(view: CleanView, edges: Edges, mixed: list[Group], build: Builds) -> set[int]:
    """The identities of the ``mixed`` groups whose clean way can be ruled out: one of their
    clean providers is, or may hold (through any clean provider of any group), a package apart
    from some. The clean way of any other one conflicts with nothing: an installation that takes
    its tainted provider can take a clean one instead, with all that needs, and a package that
    may reach only such groups keeps the answer of each requirement alone (distro-10k: 4 mixed
    groups, none of whose 72 such packages is apart; distro-60k: 3 of its 30, whose owners
    10,000 packages may reach, where those of the 27 others 1,035 may). A source package apart
    from some (its BuildConflicts are its own way) makes each one rulable."""
    if any(source in view.apart_from or source in view.banning for source in build):
        return {id(group) for group in mixed}
    holding = view.loud(edges)
    return {id(group) for group in mixed if any(member in holding for member in view.clean(group))}


def holding_apart(view: CleanView, edges: Edges) -> set[int]:
    """The packages outside the tainted ones that are apart from some, that some package's own
    installation bans (`auditor.deps.infarch`) or that trigger a group under a condition
    (`CleanView.triggers`), or may hold one through any clean provider of any group."""
    found = _holding(view, edges, {*view.apart_from, *view.banned, *view.triggers()}, None, None)
    assert found is not None  # unbounded
    return found


def _holding(
    view: CleanView, edges: Edges, ends: set[int], within: Only, bound: int | None
) -> set[int] | None:
    """``ends`` and the packages that may hold one of them through any clean provider of any
    group, outside the tainted ones (and of ``within``, when given): one walk of the reverse
    edges. None once past ``bound`` of them."""
    tainted, partly, build_tainted = view.tainted, view.partly, view.build_tainted
    found = {end for end in ends if end not in tainted and (within is None or end in within)}
    queue = deque(found)
    while queue and (bound is None or len(found) <= bound):
        node = queue.popleft()
        if node in partly:
            continue  # a clean provider of none of its groups
        # Not tainted, it is a clean provider of each group it is a member of (`CleanView.clean`)
        # but a BuildRequires' its buildroot may not take: asked so, not of each group's list of
        # clean providers (50,000 groups a check on distro-60k).
        for number in edges.of_member.get(node, ()):
            if edges.groups[number].kind is HopKind.BUILD_REQUIRES and node in build_tainted:
                continue
            for owner in edges.owners[number]:
                if owner not in found and owner not in tainted and (within is None or owner in within):
                    found.add(owner)
                    queue.append(owner)
    return None if bound is not None and len(found) > bound else found
