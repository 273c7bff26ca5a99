"""Reverse edges of the dependency graph and the two searches propagation makes over them.

`auditor.deps.propagation` decides what is tainted and proves it with chains; the work under
that is graph search, kept here apart because its cost is what a distribution's size tests:
the edges are built once, each shared group once (a capability with n providers that n packages
require is one group, not n x n edges), and both searches are linear in them. `reverse` turns
the graph's groups into edges by member, `least_fixed_point` finds the packages whose every
alternative of a requirement is tainted, and `nearest_two` labels each package with its two
nearest distinct sources, the labels the chains are built from.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from auditor.deps.hops import Group


@dataclass
class Edges:
    """Reverse edges, each group once: member -> the distinct groups it is an alternative of,
    and group -> the packages that have it.

    A group is shared by every package with its requirement (`auditor.deps.hops.Group`): a
    capability with n providers that n packages require is one group of n members and n
    owners, not n x n (member, package) edges.
    """

    groups: list[Group]
    owners: Sequence[list[int]] | Mapping[int, list[int]]
    """Group number -> the packages that have it, in the order the graph lists them (of
    `least_fixed_point`'s edges, only the groups it completed: a list of a quarter of a
    million empty lists took 0.2 s each time `auditor.audit.plan` asked it)."""
    owned: Mapping[int, list[Group]]
    """Package -> its groups: where one of them stands among the others breaks a tie."""
    of_member: dict[int, list[int]]
    """Member -> the numbers of the groups it is in, in the order they were first met."""
    rank: dict[int, int]
    """Package -> its position in the graph's order: the order the packages reached at one step
    are queued in."""
    tick: list[int]
    """Group number -> when its alternatives were all tainted (`least_fixed_point`): edges are
    followed in that order; 0 for every group of `reverse`."""
    positions: dict[int, dict[int, int]] = field(default_factory=dict)
    """Package -> the identity of each of its groups -> where it stands among them, made at the
    package's first tie: a package of n groups that one package is in meets n ties, and looking
    each up by a walk of its groups took n x n steps (15,000 requirements: 30 s)."""

    def position(self, owner: int, number: int) -> int:
        """Where group ``number`` stands among ``owner``'s groups (asked on a tie only)."""
        where = self.positions.get(owner)
        if where is None:
            where = self.positions[owner] = {}
            for at, group in enumerate(self.owned[owner]):
                where.setdefault(id(group), at)
        return where[id(self.groups[number])]


def reverse(groups: Mapping[int, list[Group]]) -> Edges:
    """Every group of every package, by member."""
    numbers: dict[int, int] = {}
    distinct: list[Group] = []
    owners: list[list[int]] = []
    of_member: dict[int, list[int]] = {}
    # Bound once: this loop runs for each of a distribution's quarter million groups.
    number_of, member_get, identity = numbers.get, of_member.get, id
    for owner, owner_groups in groups.items():
        for group in owner_groups:
            key = identity(group)
            number = number_of(key)
            if number is not None:
                owners[number].append(owner)
                continue
            number = numbers[key] = len(distinct)
            distinct.append(group)
            owners.append([owner])
            for member in group.members:
                found = member_get(member)
                if found is None:
                    of_member[member] = [number]
                else:
                    found.append(number)
    rank = dict(zip(groups, range(len(groups)), strict=True))
    return Edges(distinct, owners, groups, of_member, rank, [0] * len(distinct))


NOBODY: Mapping[int, Hashable] = MappingProxyType({})
"""No package lacking on some hosts (`least_fixed_point`)."""


def least_fixed_point(
    seeds: set[int],
    reverse: Edges,
    no_way_around: Mapping[int, Hashable] = NOBODY,
    within: Container[int] | None = None,
) -> tuple[set[int], Edges]:
    """Packages outside ``seeds`` with a requirement whose every alternative is tainted, transitively;
    and the edges of every group whose alternatives all are, to the packages that have it.

    Each distinct group counts its members not yet tainted (a group's members are distinct, and
    a package lists a group once); a package becomes tainted when one of its groups reaches
    zero. Only groups that a tainted package belongs to are ever counted. A group the package
    belongs to itself never counts for it: the package satisfies it on its own. The seeds' own
    groups count too: an origin package can need another one.

    A member of ``no_way_around`` (a package some hosts lack: `Resolved.present_on`) is not
    counted: on those hosts a group is all tainted without it, so once one member is tainted
    and every other member is tainted or such a package, the group is. ``no_way_around`` maps
    each to the hosts that have it (`auditor.deps.hosts.present_on`): a group whose members
    the same hosts all lack is counted whole, as on its hosts the requirement is unresolved (the
    resolver says so) and on the others' every member is there (`lacking_alike`).

    ``within``: only those packages are tainted (and followed), as when the caller knows the
    answer outside them (`auditor.deps.spread.spread_without`).
    """
    groups, owners = reverse.groups, reverse.owners
    rank = reverse.rank
    remaining: dict[int, int] = {}
    tainted = set(seeds)
    complete_owners: dict[int, list[int]] = {}
    complete_of: dict[int, list[int]] = {}
    tick = [0] * len(groups)
    queue = deque(seeds)
    clock = 0
    counted = _counter(no_way_around)
    while queue:
        node = queue.popleft()
        clock += 1
        added: list[int] = []
        completed = 0
        counts = node not in no_way_around
        for number in reverse.of_member.get(node, ()):
            group = groups[number]
            before = remaining.get(number)
            step = counts or lacking_alike(group.members, no_way_around)
            left = (counted(group.members) if before is None else before) - step
            remaining[number] = left
            if left:
                continue
            remaining[number] = -1  # complete once, whatever member of it is tainted next
            members = group.members
            inside = frozenset(members) if len(members) > 8 else members
            kept = [owner for owner in owners[number] if owner not in inside]
            if within is not None:
                kept = [owner for owner in kept if owner in within]
            if not kept:
                continue
            completed += 1
            tick[number] = clock
            complete_owners[number] = kept
            for member in members:
                found = complete_of.get(member)
                if found is None:
                    complete_of[member] = [number]
                else:
                    found.append(number)
            for owner in kept:
                if owner not in tainted:
                    tainted.add(owner)
                    added.append(owner)
        # In the graph's order, as one list of every (package, group) edge would queue them.
        queue.extend(sorted(added, key=rank.__getitem__) if completed > 1 else added)
    return tainted - seeds, Edges(groups, complete_owners, reverse.owned, complete_of, rank, tick)


