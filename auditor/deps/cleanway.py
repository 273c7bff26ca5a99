"""Packages with a clean provider for each requirement, and still no clean installation.

`auditor.deps.edges.least_fixed_point` taints a package when one requirement has no clean
provider. Each requirement is asked alone, so a package can keep a clean provider for each and
none for all together: ``app`` requires ``liba`` (``cx-a`` or ``clean-a``) and ``libb``
(``cx-b`` or ``clean-b``), and ``clean-a`` conflicts with ``clean-b``. libsolv cannot install
``app`` without a Citrix package; asked per requirement, ``app`` only ``may-depend``, which does
not block. The same holds when the conflict is with what ``app`` needs deeper down, or with a
sibling: ``app`` requires ``mid`` and ``pal``, ``mid`` requires ``libd`` (``clean-d`` or
``cx-d``), and ``pal`` conflicts with ``clean-d``.

`without_clean_way` asks the question libsolv asks, for the packages where the answer can
differ: with every tainted package left out, what must an installation of the package hold?
It propagates units, as a SAT solver does first: the package; the one provider left of each of
their requirements (clean, and installable with what is already held); and so on. When a
requirement is left with no provider but tainted ones, every installation of the package holds
a tainted package. That is sound (each step is implied), not complete: what only a choice
between two clean providers would show stays ``may-depend``, as before.

Only a few packages are asked (`auditor.deps.cleanscreen`): asking each of the 8,600 that
reach a mixed group took 10 s on distro-60k; its screen leaves 57, and the whole takes about
0.15 s. What only shows once a first conflict has narrowed a choice to one, which then leads
to a second conflict, can be missed by that screen: it stays ``may-depend``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass

from auditor.deps.cleanscreen import CleanView
from auditor.deps.coinstall import Apart
from auditor.deps.edges import Edges
from auditor.deps.hops import Group

ROUNDS = 64
"""What one run's clean-way checks may find in turn (`auditor.deps.spread`): what one round
finds taints more, which the next may need (real runs take one to three). A ladder of n
packages, each ruled only once the one before is, took n rounds of the whole graph's
propagation; past this, what the next round would ask is said unseen."""

STEPS = 2_000_000
"""The requirements one `without_clean_way` may walk (distro-60k: about 44,000). n packages
asked that each hold m packages apart from some walk n x m, a shape a repository can be
written in: past this, the packages left are not asked, and the run says so (`CleanWays`)."""


@dataclass(frozen=True)
class Step:
    """One step of what an installation must hold: ``owner`` requires ``group``, whose one
    provider left is ``target``."""

    owner: int
    group: Group
    target: int


@dataclass(frozen=True)
class NoCleanWay:
    """Why ``package`` has no clean installation: it must hold ``steps`` (from the package to
    ``owner``), and ``owner``'s ``group`` has no provider left but its ``tainted`` ones: its
    clean ones (``ruled_out``) cannot be installed with ``against``, which the installation
    must also hold."""

    package: int
    steps: tuple[Step, ...]
    owner: int
    group: Group
    tainted: tuple[int, ...]
    ruled_out: tuple[int, ...]
    against: tuple[int, ...]


@dataclass(frozen=True)
class CleanWays:
    """What `without_clean_way` found, and the packages it had to leave unasked (`STEPS`)."""

    found: dict[int, NoCleanWay]
    unasked: frozenset[int] = frozenset()


def without_clean_way(
    runtime: Mapping[int, Sequence[Group]],
    build: Mapping[int, Sequence[Group]],
    edges: Edges,
    tainted: Container[int],
    apart_from: Mapping[int, Apart],
    partly: Container[int] = frozenset(),
    *,
    ask: bool = True,
    only: Container[int] | None = None,
) -> CleanWays:
    """The packages outside ``tainted`` that no installation (a binary) or buildroot (a source
    package, from ``build``) holds without a tainted package, and why.

    ``edges`` are the reverse edges of ``runtime`` (`auditor.deps.edges.reverse`). A member of
    ``partly`` (a package some hosts lack) is no clean provider, as in `least_fixed_point`.
    ``build`` is asked only where each source package has one set of groups: pass none when
    the run builds on several hosts (a group per host, which one installation never holds
    together). Without ``ask``, nothing is asked: every package the screen leaves is unasked.
    With ``only``, the packages outside it are not asked at all, nor counted unasked: the
    caller needs no answer there (`auditor.audit.plan` asks only what can reach the packages it
    counts: no other answer can taint them).
    """
    search = _Search(runtime, tainted, apart_from, partly)
    asked = _asked(search, build, edges, only)
    if not ask:  # the caller stops short: what it would have asked is what it did not see
        return CleanWays({}, frozenset(asked))
    found: dict[int, NoCleanWay] = {}
    order = list(asked)
    for position, package in enumerate(order):
        if search.steps > STEPS:
            return CleanWays(found, frozenset(order[position:]))
        answer = search.ask(package, asked[package])
        if answer is not None:
            found[package] = answer
    return CleanWays(found)


def _asked(
    search: CleanView, build: Mapping[int, Sequence[Group]], edges: Edges, only: Container[int] | None
) -> dict[int, Sequence[Group]]:
    """The packages the screen leaves (`auditor.deps.cleanscreen`) -> their groups, in order;
    of ``only``, when given (`without_clean_way`)."""
    mixed = search.mixed_groups(edges)
    # A buildroot's own mixed groups too: a source package alone may need the two sides.
    built = {id(group): group for groups in build.values() for group in groups if search.binds(group)}
    relevant = search.relevant(
        [*(edges.groups[number] for number in mixed), *(g for g in built.values() if search.mixed(g))]
    )
    if not relevant:
        return {}  # nothing a mixed group leads to is apart from anything: nothing is ruled out
    runtime, tainted = search.runtime, search.tainted
    candidates = search.reaching(edges, {owner for number in mixed for owner in edges.owners[number]}, only)
    holding = search.reaching(edges, search.holding(edges, relevant), only)
    asked: dict[int, Sequence[Group]] = {
        package: runtime[package]
        for package in sorted(candidates & holding)
        if package in runtime and package not in tainted
    }
    for source, groups in build.items():
        if (
            source in tainted
            or (only is not None and source not in only)
            or not any(search.leads_to(group, candidates) for group in groups)
        ):
            continue
        if source in relevant or any(search.leads_to(group, holding, relevant) for group in groups):
            asked[source] = groups
    return asked


class _Search(CleanView):
    """The questions of one `without_clean_way` over one tainted set."""

    steps = 0
    """The requirements `ask` has met so far (`STEPS`)."""

    def ask(self, package: int, groups: Sequence[Group]) -> NoCleanWay | None:
        """Unit propagation from ``package`` with ``groups`` as its requirements."""
        apart_from, runtime = self.apart_from, self.runtime
        held: dict[int, Step | None] = {package: None}
        """What the installation must hold -> the step that put it there."""
        choice: dict[int, Step | None] = {package: None}
        """What it holds -> the nearest step above it that took the one clean provider of a
        mixed group: what a tainted provider would replace."""
        apart_held: list[int] = [package] if package in apart_from else []
        waiting: list[tuple[int, Group]] = []
        queue: deque[tuple[int, Sequence[Group]]] = deque([(package, groups)])

        # Apart is mutual between binary packages; a source package's BuildConflicts go one way.
        own_conflicts = apart_from.get(package)

        def against(member: int) -> list[int]:
            mine = apart_from.get(member)
            found = [] if mine is None else [one for one in apart_held if one in mine]
            if own_conflicts is not None and package not in found and member in own_conflicts:
                found.append(package)
            return found

        def take(owner: int, group: Group, members: list[int]) -> NoCleanWay | None:
            """``owner`` must meet ``group`` with one of ``members`` (its clean ones left)."""
            usable = [member for member in members if not against(member)]
            mixed = len(self.clean(group)) < len(group.members)
            if len(usable) > 1:
                waiting.append((owner, group))
                return None
            if not usable:
                conflicting = [one for member in members for one in against(member)]
                # The choice a tainted provider would undo: this group's, the one above its
                # owner, else the one above what rules its providers out.
                other: list[int] = conflicting
                blamed = (owner, group) if mixed else _where(choice[owner])
                if blamed is None:
                    blamed = next((_where(choice[one]) for one in conflicting if choice[one]), None)
                    other = members
                if blamed is None:
                    raise _NotInstallable  # tainted or not: not this module's answer
                if not any(not against(one) for one in blamed[1].members if one in self.tainted):
                    raise _NotInstallable  # nor with a tainted provider, as far as this shows
                return self._answer(package, held, *blamed, other)
            target = usable[0]
            step = Step(owner, group, target)
            held[target] = step
            choice[target] = step if mixed else choice[owner]
            if target in apart_from:
                apart_held.append(target)
            if not self.inert(target):
                queue.append((target, runtime.get(target, ())))
            return None

        # The mixed groups wait until what holds whatever is tainted is taken: a package that
        # cannot be installed at all (it needs a package that conflicts with it) is not this
        # module's answer, whichever group the walk would have met first.
        deferred: list[tuple[int, Group]] = []
        try:
            return self._propagate(take, queue, waiting, deferred, held)
        except _NotInstallable:
            return None

    def _propagate(
        self,
        take: Callable[[int, Group, list[int]], NoCleanWay | None],
        queue: deque[tuple[int, Sequence[Group]]],
        waiting: list[tuple[int, Group]],
        deferred: list[tuple[int, Group]],
        held: Container[int],
    ) -> NoCleanWay | None:
        """`ask`'s walk: take what holds whatever is tainted, then the mixed groups, until
        nothing more is taken (None) or a requirement is left with tainted providers only."""
        while True:
            while queue:
                owner, owner_groups = queue.popleft()
                self.steps += len(owner_groups)
                for group in owner_groups:
                    if not self.binds(group) or any(member in held for member in group.members):
                        continue
                    clean = self.clean(group)
                    if not clean:
                        continue  # all tainted: the owner is tainted already, or lacking on some hosts
                    if len(clean) < len(group.members):
                        deferred.append((owner, group))
                        continue
                    answer = take(owner, group, clean)
                    if answer is not None:
                        return answer
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

    def _retake(
        self,
        take: Callable[[int, Group, list[int]], NoCleanWay | None],
        pending: list[tuple[int, Group]],
        held: Container[int],
    ) -> NoCleanWay | None:
        """Take again each of ``pending`` (emptied) that nothing held meets yet."""
        items, pending[:] = list(pending), []
        for owner, group in items:
            if not any(member in held for member in group.members):
                answer = take(owner, group, self.clean(group))
                if answer is not None:
                    return answer
        return None

    def _answer(
        self, package: int, held: Mapping[int, Step | None], owner: int, group: Group, against: list[int]
    ) -> NoCleanWay:
        """The answer that ``owner``'s ``group`` has no clean way in ``package``'s installation."""
        steps: list[Step] = []
        node = owner
        while node != package:
            step = held[node]
            assert step is not None  # only the package itself was held with no step
            steps.append(step)
            node = step.owner
        steps.reverse()
        tainted = self.tainted
        clean = self.clean(group)
        return NoCleanWay(
            package,
            tuple(steps),
            owner,
            group,
            tuple(member for member in group.members if member in tainted),
            tuple(clean),
            tuple(dict.fromkeys(against)),
        )


class _NotInstallable(Exception):
    """`ask` found the package not installable with its tainted providers either."""


def _where(step: Step | None) -> tuple[int, Group] | None:
    return None if step is None else (step.owner, step.group)
