"""Packages with a clean provider for each requirement, and still no clean installation.

`auditor.deps.edges.least_fixed_point` asks each requirement alone: ``app`` requiring ``liba``
(``cx-a`` or ``clean-a``) and ``libb`` (``cx-b`` or ``clean-b``), ``clean-a`` conflicting with
``clean-b``, keeps a clean provider for each, and only ``may-depend`` (which does not block)
though libsolv cannot install it without Citrix; so when the conflict lies deeper (``app``
requires ``mid`` and ``pal``, ``mid`` ``libd``: ``clean-d`` or ``cx-d``; ``pal`` conflicts
with ``clean-d``).

`without_clean_way` asks the question libsolv asks, for the packages where the answer can
differ: with every tainted package left out, what must an installation of the package hold?
It propagates units, as a SAT solver does first: the package; the one provider left of each of
their requirements (clean, and installable with what is already held); and so on. When a
requirement is left with no provider but tainted ones, every installation of the package holds
a tainted package. Where units leave choices between clean providers, it tries them, a mixed
group's first, going back to the choice a dead end depends on (`auditor.deps.backjump`), as
a SAT solver does: when no choice leaves a clean way, the package ``depends`` if it can be
installed at all (the same search with nothing left out), and the first choice's group is
the one its chain names. Both answers are sound; within
`STEPS` they are complete for the packages asked (held to libsolv's by
tests/deps/test_clean_way_random.py and tests/deps/test_category_clean_way_random.py).

At most `auditor.deps.askevery.ASK_EVERY` packages that may reach a mixed group whose clean
way can be ruled out are each asked (distro-60k: 1,035), more only as the screen chooses.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from auditor.deps.askorder import from_the_top, in_order, left_unasked, witnessed
from auditor.deps.backjump import Choices, NotInstallable, Walk, anything, rules_out
from auditor.deps.coinstall import Apart, HeldApart
from auditor.deps.edges import Edges
from auditor.deps.hops import Group, without_lock_step
from auditor.deps.noclean import CleanInstalls, CleanWays, NoCleanWay, OutOfSteps, Step, Taken
from auditor.deps.originneeds import origin_needs
from auditor.deps.unitwalk import Owned, UnitWalk

ROUNDS = 64
"""What one run's clean-way checks may find in turn (`auditor.deps.spread`): what one round
finds taints more, which the next may need (real runs take one to three, a ladder of n
packages each ruled once the one before is n): past this, the next round's asks are unseen."""

STEPS = 2_000_000
"""The requirements one `without_clean_way` may walk (distro-60k: about 330,000). n packages
asked that each hold m packages apart from some walk n x m, a shape a repository can be
written in: past this, the packages left are not asked, and the run says so (`CleanWays`)."""