def _counter(no_way_around: Mapping[int, Hashable]) -> Callable[[Sequence[int]], int]:
    """How many of a group's members are a way around (``len`` when every one is)."""
    if not no_way_around:
        return len

    def counted(members: Sequence[int]) -> int:
        if lacking_alike(members, no_way_around):
            return len(members)
        return sum(1 for member in members if member not in no_way_around)

    return counted


def lacking_alike(members: Sequence[int], no_way_around: Mapping[int, Hashable]) -> bool:
    """Whether the same hosts lack every member of a group (as one reader hides them): those lacking one
    lack them all (the requirement is unresolved there), and the others have them all, where
    each is a way around as any package is."""
    if not members or members[0] not in no_way_around:
        return False
    first = no_way_around[members[0]]
    return all(no_way_around.get(member) == first for member in members)


Label = tuple[int, int, "Group | None"]
"""(origin package the label leads to, the next package toward it, the group that needs it)."""

_UNSEEN, _BOTH = -1, -2
"""What `nearest_two` has followed a group with: no source yet, or two distinct ones."""


def nearest_two(sources: Sequence[int], edges: Edges) -> tuple[dict[int, Label], ...]:
    """For every package that reaches ``sources`` over ``edges``, its two nearest distinct sources.

    Breadth first from every source at once, a package keeping the first two distinct sources
    that reach it: the nearest, and the nearest other one. A source's nearest is itself, so the
    second is the nearest *other* origin package it needs: a chain that starts at a package and
    ends at it is no dependency. Sources come in name order, and a breadth-first queue keeps that
    order within each distance, so the source a package keeps is the first by name among the
    equally near ones.

    A group followed toward one source has given every package that has it a label to that
    source, or two labels: following it again toward the same source changes nothing, nor
    following it at all once it was followed toward two. So each group is followed at most
    twice, and the work is linear in the edges (a capability with n providers that n packages
    require is followed twice, not n times). The packages one step reaches are labelled and
    queued in the order of a list of every (package, group) edge, by completion then package.
    """
    groups, owners, rank, tick = edges.groups, edges.owners, edges.rank, edges.tick
    ticked = any(tick)
    first: dict[int, Label] = {source: (source, source, None) for source in sources}
    second: dict[int, Label] = {}
    followed = [_UNSEEN] * len(groups)
    queue = deque((source, source) for source in sources)
    of_member, label_of = edges.of_member.get, first.get
    found: dict[int, int] = {}  # package -> the number of the group it is reached by
    while queue:
        node, end = queue.popleft()
        numbers = of_member(node, ())
        if len(numbers) == 1:  # most packages: one group's packages, in order, nothing to sort
            number = numbers[0]
            seen = followed[number]
            if seen in (end, _BOTH):
                continue
            followed[number] = end if seen == _UNSEEN else _BOTH
            group = groups[number]
            for owner in owners[number]:
                label = label_of(owner)
                if label is None:
                    first[owner] = (end, node, group)
                elif label[0] == end or owner in second:
                    continue
                else:
                    second[owner] = (end, node, group)
                queue.append((owner, end))
            continue
        found.clear()
        contributed = 0  # groups that gave a package its edge: past one, the order is sorted
        for number in numbers:
            seen = followed[number]
            if seen in (end, _BOTH):
                continue
            followed[number] = end if seen == _UNSEEN else _BOTH
            gave = False
            for owner in owners[number]:
                label = label_of(owner)
                if label is not None and (label[0] == end or owner in second):
                    continue
                known = found.get(owner)
                if known is None or _earlier(edges, owner, number, known):
                    found[owner] = number
                    gave = True
            contributed += gave
        if not found:
            continue
        order: Iterable[int] = found
        if contributed > 1:
            if ticked:
                order = sorted(found, key=lambda owner: (tick[found[owner]], rank[owner]))
            else:
                order = sorted(found, key=rank.__getitem__)
        for owner in order:
            label = (end, node, groups[found[owner]])
            if owner in first:
                second[owner] = label
            else:
                first[owner] = label
            queue.append((owner, end))
    return first, second


def _earlier(edges: Edges, owner: int, number: int, known: int) -> bool:
    """Whether ``owner``'s edge by group ``number`` comes before its edge by ``known`` in a list of
    every (package, group) edge: completed earlier, or listed earlier among its groups."""
    tick = edges.tick
    if tick[number] != tick[known]:
        return tick[number] < tick[known]
    return edges.position(owner, number) < edges.position(owner, known)
