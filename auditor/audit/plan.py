"""The independence plan: which origin packages to replace first, and what is avoidable now.

Origin packages are grouped by source package (replacing a source replaces every binary
built from it) and ranked by how many packages they hold back: the packages whose worst
taint (``depends``, which the gate blocks by default, else ``build-depends``) would clear if
that one group were clean. That is computed on the graph by propagating again without the
group's evidence, so it counts exactly the packages that have no other tainted way out.

`DependentsFinder` gives, for one group, every package that needs it and the chain from each:
what a person looks at to see why that group holds so much back.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from auditor.audit.result import AuditResult
from auditor.deps.edges import reverse
from auditor.deps.hops import Group, Hop, HopKind
from auditor.deps.spread import Spread, origin_of, reach_of, spread, spread_without
from auditor.deps.spread import reach_of as needed_by  # the plan's scope, apart from what it asks
from auditor.origin.findings import Verdict
from auditor.rpm.package_fields import DependencyKind


@dataclass
class PlanItem:
    source: str
    """The source package name (or the binary's name when its source is not in the run)."""
    packages: list[int]
    """Ids of the group's origin packages."""
    holds_back: list[int]
    """Ids of audited packages whose worst taint (depends, else build-depends) clears once the
    group is clean."""
    replacements: list[str]
    """Known replacements, from the policy's component rules."""
    obsoleted_by: list[int]
    """Ids of packages in the run that obsolete one of the group (a replacement already present)."""


@dataclass
class Plan:
    items: list[PlanItem] = field(default_factory=list)
    avoidable: list[int] = field(default_factory=list)
    """Ids of may-depend packages: a clean alternative exists for every tainted requirement."""
    needs_more: list[int] = field(default_factory=list)
    """depends/build-depends packages no single replacement clears: a rebuild or several replacements."""


def make_plan(audit: AuditResult) -> Plan:
    verdicts = {result.index: result.verdict for result in audit.results}
    origin = {index for index, items in audit.findings.items() if any(f.effective for f in items)}
    groups: dict[str, list[int]] = {}
    # A context package (--with), or one --roots leaves out, is in the plan only when an audited
    # package may need it: CentOS's firmware, or a Citrix package of a repository read as
    # context, that nothing audited installs is no step of this distribution's independence.
    if not origin.issubset(verdicts):
        origin &= needed_by(audit.graph, verdicts)
    for index in sorted(origin):
        package = audit.packages[index]
        groups.setdefault(package.source_name or package.name, []).append(index)
    held = {
        index for index, verdict in verdicts.items() if verdict in (Verdict.DEPENDS, Verdict.BUILD_DEPENDS)
    }
    cleared_somewhere: set[int] = set()
    plan = Plan()
    obsoleted = _obsoleted_by(audit)
    components = audit.policy.components()
    edges = reverse(audit.graph.runtime)
    # What every origin package taints together: each group's answer without it differs only
    # among the packages that may need it (`spread_without`).
    every_origin = origin_of(audit.findings)
    whole = spread(audit.graph, every_origin, edges, clean_ways=False).tainted
    for source, members in groups.items():
        member_set = set(members)
        # Only what it taints, not the chains that prove it: asked once per group. Per
        # requirement first: what that keeps tainted, the clean-way check cannot clear (it
        # only adds), so it is asked only when something clears (half of distro-60k's groups).
        # The origin packages left with the group's findings gone: every other one (each
        # group's findings copied and read again: 2,000 groups of 4,000 packages, 73 % of the plan).
        others = every_origin - member_set
        cleared = _cleared(held, verdicts, spread_without(audit.graph, whole, others, member_set, edges))
        if cleared:
            # Asked only where an answer can reach what it counts: a group's check asked the
            # whole graph's questions again (distro-60k: 32 groups, most of the plan's time).
            asking = reach_of(audit.graph, cleared)
            cleared = _cleared(cleared, verdicts, spread(audit.graph, others, edges, asking=asking))
        cleared_somewhere.update(cleared)
        names = {audit.packages[index].name for index in members} | {source}
        replacements = sorted(
            {components[name].replaced_by or "" for name in names if name in components} - {""}
        )
        plan.items.append(
            PlanItem(
                source=source,
                packages=members,
                holds_back=cleared,
                replacements=replacements,
                obsoleted_by=sorted({o for index in members for os in obsoleted.get(index, ()) for o in os}),
            )
        )
    plan.items.sort(key=lambda item: (-len(item.holds_back), item.source))
    plan.avoidable = [r.index for r in audit.results if r.verdict is Verdict.MAY_DEPEND]
    plan.needs_more = [r.index for r in audit.results if r.index in held and r.index not in cleared_somewhere]
    return plan


def _cleared(held: Iterable[int], verdicts: Mapping[int, Verdict], after: Spread) -> list[int]:
    """Of ``held``, those whose worst taint clears ``after`` (depends, which the gate blocks by
    default, else build-depends): a build-depends left by another group does not hide that one
    group alone holds back a depends."""
    return sorted(
        index
        for index in held
        if index not in (after.depends if verdicts[index] is Verdict.DEPENDS else after.blocked)
    )


def _obsoleted_by(audit: AuditResult) -> dict[int, list[list[int]]]:
    """Package -> the lists of packages obsoleting it that dnf installs in its place, one per
    distinct Obsoletes: n packages obsoleting the n versions of one name share one match
    (`Resolver.obsoleted`) and one list here, not n x n entries. None is one its repository's
    configuration hides from dnf (dnf installs the obsoleted one then)."""
    hidden = audit.resolved.hidden
    owners: dict[int, tuple[tuple[int, ...], list[int]]] = {}
    """id of a match's packages (alive in the audit) -> those packages, and who obsoletes them."""
    for index, matches in audit.resolved.matches.items():
        if index in hidden:
            continue
        for match in matches:
            if match.kind is DependencyKind.OBSOLETES:
                shared = owners.get(id(match.packages))
                if shared is None:
                    shared = owners[id(match.packages)] = (match.packages, [])
                shared[1].append(index)
    found: dict[int, list[list[int]]] = {}
    for targets, obsoleting in owners.values():
        for target in targets:
            found.setdefault(target, []).append(obsoleting)
    return found


@dataclass(frozen=True)
class Dependents:
    """The packages that need one origin group, each with its shortest way there.

    A tree rooted at the group's packages: every tainted package that reaches one of them
    through tainted packages, with the hop that takes it one step closer. Following ``toward``
    from any package gives its chain to the group. One kind of chain runs through untainted
    packages: a source whose buildroot needs a blocked binary (built only with what is tainted)
    through a clean one's Requires (`auditor.deps.spread`); those are in ``through``.
    """

    members: tuple[int, ...]
    toward: dict[int, Hop]
    """Dependent -> the hop one step closer to the group (members have none)."""
    distance: dict[int, int]
    """Hops to the group: 0 for its members."""
    through: frozenset[int] = frozenset()
    """The untainted packages of ``toward``: on a build chain, needing nothing tainted themselves."""

    def chain(self, index: int) -> tuple[Hop, ...]:
        hops: list[Hop] = []
        while index in self.toward:
            hop = self.toward[index]
            hops.append(hop)
            index = hop.target
        return tuple(hops)


class DependentsFinder:
    """`Dependents` of any group of one audit: the reverse edges between tainted packages, built once."""

    def __init__(self, audit: AuditResult) -> None:
        graph, tainted = audit.graph, audit.tainted
        self._tainted, self._carriers = tainted, _carriers(audit)
        # member -> (owner, kind, requirement, alternatives, tainted alternatives, providers left
        # out: the owner cannot be installed with them), owners tainted only.
        self._reverse: dict[int, list[tuple[int, HopKind, str, int, int, int]]] = {}
        # id of a group -> its tainted members: a group is shared by every package with its
        # requirement (n packages requiring one capability of n providers: counted once, not n times).
        tainted_members: dict[int, list[int]] = {}
        for groups in (graph.runtime, graph.build):
            for owner, owner_groups in groups.items():
                if owner not in tainted:
                    continue
                for group in owner_groups:
                    members = tainted_members.get(id(group))
                    if members is None:
                        members = tainted_members[id(group)] = [m for m in group.members if m in tainted]
                    count = len(members)
                    requirement = str(group.dependency)
                    for member in members:
                        if member != owner:
                            self._reverse.setdefault(member, []).append(
                                (owner, group.kind, requirement, len(group.members), count, group.excluded)
                            )
        for binary in graph.built_from:
            if binary not in tainted:
                continue
            hop = (binary, HopKind.BUILT_FROM, audit.packages[binary].sourcerpm or "", 1, 1, 0)
            for source in graph.sources_of(binary):
                if source in tainted:
                    self._reverse.setdefault(source, []).append(hop)
        for owner, owner_groups in graph.runtime.items():
            if owner in self._carriers:
                self._add(owner, owner_groups, lambda member: member in tainted or member in self._carriers)
        for owner, owner_groups in graph.build.items():
            if owner in tainted:
                self._add(owner, owner_groups, self._carriers.__contains__)

    def _add(self, owner: int, groups: Iterable[Group], kept: Callable[[int], bool]) -> None:
        """The reverse edges of a chain through an untainted package (`_carriers`)."""
        tainted = self._tainted
        for group in groups:
            count = sum(1 for member in group.members if member in tainted)
            for member in group.members:
                if member != owner and kept(member):
                    self._reverse.setdefault(member, []).append(
                        (owner, group.kind, str(group.dependency), len(group.members), count, group.excluded)
                    )

    def of(self, members: list[int]) -> Dependents:
        distance = dict.fromkeys(members, 0)
        toward: dict[int, Hop] = {}
        queue = deque(members)
        while queue:
            node = queue.popleft()
            for owner, kind, requirement, alternatives, tainted, excluded in self._reverse.get(node, ()):
                if owner in distance:
                    continue
                distance[owner] = distance[node] + 1
                toward[owner] = Hop(owner, node, kind, requirement, alternatives, tainted, excluded)
                queue.append(owner)
        if not self._carriers:
            return Dependents(tuple(members), toward, distance)
        # An untainted package stays only on the way of a tainted one (the other dependents of a
        # blocked binary, clean, are no dependents of the origin).
        through: set[int] = set()
        for node, hop in toward.items():
            target = hop.target
            while node not in self._carriers and target in self._carriers and target not in through:
                through.add(target)
                target = toward[target].target
        for node in [node for node in toward if node in self._carriers and node not in through]:
            del toward[node], distance[node]
        return Dependents(tuple(members), toward, distance, frozenset(through))


def _carriers(audit: AuditResult) -> frozenset[int]:
    """The untainted packages a build chain runs through: a tainted source package's BuildRequires
    that needs, through untainted packages' Requires, a tainted binary. Only a blocked binary (one
    built only with what is tainted) is needed so: it taints no one at run time, yet a buildroot
    may not hold it. None in a run without one."""
    graph, tainted = audit.graph, audit.tainted
    blocked = Verdict.BUILD_DEPENDS
    if not any(blocked in r.statuses and not r.package.is_source for r in audit.results):
        return frozenset()
    start = {m for o, groups in graph.build.items() if o in tainted for g in groups for m in g.members}
    queue = deque(start - tainted)
    seen, needs_tainted = set(queue), set()
    requirers: dict[int, list[int]] = {}
    while queue:
        node = queue.popleft()
        for group in graph.runtime.get(node, ()):
            for member in group.members:
                if member in tainted:
                    needs_tainted.add(node)
                elif member != node:
                    requirers.setdefault(member, []).append(node)
                    if member not in seen:
                        seen.add(member)
                        queue.append(member)
    found, queue = set(needs_tainted), deque(needs_tainted)
    while queue:
        for owner in requirers.get(queue.popleft(), ()):
            if owner not in found:
                found.add(owner)
                queue.append(owner)
    return frozenset(found)
