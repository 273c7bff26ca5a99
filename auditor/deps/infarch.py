"""The packages of an inferior architecture an installation bans: libsolv's infarch rule.

libsolv, set up as dnf sets it, ranks a host's architectures (x86_64 before athlon, i686,
i586...: `auditor.deps.provides.HOST_ARCHES`, each rank a colour of its own). Before it solves,
it gathers every package an installation may reach: the package asked for, then every
provider of every requirement of each package gathered, whichever it would choose, and the
packages whose Supplements or Enhances name one gathered (``solver_addpkgrulesforsolvable``,
``solver_addpkgrulesforweak``). For each name, the best architecture among the gathered
packages of that name wins, and a package of a worse one is installed only in lock-step with a
package of its name and EVR of that best architecture, or noarch (``solver_addinfarchrules``).
With no such twin it is banned: ``lib-1.i686`` is never installed where ``lib-2.x86_64`` is
within reach, even when the walk that would take ``lib-1.i686`` never takes ``lib-2.x86_64``
(rpm-md hunt, ``archmix`` 143: a clean way through ``lib-1.i686`` that libsolv never takes).

That ban is the asked package's, not a pair's: the graph keeps it beside what is apart from what
(`auditor.deps.graph.DependencyGraph.bans`), and only the walk of the package asked reads it
(`auditor.deps.coinstall.HeldApart`). A package held in a walk bans nothing by itself: the
package asked reaches all it reaches, so its own ban already holds. What is not read:

- the package asked bans nothing of its own name: an install job lifts the rule for its name
  when the package itself is of a worse architecture (``jobtodisablelist``), and otherwise
  its name's other packages are apart from it already (`auditor.deps.coinstall.SameName`);
  the packages whose own installation would ban them are `Bans.themselves`, whose verdict
  `auditor.deps.lifting` reads with the rule lifted for their name;
- a lock-step twin of an architecture other than the host's (an i586 package beside an i686
  twin, no x86_64 package of the name within reach): only the host's twins are required
  (`auditor.deps.hosts.lock_step_twins`).

Reach is worked out backwards, from each banned package and from its name's better packages,
and only where a name has packages of two ranks with no twin between them: a run with no
multilib package (most) pays one pass over its packages.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

from auditor.deps.provides import ARCH_POLICIES, HOST_ARCHES, ONLY_YUM_INSTALLS
from auditor.deps.resolution import Resolution
from auditor.rpm.model import Dependency, Package
from auditor.rpm.package_fields import DependencyKind

_PULLED_BY = (DependencyKind.SUPPLEMENTS, DependencyKind.ENHANCES)

Resolve = Callable[[Dependency, DependencyKind], Resolution]
"""`auditor.deps.resolve.Resolver.resolve`: a run resolves weak dependencies only when asked."""


def ranks(host: str) -> dict[str, int]:
    """The architectures ``host`` installs, by libsolv's rank (0 is the best; noarch has none)."""
    arches = HOST_ARCHES.get(host) or ARCH_POLICIES.get(host, host).split(":")
    return {arch: rank for rank, arch in enumerate(one for one in arches if one != "noarch")}


class Bans(dict[int, frozenset[int]]):
    """`banned_by`'s answer: package -> the packages of a worse architecture its installation bans."""

    themselves: frozenset[int] = frozenset()
    """The packages of a worse architecture whose own installation reaches a better package of
    their name of another EVR, on each host that ranks theirs below the best: asked for itself,
    such a package lifts the rule for its name (``jobtodisablelist``)."""