def without_clean_way(
    runtime: Mapping[int, Sequence[Group]],
    build: Mapping[int, Sequence[Group]],
    edges: Edges,
    tainted: Container[int],
    apart_from: Mapping[int, Apart],
    partly: Container[int] = frozenset(),
    *,
    bans: Mapping[int, frozenset[int]] | None = None,
    ask: bool = True,
    only: Container[int] | None = None,
    build_tainted: Container[int] | None = None,
    known: CleanInstalls | None = None,
    origin: Iterable[int] = (),
) -> CleanWays:
    """The packages outside ``tainted`` that no installation (a binary) or buildroot (a source
    package, from ``build``) holds without a tainted package, and why.

    ``edges`` are the reverse edges of ``runtime`` (`auditor.deps.edges.reverse`). A member of
    ``partly`` (a package some hosts lack) is no clean provider, as in `least_fixed_point`.
    ``build`` is asked only where each source package has one set of groups: none when the run
    builds on several hosts. Without ``ask``, nothing is asked: all the screen leaves is unasked.
    With ``only``, the packages outside it are not asked at all, nor counted unasked: the
    caller needs no answer there (`auditor.audit.plan` asks only what can reach the packages it
    counts: no other answer can taint them). With ``build_tainted`` (``tainted``, the blocked
    binaries and their sources, and what needs them: `auditor.deps.spread`), only the source
    packages outside it are asked, and their BuildRequires may take none of it (`tainted_in`).
    ``known``: clean installations an earlier check found (`CleanInstalls.answering`); the
    answer's ``installed`` holds those this one knows of (none with ``build_tainted``).
    ``origin``: tainted binaries asked too, each allowed itself (`origin_needs`); ``bans``, `infarch`'s.
    """
    search = _Search(runtime, tainted, apart_from, partly, build_tainted, bans)
    asked = {one: without_lock_step(groups) for one, groups in search.asked(build, edges, only).items()}
    if build_tainted is not None:
        asked = {package: groups for package, groups in asked.items() if package in build}
    screened = frozenset(package for package in asked if package not in search.beyond_screen)
    if not ask:  # the caller stops short: what it would have asked is what it did not see
        return CleanWays({}, screened, search.screened_only)
    found: dict[int, NoCleanWay] = {}
    search.quiet_unless = search.loud(edges) if asked else None
    order = from_the_top(asked, edges, search.beyond_screen)
    installed = search.installed_cleanly
    if known is not None and build_tainted is None:
        installed.update(known.answering(tainted))
    for position, package in enumerate(order):
        if package in installed:
            continue  # an installation found for another package holds it: it has a clean one
        if search.steps > STEPS:
            return CleanWays(found, left_unasked(screened, order[position:], installed), search.screened_only)
        try:
            answer = search.ask(package, asked[package])
        except OutOfSteps:
            return CleanWays(found, left_unasked(screened, order[position:], installed), search.screened_only)
        if answer is not None:
            found[package] = answer
    held = None if build_tainted is not None else CleanInstalls.of(tainted, installed)
    needs, unasked = origin_needs(search, edges, origin, STEPS)
    return CleanWays(in_order(found, asked), unasked, search.screened_only, held, needs)


