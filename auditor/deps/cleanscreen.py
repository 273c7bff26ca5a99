"""Which packages `auditor.deps.cleanway` asks, and the view of the groups its answers read.

`CleanView` sees a run's groups with the tainted packages left out: a group's clean providers,
whether every installation of its owner must meet it (`CleanView.binds`), and whether it has
both a tainted and a clean provider (mixed); whether a package and all it surely holds can take
part in ruling a clean way out at all is `auditor.deps.unitwalk`'s (`inert`). Its screen finds
the few packages worth asking: only a mixed group can make the answer differ from the
per-requirement one, and only two packages apart (a Conflicts, an Obsoletes, one name) can rule
a clean provider out, so a package is asked when it surely reaches the owner of a mixed group
and also a package apart from what that group leads to (`CleanView.relevant`), or when it owns
a mixed group itself, whose clean way its other requirements may rule out. It misses some
(`CleanView.relevant`), so a run where few packages may reach a mixed group asks each.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable, Mapping, Sequence
from itertools import takewhile

from auditor.deps.askevery import Asked, Builds, Only, beyond_the_screen, holding_apart
from auditor.deps.coinstall import Apart
from auditor.deps.edges import Edges
from auditor.deps.hops import Group, HopKind
from auditor.deps.sureneeds import binds_exactly


class CleanView:
    """A run's groups seen with one tainted set left out, and which packages that may leave
    with no clean installation: the questions `auditor.deps.cleanway` asks, each answer kept
    for the next one (a group is shared by every package with its requirement)."""

    def __init__(
        self,
        runtime: Mapping[int, Sequence[Group]],
        tainted: Container[int],
        apart_from: Mapping[int, Apart],
        partly: Container[int],
        build_tainted: Container[int] | None = None,
        bans: Mapping[int, frozenset[int]] | None = None,
    ) -> None:
        self.runtime = runtime
        self.tainted = tainted
        self.build_tainted = tainted if build_tainted is None else build_tainted
        """What a BuildRequires may not take: ``tainted`` and, once the build side is asked, the
        binaries whose own source cannot be built clean and the packages that cannot be
        installed without one (`auditor.deps.spread.Spread.unusable`): a buildroot may hold no
        blocked binary. A Requires may take those: installing one needs nothing tainted (the
        build side's asks pass them as ``tainted`` too, as a buildroot's Requires may not)."""
        self.apart_from = apart_from
        self.banning: Mapping[int, frozenset[int]] = bans or {}
        """package -> the packages its own installation bans (`auditor.deps.infarch`): apart from
        them only as the package asked (`auditor.deps.coinstall.HeldApart`)."""
        self.banned = frozenset(one for found in self.banning.values() for one in found)  # by some
        self.partly = partly
        self.screened_only = False
        """Whether past `auditor.deps.askevery.ASK_EVERY` only the screen's choice was asked."""
        self.beyond_screen: set[int] = set()
        """What `asked` asks past the screen's choice (`auditor.deps.askevery`): when the steps
        run out, left unasked as a larger run leaves it, with no gap (`cleanway.without_clean_way`)."""
        self.near: set[int] = set()
        """What the clean providers of mixed groups are, surely hold, or may choose among, of
        the packages apart from some (`relevant`)."""
        self._loud: set[int] | None = None
        """`loud`, once worked out."""
        self._triggers: set[int] | None = None
        """`triggers`, once worked out."""
        self._clean: dict[int, tuple[Group, list[int], bool]] = {}
        """id of a group -> the group, kept so that no other takes its id while the answer stands,
        `clean` and `mixed`: a group is shared by every package with its requirement."""
        self._binding: dict[int, tuple[Group, bool]] = {}
        """id of a group -> the group, kept likewise, and whether it binds whatever else holds (`binds`)."""

    def loud(self, edges: Edges) -> set[int]:
        """The packages apart from some, or that may hold one (`holding_apart`), worked out
        once: those outside it, and all they may hold, conflict with nothing."""
        if self._loud is None:
            self._loud = holding_apart(self, edges)
        return self._loud

    def triggers(self) -> set[int]:
        """The packages that make a group under a condition needed (`Group.trigger`): as one
        apart from some, holding one may rule a clean way out (tests/deps/test_witness_review.py)."""
        if self._triggers is None:  # most groups have none: asked first, 0.03 s to 0.01 (distro-60k)
            groups = (group for each in self.runtime.values() for group in each if group.trigger)
            self._triggers = {one for group in groups if not group.rough for one in group.trigger}
        return self._triggers

    def tainted_in(self, group: Group) -> Container[int]:
        """What ``group`` may not take: a BuildRequires', ``build_tainted``."""
        return self.build_tainted if group.kind is HopKind.BUILD_REQUIRES else self.tainted

    def clean(self, group: Group) -> list[int]:
        """The members of ``group`` that are a clean way: neither tainted nor lacking on some hosts."""
        known = self._clean.get(id(group))
        if known is None:
            known = self._cleaned(group)
        return known[1]

    def mixed(self, group: Group) -> bool:
        """Whether ``group`` has a tainted member and a clean one (answered once per group)."""
        known = self._clean.get(id(group))
        if known is None:
            known = self._cleaned(group)
        return known[2]

    def _cleaned(self, group: Group) -> tuple[Group, list[int], bool]:
        tainted, partly = self.tainted_in(group), self.partly
        clean = [m for m in group.members if m not in tainted and m not in partly]
        mixed = bool(clean) and any(member in tainted for member in group.members)
        known = self._clean[id(group)] = (group, clean, mixed)
        return known

    def binds(self, group: Group) -> bool:
        """Whether ``group`` may have to be met by an installation of its owner, as the screen
        reads it: one that `exactly_binds`, or one some package triggers (`auditor.deps.triggers`):
        the screen asks what such a group may rule out, and the walk takes it only once it holds
        a package that triggers it (`fires`)."""
        return self.exactly_binds(group) or (bool(group.trigger) and not group.rough)

    def exactly_binds(self, group: Group) -> bool:
        """Whether ``group`` must be met by every installation of its owner: a Requires (or
        BuildRequires) read exactly, under no ``if`` or ``unless`` (the two sides of a
        condition are not both needed), or one it needs whichever way they go (`Group.every_host`)."""
        known = self._binding.get(id(group))
        if known is None:
            known = self._binding[id(group)] = (group, binds_exactly(group))
        return known[1]

    def fires(self, owner: int, group: Group, held: Container[int], unfired: list[tuple[int, Group]]) -> bool:
        """Whether ``group``, which does not bind exactly, is needed by an installation that
        holds ``held``: one of the packages that trigger it is held. One that some package may
        yet trigger waits in ``unfired`` (`fired`)."""
        if group.trigger and not group.rough:
            if any(one in held for one in group.trigger):
                return True
            unfired.append((owner, group))
        return False

    def fired(
        self, unfired: list[tuple[int, Group]], held: Container[int]
    ) -> list[tuple[int, Sequence[Group]]]:
        """Of ``unfired`` (emptied of them), the groups a package ``held`` now triggers, each as
        its owner's one requirement to take."""
        now = [(owner, group) for owner, group in unfired if any(one in held for one in group.trigger)]
        unfired[:] = [one for one in unfired if one not in now]
        return [(owner, (group,)) for owner, group in now]

    def mixed_groups(self, edges: Edges) -> list[int]:
        """The numbers of the binding groups (`binds`) with a tainted and a clean provider."""
        tainted = self.tainted
        numbers = {
            number for member in edges.of_member if member in tainted for number in edges.of_member[member]
        }
        return sorted(
            number
            for number in numbers
            if self.binds(edges.groups[number]) and self.mixed(edges.groups[number])
        )

    def sole(self, group: Group) -> int | None:
        """The one clean provider of a binding group that has one (and only one)."""
        if not self.binds(group):
            return None
        clean = self.clean(group)
        return clean[0] if len(clean) == 1 else None

    def relevant(self, mixed: Iterable[Group]) -> set[int]:
        """The packages whose being held beside a ``mixed`` group can rule out its clean way:
        those apart from a package that its clean providers are, surely hold, or may choose
        among, and those whose own installation bans one of those (`auditor.deps.infarch`).
        Empty when there is none, as on most runs."""
        apart_from, runtime, banned = self.apart_from, self.runtime, self.banned
        near_banned: set[int] = set()
        chosen: set[int] = set()
        near: set[int] = set()
        for group in mixed:
            clean = self.clean(group)
            if len(clean) == 1:
                chosen.add(clean[0])
            else:
                near.update(member for member in clean if member in apart_from)
                near_banned.update(member for member in clean if member in banned)
                # Asked until one holds none, as most groups have one (distro-60k: 56 of 986).
                surely = list(takewhile(bool, map(self.surely_apart, clean)))
                if len(surely) == len(clean):
                    near.update(*surely)
        # What the sole clean providers surely hold, and the choices that leaves open.
        for node in self.surely_held(chosen):
            if node in apart_from:
                near.add(node)
            if node in banned:
                near_banned.add(node)
            for group in runtime.get(node, ()):
                clean = self.clean(group)
                if len(clean) > 1 and self.binds(group):
                    near.update(member for member in clean if member in apart_from)
                    near_banned.update(member for member in clean if member in banned)
        self.near = near
        found = {one for one, bans in self.banning.items() if not bans.isdisjoint(near_banned)}
        if not near:
            return found
        # Only the other side of a pair: a package holds ``near`` through the mixed group
        # already, and the near packages of most runs are depended on by every package. The
        # near packages are binaries, and apart is mutual between binaries but for a multilib
        # pair of two versions (`SameName`, asked both ways; a source package's BuildConflicts
        # are its own way).
        others = frozenset(near)
        by_name: dict[str, list[int]] = {}
        siblings = apart_from[next(iter(near))].siblings
        for other in near:
            by_name.setdefault(siblings.packages[other].name, []).append(other)
        return found | {
            one
            for one, apart in apart_from.items()
            if apart.apart_from_any(others, by_name)
            or any(siblings.apart(other, one) for other in by_name.get(siblings.packages[one].name, ()))
        }

    def surely_apart(self, package: int) -> set[int]:
        """What ``package`` is or surely holds that is apart from some package."""
        apart_from = self.apart_from
        return {node for node in self.surely_held((package,)) if node in apart_from}

    def surely_held(self, packages: Iterable[int]) -> set[int]:
        """``packages`` and what they surely hold: the sole clean provider of each binding group,
        and on."""
        runtime = self.runtime
        walked = set(packages)
        stack = list(walked)
        while stack:
            for group in runtime.get(stack.pop(), ()):
                if self.binds(group):
                    clean = self.clean(group)
                    if len(clean) == 1 and clean[0] not in walked:
                        walked.add(clean[0])
                        stack.append(clean[0])
        return walked

    def holding(self, edges: Edges, relevant: set[int]) -> set[int]:
        """``relevant``, and the owners of a group a mixed group may leave with no clean way
        (`ruled_out_all`)."""
        found = set(relevant)
        for member in relevant:
            for number in edges.of_member.get(member, ()):
                if self.ruled_out_all(edges.groups[number], relevant):
                    found.update(edges.owners[number])
        return found

    def ruled_out_all(self, group: Group, relevant: Container[int]) -> bool:
        """Whether every clean provider of a binding ``group`` of several is ``relevant``
        (apart from what a mixed group leads to), and none is what it leads to. A group that
        one of those may meet, and a group some of whose providers nothing rules out, are not
        asked: in a distribution they are the alternatives core packages choose between
        (libsystemd0 or libelogind0), and asking all their owners took seconds."""
        if not self.binds(group):
            return False
        clean = self.clean(group)
        near = self.near
        return len(clean) > 1 and all(member in relevant and member not in near for member in clean)

    def reaching(self, edges: Edges, ends: set[int], within: Container[int] | None = None) -> set[int]:
        """``ends`` and the packages that surely hold one of them (one sole clean provider after
        another), outside the tainted ones; only those ``within``, when given, which holds
        what each of its packages may need (a package that surely holds an end holds the
        whole way to it)."""
        tainted = self.tainted
        found = {end for end in ends if end not in tainted and (within is None or end in within)}
        queue = deque(found)
        while queue:
            node = queue.popleft()
            for number in edges.of_member.get(node, ()):
                if self.sole(edges.groups[number]) != node:
                    continue
                for owner in edges.owners[number]:
                    if owner not in found and owner not in tainted and (within is None or owner in within):
                        found.add(owner)
                        queue.append(owner)
        return found

    def leads_to(self, group: Group, reaching: Container[int], relevant: Container[int] = ()) -> bool:
        """Whether a source package's ``group`` holds one of ``reaching``, is mixed, or (with
        ``relevant``) may choose one of those."""
        if not self.binds(group):
            return False
        clean = self.clean(group)
        if relevant:
            return clean[0] in reaching if len(clean) == 1 else self.ruled_out_all(group, relevant)
        return (bool(clean) and len(clean) < len(group.members)) or (len(clean) == 1 and clean[0] in reaching)

    def asked(self, build: Builds, edges: Edges, only: Only) -> Asked:
        """The packages to ask -> their groups, in order; of ``only``, when given
        (`auditor.deps.cleanway.without_clean_way`): those the screen leaves, then, when at most
        `auditor.deps.askevery.ASK_EVERY` packages may reach a mixed group, each other one."""
        numbers = self.mixed_groups(edges)
        # A buildroot's own mixed groups too: a source package alone may need the two sides.
        built = {id(group): group for groups in build.values() for group in groups if self.binds(group)}
        mixed = [*(edges.groups[number] for number in numbers), *(g for g in built.values() if self.mixed(g))]
        if not mixed or not (self.apart_from or self.banning):
            return {}  # no group has both sides, or nothing is apart from anything: nothing is ruled out
        owners = {owner for number in numbers for owner in edges.owners[number]}
        asked = self._screened(build, edges, only, mixed, owners)
        for package, groups in beyond_the_screen(self, edges, mixed, numbers, build, only).items():
            if package not in asked:
                asked[package] = groups
                self.beyond_screen.add(package)
        return asked

    def _screened(
        self, build: Builds, edges: Edges, only: Only, mixed: list[Group], owners: set[int]
    ) -> Asked:
        """The packages the screen leaves -> their groups, in order."""
        relevant = self.relevant(mixed)
        if not relevant:
            return {}  # nothing a mixed group leads to is apart from anything: nothing is ruled out
        runtime, tainted = self.runtime, self.tainted
        candidates = self.reaching(edges, owners, only)
        holding = self.reaching(edges, self.holding(edges, relevant), only)
        # A mixed group's own owner too: its other requirements may be what rules the clean
        # way out, as the clean way of another mixed group it owns (131 of distro-60k's).
        owners = {owner for owner in owners if only is None or owner in only}
        asked: Asked = {
            package: runtime[package]
            for package in sorted((candidates & holding) | owners)
            if package in runtime and package not in tainted
        }
        for source, groups in build.items():
            if (
                source in self.build_tainted
                or (only is not None and source not in only)
                or not any(self.leads_to(group, candidates) for group in groups)
            ):
                continue
            # A group some package triggers may rule a clean way out wherever the walk goes, and
            # a mixed group's clean way may be ruled out by the buildroot's other groups: asked.
            if source in relevant or any(
                group.trigger
                or self.leads_to(group, holding, relevant)
                or (self.binds(group) and self.mixed(group))
                for group in groups
            ):
                asked[source] = groups
        return asked
