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

Only requirements that have both a tainted and a clean provider (``mixed``: a distribution of
60,000 packages has 30) can make the answer differ, and only a pair of packages apart (a
Conflicts, an Obsoletes, one name) can rule a clean provider out. So a package is asked only
when it surely reaches (one sole clean provider after another) the owner of a mixed group,
and also a package apart from what that group's clean providers are, surely hold, or choose
among (or must choose among such packages). Asking each of the 8,600 packages that reach a
mixed group took 10 s on distro-60k; these are 57, and the whole takes about 0.2 s. What only
shows once a first conflict has narrowed a choice to one, which then leads to a second
conflict, can be missed by that screen: it stays ``may-depend``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass

from auditor.deps.coinstall import Apart
from auditor.deps.edges import Edges
from auditor.deps.hops import Group
from auditor.deps.sureneeds import conditional
from auditor.rpm.deps import parse

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
) -> CleanWays:
    """The packages outside ``tainted`` that no installation (a binary) or buildroot (a source
    package, from ``build``) holds without a tainted package, and why.

    ``edges`` are the reverse edges of ``runtime`` (`auditor.deps.edges.reverse`). A member of
    ``partly`` (a package some hosts lack) is no clean provider, as in `least_fixed_point`.
    ``build`` is asked only where each source package has one set of groups: pass none when
    the run builds on several hosts (a group per host, which one installation never holds
    together).
    """
    search = _Search(runtime, tainted, apart_from, partly)
    mixed = search.mixed_groups(edges)
    relevant = search.relevant(edges, mixed)
    if not relevant:
        return CleanWays({})  # nothing a mixed group leads to is apart from anything: nothing is ruled out
    candidates = search.reaching(edges, {owner for number in mixed for owner in edges.owners[number]})
    holding = search.reaching(edges, search.holding(edges, relevant))
    asked: dict[int, Sequence[Group]] = {
        package: runtime[package]
        for package in sorted(candidates & holding)
        if package in runtime and package not in tainted
    }
    for source, groups in build.items():
        if source in tainted or not any(search.leads_to(group, candidates) for group in groups):
            continue
        if source in relevant or any(search.leads_to(group, holding, relevant) for group in groups):
            asked[source] = groups
    found: dict[int, NoCleanWay] = {}
    order = list(asked)
    for position, package in enumerate(order):
        if search.steps > STEPS:
            return CleanWays(found, frozenset(order[position:]))
        answer = search.ask(package, asked[package])
        if answer is not None:
            found[package] = answer
    return CleanWays(found)