def banned_by(
    packages: Sequence[Package],
    requirements: Mapping[int, list[Resolution]],
    installable: Collection[int],
    hosts: Sequence[str],
    resolve: Resolve | None = None,
) -> Bans:
    """Package -> the packages of a worse architecture its installation bans, on some host of
    ``hosts`` (none: x86_64, the default host). ``resolve`` meets the Supplements and Enhances
    of the packages (None: their resolutions in ``requirements``, when the run made them)."""
    found: dict[int, set[int]] = {}
    own: dict[int, set[str]] = {}  # package -> the hosts on which its own installation bans it
    counted = [host for host in dict.fromkeys(hosts or ("x86_64",)) if host not in ONLY_YUM_INSTALLS]
    for host in counted:  # yum has no such rule
        rank = ranks(host)
        # A source package's arch ("src") has no rank; noarch has none either.
        lower = {packages[i].name for i in installable if rank.get(packages[i].arch, 0)}
        if not lower:
            continue  # a run with no package of a worse architecture (most): one pass
        on_host = [i for i in installable if packages[i].arch in rank or packages[i].arch == "noarch"]
        # name -> rank -> its packages of that rank, for the names with a package of a worse one
        named: dict[str, dict[int, list[int]]] = {}
        for index in on_host:
            package = packages[index]
            if package.name in lower and package.arch != "noarch":
                named.setdefault(package.name, {}).setdefault(rank[package.arch], []).append(index)
        lonely = _without_twins(packages, installable, {n: r for n, r in named.items() if len(r) > 1})
        if not lonely:
            continue  # every package of a worse architecture has its twins
        reaching = _Reach(packages, requirements, on_host, resolve)
        for name, worse in lonely.items():
            best_reach: dict[int, set[int]] = {}  # rank -> what reaches a package of it first
            seen: set[int] = set()
            for better in sorted(named[name]):
                reach = reaching.of(named[name][better]) - seen
                seen |= reach
                best_reach[better] = reach
            for index, bad_ranks in worse:
                banning = set().union(*(best_reach[one] for one in bad_ranks)) & reaching.of([index])
                if index in banning:
                    own.setdefault(index, set()).add(host)
                for asker in banning:
                    if packages[asker].name != name or packages[asker].is_source:
                        found.setdefault(asker, set()).add(index)
    # One set for the packages that ban the same ones (most ban what their common needs reach).
    shared: dict[frozenset[int], frozenset[int]] = {}
    answer = Bans((one, shared.setdefault(frozenset(bans), frozenset(bans))) for one, bans in found.items())
    answer.themselves = frozenset(
        index
        for index, on in own.items()
        if all(host in on for host in counted if ranks(host).get(packages[index].arch, 0))
    )
    return answer


def _without_twins(
    packages: Sequence[Package],
    installable: Collection[int],
    named: Mapping[str, Mapping[int, list[int]]],
) -> dict[str, list[tuple[int, list[int]]]]:
    """name -> each of its packages of a worse rank than its best, with the better ranks in
    which it has no twin (a package of its EVR): where one of those is the best within reach,
    it is banned. A twin of its EVR in noarch saves it from every rank."""
    found: dict[str, list[tuple[int, list[int]]]] = {}
    noarch: dict[str, set[tuple[int, str, str]]] = {}
    if named:
        for index in installable:
            package = packages[index]
            if package.arch == "noarch" and package.name in named and not package.is_source:
                noarch.setdefault(package.name, set()).add(_evr(package))
    for name, by_rank in named.items():
        evrs = {one: {_evr(packages[index]) for index in members} for one, members in by_rank.items()}
        for own_rank, members in by_rank.items():
            for index in members:
                evr = _evr(packages[index])
                if evr in noarch.get(name, ()):
                    continue
                bad = [one for one in by_rank if one < own_rank and evr not in evrs[one]]
                if bad:
                    found.setdefault(name, []).append((index, bad))
    return found


def _evr(package: Package) -> tuple[int, str, str]:
    return (package.epoch or 0, package.version, package.release)


class _Reach:
    """What reaches a package, as libsolv gathers an installation: each package's requirements'
    providers, and what supplements or enhances it (read backwards, built once)."""

    def __init__(
        self,
        packages: Sequence[Package],
        requirements: Mapping[int, list[Resolution]],
        on_host: Iterable[int],
        resolve: Resolve | None,
    ) -> None:
        kept = set(on_host)
        back = self._back = dict[int, list[int]]()
        for owner, resolutions in requirements.items():
            if owner not in kept and not packages[owner].is_source:
                continue  # a source package's BuildRequires gather its buildroot
            for resolution in resolutions:
                if resolution.kind is DependencyKind.REQUIRES:
                    for group in resolution.groups:
                        if owner in group:
                            continue  # met by the package itself: libsolv gathers no other provider
                        for provider in group:
                            if provider in kept:
                                back.setdefault(provider, []).append(owner)
                elif resolve is None and resolution.kind in _PULLED_BY:
                    self._pulled(owner, resolution, kept)
        if resolve is not None:
            for owner in kept:
                package = packages[owner]
                for kind in _PULLED_BY:
                    for dependency in getattr(package, kind.value):
                        self._pulled(owner, resolve(dependency, kind), kept)

    def _pulled(self, owner: int, resolution: Resolution, kept: Collection[int]) -> None:
        """``owner`` is gathered with any package its Supplements or Enhances names (any one
        of a rich one's: more gathered is more banned, never less)."""
        for named in resolution.providers:
            if named in kept:
                self._back.setdefault(owner, []).append(named)

    def of(self, targets: Iterable[int]) -> set[int]:
        """The packages whose installation gathers one of ``targets`` (them included)."""
        found = set(targets)
        stack = list(found)
        back = self._back
        while stack:
            for one in back.get(stack.pop(), ()):
                if one not in found:
                    found.add(one)
                    stack.append(one)
        return found
