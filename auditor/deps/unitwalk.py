"""The unit propagation of `auditor.deps.cleanway`'s walks, and what it reads of each group.

A walk takes what the package asked must hold, requirement after requirement, until a choice is
left (`UnitWalk._propagate`). Each of distro-60k's 850 questions walks the same core of the
distribution again (340,000 requirements in all), so what a requirement's group says (its clean
providers, whether it binds exactly) is read once per search (`UnitWalk.facts`), each owner's
list of them once (`UnitWalk.rows`), and whether a walk goes on below a package once per package
(`UnitWalk.walks_into`): asked through `CleanView`'s methods, the same answers took 0.3 s of
the 0.8 s the questions took.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Mapping, Sequence
from typing import Any

from auditor.deps.cleanscreen import CleanView
from auditor.deps.coinstall import HeldApart
from auditor.deps.hops import Group
from auditor.deps.noclean import NoCleanWay

Take = Callable[[int, Group, list[int]], NoCleanWay | None]  # a walk's take (`cleanway._Search._walk`)
Owned = list[tuple[int, Group]]  # groups, each with the package that needs it
Facts = tuple[Group, list[int], bool, bool]
"""A group, its clean providers (`CleanView.clean`), whether it has another member (a tainted
one, or one some hosts lack), and whether it binds exactly (`CleanView.exactly_binds`)."""


class UnitWalk(CleanView):
    """`CleanView` with what `auditor.deps.cleanway`'s walks read of it kept at hand."""

    quiet_unless: Container[int] | None = None
    """`CleanView.loud` of this search's run (`walks_into`); None, as for the search asking
    whether a package can be installed at all: walk each."""
    steps = 0
    """The requirements `_propagate` has met so far (`auditor.deps.cleanway.STEPS`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._facts: dict[int, Facts] = {}
        """id of a group -> `Facts` (the group kept, so that no other takes its id)."""
        self._rows: dict[int, tuple[Sequence[Group], list[Facts]]] = {}
        """id of a list of groups -> the list, kept likewise, and each group's `Facts`."""
        self._into: tuple[Container[int] | None, dict[int, bool]] = (None, {})
        """`quiet_unless` when `walks_into` last answered, and its answers since."""
        self._inert: dict[int, bool] = {}
        """package -> `inert`."""

    def facts(self, group: Group) -> Facts:
        """``group``'s `Facts`, read once."""
        known = self._facts.get(id(group))
        if known is None:
            clean = self.clean(group)
            exact = self.exactly_binds(group)
            known = self._facts[id(group)] = (group, clean, len(clean) < len(group.members), exact)
        return known

    def rows(self, groups: Sequence[Group]) -> list[Facts]:
        """The `Facts` of each of ``groups``, in order, read once per list: a package's
        requirements are one list, met again by each walk that holds it."""
        known = self._rows.get(id(groups))
        if known is None:
            known = self._rows[id(groups)] = (groups, [self.facts(group) for group in groups])
        return known[1]

    def walks_into(self, node: int, one_way: bool) -> bool:
        """Whether a walk that takes ``node`` walks what it holds: unless it is inert, or it and
        all it may hold are apart from nothing (`quiet_unless`): it rules nothing out, nothing
        rules it out, and each requirement below it keeps a clean provider that conflicts with
        nothing. BuildConflicts (``one_way``) are apart from what nothing else is: walk all."""
        if one_way:
            return True
        known, loud = self.known_walks(), self.quiet_unless
        found = known.get(node)
        if found is None:
            found = known[node] = not self.inert(node) and (loud is None or node in loud)
        return found

    def known_walks(self) -> dict[int, bool]:
        """`walks_into`'s answers so far (not ``one_way``), for a walk to read first."""
        loud, known = self._into
        if loud is not self.quiet_unless:  # set once the search begins: what came before is stale
            loud, known = self._into = (self.quiet_unless, {})
        return known

    def known_facts(self) -> Mapping[int, Facts]:
        """`facts`' answers so far, by id of the group, for a walk to read first."""
        return self._facts

    def inert(self, node: int) -> bool:
        """Whether nothing ``node`` surely holds can rule a clean provider out, or be ruled out:
        it and all it surely holds or may choose (each option of each choice, and on) are apart
        from nothing, and none of them has a mixed group. `ask` takes such a package without walking
        what it holds (but into the buildroot of a source package with BuildConflicts, which are
        one way: what they name is apart from nothing else): n packages asked that hold one long
        chain walked it n times (2,000 x 2,000: 20 s). Not walking it loses nothing: none of it
        is ever ruled out, so a group it would meet keeps a usable member. Worked out once per
        package, in postorder; a dependency cycle is taken as not inert, which only walks more."""
        found = self._inert
        known = found.get(node)
        if known is not None:
            return known
        apart_from, runtime = self.apart_from, self.runtime
        needs: dict[int, list[int] | None] = {}
        """node on the walk -> what it surely holds or may choose, or None when it is not inert itself."""

        triggers = self.triggers()

        def sure_needs(one: int) -> list[int] | None:
            if one in apart_from or one in triggers:
                return None
            sole: list[int] = []
            for group in runtime.get(one, ()):
                if not self.binds(group):
                    continue
                clean = self.clean(group)
                if len(clean) < len(group.members):
                    return None  # a tainted (or on some hosts lacking) member: a choice for `ask`
                if any(member in apart_from for member in clean):
                    return None
                # Each option of a choice too: an option that needs a package apart from some
                # can be ruled out, and then so can the whole choice.
                sole.extend(clean)
            return sole

        stack = [node]
        while stack:
            one = stack[-1]
            if one in found:
                stack.pop()
                continue
            if one not in needs:
                mine = needs[one] = sure_needs(one)
                if mine is None:
                    found[one] = False
                    stack.pop()
                    continue
                stack.extend(other for other in mine if other not in found and other not in needs)
                continue
            stack.pop()
            mine = needs[one]
            assert mine is not None
            found[one] = all(found.get(other, False) for other in mine)
        return found[node]

    def _propagate(
        self,
        take: Take,
        queue: deque[tuple[int, Sequence[Group]]],
        waiting: Owned,
        deferred: Owned,
        held: Mapping[int, object],
        unfired: Owned,
        retake: tuple[HeldApart, list[int]],
    ) -> NoCleanWay | None:
        """`ask`'s walk: take what holds whatever is tainted, then the mixed groups, until
        nothing more is taken (None) or a requirement is left with tainted providers only. What
        waits is asked again once the walk holds more packages apart from some (``retake``), not
        at each choice (10 s of a 12,000-package multilib repository); the walk drops what is met."""
        held_apart, asked_at = retake
        holds, rows = held.keys(), self.rows
        while True:
            while queue:
                owner, owner_groups = queue.popleft()
                self.steps += len(owner_groups)
                for group, clean, partial, exact in rows(owner_groups):
                    if not holds.isdisjoint(group.members):
                        continue
                    if not exact and not self.fires(owner, group, held, unfired):
                        continue
                    if not clean:
                        continue  # all tainted: the owner is tainted already, or lacking on some hosts
                    if partial:
                        deferred.append((owner, group))
                        continue
                    answer = take(owner, group, clean)
                    if answer is not None:
                        return answer
            queue.extend(self.fired(unfired, held))
            if len(held_apart) != asked_at[0]:
                asked_at[0] = len(held_apart)
                answer = self._retake(take, waiting, held)
                if answer is not None:
                    return answer
            if queue:
                continue
            if not deferred:
                return None
            answer = self._retake(take, deferred, held)
            if answer is not None:
                return answer

    def _retake(self, take: Take, pending: Owned, held: Mapping[int, object]) -> NoCleanWay | None:
        """Take again each of ``pending`` (emptied) that nothing held meets yet."""
        items, pending[:] = list(pending), []
        for owner, group in items:
            if held.keys().isdisjoint(group.members):
                answer = take(owner, group, self.clean(group))
                if answer is not None:
                    return answer
        return None