class _Search:
    """The questions of one `without_clean_way` over one tainted set."""

    def __init__(
        self,
        runtime: Mapping[int, Sequence[Group]],
        tainted: Container[int],
        apart_from: Mapping[int, Apart],
        partly: Container[int],
    ) -> None:
        self.runtime = runtime
        self.tainted = tainted
        self.apart_from = apart_from
        self.partly = partly
        self.near: set[int] = set()
        """What the clean providers of mixed groups are, surely hold, or may choose among, of
        the packages apart from some (`relevant`)."""
        self.steps = 0
        """The requirements `ask` has met so far (`STEPS`)."""
        self._inert: dict[int, bool] = {}
        """package -> `inert`."""
        self._clean: dict[int, list[int]] = {}
        """id of a group -> `clean`: a group is shared by every package with its requirement."""
        self._binding: dict[int, bool] = {}
        """id of a group -> whether it binds whatever else holds (`_binds`)."""

    def clean(self, group: Group) -> list[int]:
        """The members of ``group`` that are a clean way: neither tainted nor lacking on some hosts."""
        key = id(group)
        found = self._clean.get(key)
        if found is None:
            tainted, partly = self.tainted, self.partly
            found = self._clean[key] = [m for m in group.members if m not in tainted and m not in partly]
        return found

    def mixed(self, group: Group) -> bool:
        members = group.members
        tainted = self.tainted
        return any(member in tainted for member in members) and len(self.clean(group)) > 0

    def binds(self, group: Group) -> bool:
        """Whether ``group`` must be met by every installation of its owner: a Requires (or
        BuildRequires) read exactly, under no ``if`` or ``unless`` (the two sides of a
        condition are not both needed)."""
        key = id(group)
        known = self._binding.get(key)
        if known is None:
            dependency = group.dependency
            known = not group.rough and (not dependency.is_rich or not conditional(parse(dependency.name)))
            self._binding[key] = known
        return known

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

    def relevant(self, edges: Edges, mixed: Sequence[int]) -> set[int]:
        """The packages whose being held beside a mixed group can rule out its clean way: those
        apart from a package that its clean providers are, surely hold, or may choose among.
        Empty when there is none, as on most runs."""
        apart_from, runtime = self.apart_from, self.runtime
        chosen: set[int] = set()
        near: set[int] = set()
        for number in mixed:
            clean = self.clean(edges.groups[number])
            if len(clean) == 1:
                chosen.add(clean[0])
            else:
                near.update(member for member in clean if member in apart_from)
        # What the sole clean providers surely hold, and the choices that leaves open.
        walked = set(chosen)
        stack = list(chosen)
        while stack:
            node = stack.pop()
            if node in apart_from:
                near.add(node)
            for group in runtime.get(node, ()):
                if not self.binds(group):
                    continue
                clean = self.clean(group)
                if len(clean) == 1:
                    if clean[0] not in walked:
                        walked.add(clean[0])
                        stack.append(clean[0])
                else:
                    near.update(member for member in clean if member in apart_from)
        self.near = near
        if not near:
            return set()
        # Only the other side of a pair: a package holds ``near`` through the mixed group
        # already, and the near packages of most runs are depended on by every package. The
        # near packages are binaries, and apart is mutual between binaries: asking one way
        # is enough (a source package's BuildConflicts are its own way).
        others = frozenset(near)
        by_name: dict[str, list[int]] = {}
        packages = apart_from[next(iter(near))].siblings.packages
        for other in near:
            by_name.setdefault(packages[other].name, []).append(other)
        return {one for one, apart in apart_from.items() if apart.apart_from_any(others, by_name)}

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

    def reaching(self, edges: Edges, ends: set[int]) -> set[int]:
        """``ends`` and the packages that surely hold one of them (one sole clean provider after
        another), outside the tainted ones."""
        tainted = self.tainted
        found = {end for end in ends if end not in tainted}
        queue = deque(found)
        while queue:
            node = queue.popleft()
            for number in edges.of_member.get(node, ()):
                if self.sole(edges.groups[number]) != node:
                    continue
                for owner in edges.owners[number]:
                    if owner not in found and owner not in tainted:
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

    def inert(self, node: int) -> bool:
        """Whether nothing ``node`` surely holds can rule a clean provider out, or be ruled out:
        it and all it surely holds are apart from nothing, and none of them has a mixed group
        or a choice among packages apart from some. `ask` takes such a package without walking
        what it holds: n packages asked that hold one long chain walked it n times (2,000 x
        2,000: 20 s). Not walking it loses nothing: none of it is ever ruled out, so a group it
        would meet keeps a usable member. Worked out once per package, in postorder; a
        dependency cycle is taken as not inert, which only walks more."""
        found = self._inert
        known = found.get(node)
        if known is not None:
            return known
        apart_from, runtime = self.apart_from, self.runtime
        needs: dict[int, list[int] | None] = {}
        """node on the walk -> what it surely holds, or None when it is not inert itself."""

        def sure_needs(one: int) -> list[int] | None:
            if one in apart_from:
                return None
            sole: list[int] = []
            for group in runtime.get(one, ()):
                if not self.binds(group):
                    continue
                clean = self.clean(group)
                if len(clean) < len(group.members):
                    return None  # a tainted (or on some hosts lacking) member: a choice for `ask`
                if len(clean) == 1:
                    sole.append(clean[0])
                elif any(member in apart_from for member in clean):
                    return None
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
            still, waiting[:] = list(waiting), []
            for owner, group in still:
                if any(member in held for member in group.members):
                    continue
                answer = take(owner, group, self.clean(group))
                if answer is not None:
                    return answer
            if queue:
                continue
            if not deferred:
                return None
            mixed, deferred[:] = list(deferred), []
            for owner, group in mixed:
                if any(member in held for member in group.members):
                    continue
                answer = take(owner, group, self.clean(group))
                if answer is not None:
                    return answer

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