class _Search(UnitWalk):
    """The questions of one `without_clean_way` over one tainted set."""

    _anyway: _Search | None = None
    """The same search with nothing left out, for whether a package can be installed at all."""
    installed_cleanly: set[int]
    """What the clean installations `ask` found hold, each with one: that one, which meets each
    requirement that binds there and holds nothing tainted, lacking or apart from another."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.installed_cleanly = set()

    def ask(self, package: int, groups: Sequence[Group]) -> NoCleanWay | None:
        """Unit propagation from ``package`` with ``groups`` as its requirements, then a search
        through the choices it leaves between clean providers (`Walk`)."""
        walks = self._walks(package, groups)
        walk = next(walks)
        if walk.found:
            self.installed_cleanly.update(witnessed(package, groups, walk.held, self))
            return None
        if not walk.options:  # no choice was made: unit propagation's own answer
            return self._installable(package, groups, walk.answer)
        dead = [walk.answer]
        for again in walks:
            if again.found:
                self.installed_cleanly.update(witnessed(package, groups, again.held, self))
                return None
            dead.append(again.answer)
        return self._no_choice_left(package, groups, walk, dead)

    def _no_choice_left(
        self, package: int, groups: Sequence[Group], walk: Walk, dead: list[NoCleanWay | None]
    ) -> NoCleanWay | None:
        """The answer when every choice ``walk`` began with ended with a requirement left with
        no clean provider (``dead``, what each walk found): the first choice's group when it has a
        tainted provider, else the group the first dead walk blamed, with what ruled it out in
        each walk that blamed it; None when the package cannot be installed with its tainted ones."""
        assert walk.first is not None
        owner, group = walk.first
        lead = next((one for one in dead if one is not None), None)
        mixed = self.mixed(group)
        if lead is not None and not mixed:
            owner, group = lead.owner, lead.group
        found = [one for one in dead if one is not None and one.owner == owner and one.group is group]
        against = [one for answer in found for one in answer.against]
        if against and mixed:
            lead = self._answer(package, walk.held, owner, group, against)
        elif against and lead is not None:
            lead = replace(lead, against=tuple(dict.fromkeys(against)))
        return self._installable(package, groups, lead)

    def _installable(
        self, package: int, groups: Sequence[Group], answer: NoCleanWay | None
    ) -> NoCleanWay | None:
        """``answer`` if ``package`` can be installed at all, its tainted providers taken too."""
        if answer is None:
            return None
        anyway = self._anyway
        if anyway is None:  # one for the run: its views of the groups are kept between questions
            anyway = self._anyway = _Search(self.runtime, frozenset(), self.apart_from, self.partly)
            anyway.banning = self.banning
        anyway.steps = self.steps
        try:
            installable = anyway.installs(package, groups)
        finally:
            self.steps = anyway.steps
        return answer if installable else None

    def installs(self, package: int, groups: Sequence[Group]) -> bool:
        """Whether some installation of ``package`` holds a provider of each requirement
        (with no package left out when the search has no tainted set)."""
        return any(walk.found for walk in self._walks(package, groups))

    def _walks(self, package: int, groups: Sequence[Group]) -> Iterator[Walk]:
        """Each walk of the search through the choices, going back to the last choice its dead end
        depends on (`auditor.deps.backjump`), until one finds an installation. Past `STEPS`, `OutOfSteps`."""
        walk = self._walk(package, groups, ())
        yield walk
        choices = Choices(walk.options)
        while not walk.found:
            if not choices.after(walk):
                return
            if self.steps > STEPS:
                raise OutOfSteps
            walk = self._walk(package, groups, choices.picks)
            yield walk
            choices.extend(walk.options)

    def _walk(self, package: int, groups: Sequence[Group], picks: Sequence[int]) -> Walk:
        """Unit propagation from ``package``; where it stops with choices left, the choice a
        mixed group offers first, taking the option ``picks`` names for it (its first past
        them), and on."""
        apart_from, runtime = self.apart_from, self.runtime
        held: dict[int, Taken | None] = {package: None}  # what it must hold -> the step that put it there
        reason: dict[int, int] = {package: 0}  # what it holds -> the choices that put it there
        needs: list[int] = []  # each choice's `Walk.needs`
        conflict = -1  # `Walk.conflict`: none yet
        choice: dict[int, Taken | None] = {package: None}
        """What it holds -> the nearest step above it that took the one clean provider of a
        mixed group: what a tainted provider would replace."""
        held_apart = HeldApart(apart_from, package, self.banning.get(package))
        taken: list[Taken] = []  # the mixed groups' steps, in order
        waiting: Owned = []
        retake = (held_apart, [0])  # and how many packages apart from some it held when what waits was asked
        queue: deque[tuple[int, Sequence[Group]]] = deque([(package, groups)])

        own_conflicts = apart_from.get(package)  # its BuildConflicts go one way (`HeldApart`)
        against, facts, known_facts = held_apart.against, self.facts, self.known_facts()
        # Without its own Conflicts or bans, only a package apart from some can be ruled out.
        plain = own_conflicts is None and not self.banning.get(package)
        one_way, walked = own_conflicts is not None, self.known_walks()

        def why(owner: int, group: Group, blocked: Iterable[tuple[int, Sequence[int]]]) -> int:
            """The choices that hold ``owner``, make it meet ``group``, and rule out its members
            as ``blocked`` (each with what rules it out) says (`auditor.deps.backjump`)."""
            if not self.exactly_binds(group):  # a condition's group fires on what is held
                return anything(len(options))
            found = reason[owner]
            for member, by in blocked:
                for one in by:
                    found |= rules_out(one, member, package, apart_from, reason, len(options))
            return found

        def take(owner: int, group: Group, members: list[int], decided: int = -1) -> NoCleanWay | None:
            """``owner`` must meet ``group`` with one of ``members`` (its clean ones left):
            ``decided``, the choices that took this one member, when the walk chose it."""
            nonlocal conflict
            blocked: Sequence[tuple[int, Sequence[int]]]
            if len(members) == 1 and plain and members[0] not in apart_from:  # most: nothing rules it out
                blocked, usable = ((members[0], ()),), members
            else:
                blocked = [(one, against(one) if not plain or one in apart_from else ()) for one in members]
                usable = [member for member, by in blocked if not by]
            _group, _clean, mixed, exact = known_facts.get(id(group)) or facts(group)
            if len(usable) > 1:
                waiting.append((owner, group))
                return None
            if not usable:
                conflict = why(owner, group, blocked)
                conflicting = [one for _member, by in blocked for one in by]
                # The choice a tainted provider would undo: this group's, the one above its owner,
                # the one above what rules its providers out, else the last one taken (what it holds
                # may rule an option above out: tests/deps/test_clean_way_blame.py).
                other: list[int] = conflicting
                blamed = (owner, group) if mixed else _where(choice[owner])
                if blamed is None:
                    blamed = next((_where(choice[one]) for one in conflicting if choice[one]), None)
                    other = members
                blamed = blamed or (_where(taken[-1]) if taken else None)
                if blamed is None:
                    raise NotInstallable  # no mixed group taken: tainted or not, no installation
                return self._answer(package, held, *blamed, other)
            target = usable[0]
            step = (owner, group, target)
            held[target] = step
            if decided >= 0:
                reason[target] = decided
            else:  # one member not ruled out: `why`'s answer, without asking it
                reason[target] = reason[owner] if exact and len(blocked) == 1 else why(owner, group, blocked)
            choice[target] = step if mixed else choice[owner]
            if mixed:
                taken.append(step)
            if target in apart_from:  # `HeldApart.add` keeps only those
                held_apart.add(target)
            walks_on = one_way or walked.get(target)  # `walks_into`, asked once per package
            if walks_on or (walks_on is None and self.walks_into(target, one_way)):
                queue.append((target, runtime.get(target, ())))
            return None

        # The mixed groups wait until what holds whatever is tainted is taken: a package that
        # cannot be installed at all (it needs a package that conflicts with it) is not this
        # module's answer, whichever group the walk would have met first.
        deferred: Owned = []
        unfired: Owned = []  # under a condition that no package held triggers yet
        options: list[int] = []
        first: tuple[int, Group] | None = None
        try:
            while True:
                answer = self._propagate(take, queue, waiting, deferred, held, unfired, retake)
                waiting[:] = [(o, group) for o, group in waiting if held.keys().isdisjoint(group.members)]
                if answer is not None or not waiting:
                    return Walk(answer, answer is None, options, first, held, needs, conflict)
                # A choice: a mixed group's first, so that the search's first choice is the one
                # a tainted provider would undo when no choice of it leaves a clean way.
                at = next((i for i, (_o, group) in enumerate(waiting) if self.mixed(group)), 0)
                owner, group = waiting.pop(at)
                usable = [member for member in self.clean(group) if not against(member)]
                # An inert option is never ruled out and rules nothing out: any way another option
                # leaves, it leaves too (trying each made n such groups 2^n walks: n = 16, 43 s).
                settled = next((one for one in usable if not self.walks_into(one, one_way)), None)
                if settled is not None:  # no choice to go back to: any other leaves the same way
                    take(owner, group, [settled], anything(len(options)))
                    continue
                pick = picks[len(options)] if len(options) < len(picks) else 0
                needs.append(why(owner, group, ((one, against(one)) for one in self.clean(group))))
                options.append(len(usable))
                first = first or (owner, group)
                take(owner, group, [usable[pick]], 1 << (len(options) - 1))
        except NotInstallable:
            return Walk(None, False, options, first, held, needs, conflict)

    def _answer(
        self, package: int, held: Mapping[int, Taken | None], owner: int, group: Group, against: list[int]
    ) -> NoCleanWay:
        """The answer that ``owner``'s ``group`` has no clean way in ``package``'s installation."""
        steps: list[Step] = []
        node = owner
        while node != package:
            step = held[node]
            assert step is not None  # only the package itself was held with no step
            steps.append(Step(*step))
            node = step[0]
        steps.reverse()
        tainted, apart = self.tainted_in(group), tuple(dict.fromkeys(against))
        providers = tuple(member for member in group.members if member in tainted)
        return NoCleanWay(package, tuple(steps), owner, group, providers, tuple(self.clean(group)), apart)


def _where(step: Taken | None) -> tuple[int, Group] | None:
    return None if step is None else (step[0], step[1])
