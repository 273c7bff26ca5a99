"""Which providers dnf would never install for a package: no alternative for its requirements.

- dnf (libsolv) never installs both packages of a Conflicts (a rich one as libsolv reads it:
  `auditor.deps.rich`) or of an Obsoletes, whichever of the two declares it (`incompatible`);
- nor two packages of one name (`SameName`), but installonly ones and multilib pairs;
- nor, with a package, one that cannot be installed with a package it surely needs: the one
  provider of a plain Requires of it (`auditor.deps.sureneeds.needing`): installing it
  installs that one;
- nor a package apart from one it surely needs, or whose surely needed packages are apart
  from each other (`auditor.deps.sureneeds.uninstallable`): dnf can never install it;
- a host installs packages of its own architecture family only
  (`auditor.deps.provides.Architectures`): an x86_64 package is never satisfied by an aarch64
  one.

A clean provider in one of these positions cannot spare a package a tainted one
(`auditor.deps.graph`). What is not here, on purpose:
- a provider whose own requirements are unresolved: a run often leaves out the base
  distribution, and then every package looks broken; leaving such a tainted provider out
  would clean what depends on it;
- a provider another provider obsoletes: libsolv prefers the obsoleting one, but installs
  the other when that one is excluded, so the other is still a way around it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Container, Mapping, Sequence
from collections.abc import Set as AbstractSet

from auditor.deps.resolution import Match
from auditor.rpm.model import Package, PackageKind
from auditor.rpm.package_fields import DependencyKind


def incompatible(
    packages: Sequence[Package], matches: Mapping[int, list[Match]], lifted: str | None = None
) -> dict[int, Apart]:
    """package -> the providers it can never be installed with, for the few packages that have any.

    libsolv forbids installing both packages of a Conflicts or of an Obsoletes (by name, as
    ``Resolver.obsoleted`` matches), whichever of the two declares it: a clean provider that
    the package conflicts with or obsoletes cannot spare it a tainted one. A source package's
    Conflicts are its BuildConflicts: they keep a provider out of its buildroot, and nothing
    is installed with the source package itself, so they go one way only.

    Nothing is listed pair by pair: n packages obsoleting the n versions of one name share one
    match (`Resolver.obsoleted`), and each `Apart` refers to that match's packages and to the
    set of its owners (`_Shared`) instead of copying them, n x n entries. ``lifted``: a name
    whose multilib pairs are apart from nothing (`SameName`).
    """
    siblings = SameName(packages, lifted)
    found: dict[int, Apart] = {index: Apart(index, siblings) for index in siblings.apart_from_some()}
    shared: dict[int, _Shared] = {}
    """id of a match's packages (alive in ``matches``) -> what the packages apart through it share."""
    for owner, owner_matches in matches.items():
        source = packages[owner].is_source
        referred: set[int] = set()  # the same match written twice is one reference
        for match in owner_matches:
            if source and match.kind is not DependencyKind.CONFLICTS:
                continue
            matched = match.packages
            if not matched or id(matched) in referred:
                continue
            referred.add(id(matched))
            group = shared.get(id(matched))
            if group is None:
                group = shared[id(matched)] = _Shared(matched)
            if len(matched) == 1 and owner in group.members:
                continue  # rpm ignores a package's conflict with its own provides
            _apart(found, owner, siblings).refer(group.members)
            if not source:
                group.add_owner(owner, found, siblings)
    return found


_HASHED_UP_TO = 64
"""A match of up to this many packages is asked as a set; a larger one bisects its sorted tuple.
n packages each obsoleting ``x < 1.0-K`` over n versions of ``x`` match n different prefixes:
as sets they held n x n / 2 entries (250 MB for 3,000), as the tuples the resolver made, nothing more."""


class _Sorted(Container[int]):
    """A large match's packages, sorted as `Resolver` gives them, asked by bisection."""

    __slots__ = ("items",)

    def __init__(self, items: tuple[int, ...]) -> None:
        self.items = items

    def __contains__(self, other: object) -> bool:
        items = self.items
        if not isinstance(other, int):
            return False
        position = bisect_left(items, other)
        return position < len(items) and items[position] == other

    def __len__(self) -> int:
        return len(self.items)


class _Shared:
    """The packages of one match (shared by every package that declares it), and the binary
    packages that declare it: each of them is apart from each of the others (not from itself)."""

    __slots__ = ("matched", "members", "owners")

    def __init__(self, matched: tuple[int, ...]) -> None:
        self.matched = matched
        self.members: Container[int] = (
            frozenset(matched) if len(matched) <= _HASHED_UP_TO else _Sorted(matched)
        )
        self.owners: set[int] = set()

    def add_owner(self, owner: int, found: dict[int, Apart], siblings: SameName) -> None:
        """``owner`` (a binary package) declares the match: each member is apart from it."""
        owners = self.owners
        if not owners:
            # Once, with the first owner: the members refer to the owners, the later ones too.
            # An owner that is a member is apart from the others (never from itself, `Apart`),
            # and has its `Apart` already: its match holds another package.
            # `_apart` and `Apart.refer` written out: n matches of n packages run this n x n / 2 times.
            known = found.get
            for member in self.matched:
                apart = known(member)
                if apart is None:
                    apart = found[member] = Apart(member, siblings)
                apart.among.append(owners)
        owners.add(owner)


class Joint(Container[int]):
    """The packages apart from any of several packages."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[Apart, ...]) -> None:
        self.parts = parts

    def __contains__(self, other: object) -> bool:
        return any(other in part for part in self.parts)


def shared_answers(apart: Container[int], names: Container[str]) -> frozenset[int] | None:
    """What the answers of ``apart`` (an `Apart` or a `Joint`) for packages called ``names``
    depend on, when it is only the shared sets it refers to: their ids. Two with the same key
    answer alike for them, and one answer serves n packages obsoleting the n providers of a
    requirement they all have. None when an answer depends on its own package: one called one
    of ``names`` is apart from the others of its name (`SameName`), and never from itself."""
    parts = apart.parts if isinstance(apart, Joint) else (apart,) if isinstance(apart, Apart) else None
    if parts is None:
        return None
    key: set[int] = set()
    for part in parts:
        if part.siblings.packages[part.index].name in names:
            return None
        key.update(map(id, part.among))
    return frozenset(key)


def _apart(found: dict[int, Apart], index: int, siblings: SameName) -> Apart:
    apart = found.get(index)
    if apart is None:
        apart = found[index] = Apart(index, siblings)
    return apart


class Apart(Container[int]):
    """The packages one package can never be installed with: those a Conflicts or an Obsoletes
    between the two names, and the other packages of its name (`SameName`), asked one by one:
    a name with k versions is never turned into k x k pairs, and neither is a match n packages
    share: ``among`` holds the shared sets (a match's packages, the packages declaring one),
    never their members. A package is never apart from itself."""

    __slots__ = ("among", "index", "siblings")

    def __init__(self, index: int, siblings: SameName) -> None:
        self.index = index
        self.among: list[Container[int]] = []
        """The shared sets it is apart from the members of, each once (`incompatible`): a list,
        where n packages obsoleting n prefixes of one name's versions make n x n / 2
        references, takes a fifth of a dictionary's memory."""
        self.siblings = siblings

    def refer(self, group: Container[int]) -> None:
        """Be apart from the members of ``group`` (but this package): a reference, read when asked."""
        self.among.append(group)

    def __contains__(self, other: object) -> bool:
        if not isinstance(other, int):
            return False
        among = self.among
        if among:  # most are apart from other versions of their name only (`SameName`)
            if other == self.index:
                return False
            for group in among:  # a loop, not any(): this runs per provider per package
                if other in group:
                    return True
        return self.siblings.apart(self.index, other)  # never apart from itself either

    def among_held(self, held: AbstractSet[int], named: Mapping[str, Sequence[int]]) -> list[int]:
        """The members of ``held`` it is apart from (``named``: them by name), each once: the
        answer of asking each, with the shared sets met from their smaller side."""
        index, found = self.index, set[int]()
        for group in self.among:  # a set met from its smaller side in C: 46,000 calls on distro-60k
            if isinstance(group, (set, frozenset)):
                found.update(group.intersection(held))
            elif isinstance(group, _Sorted) and len(group) < len(held):
                found.update(one for one in group.items if one in held)
            else:
                found.update(one for one in held if one in group)
        found.discard(index)
        siblings = self.siblings
        found.update(
            one for one in named.get(siblings.packages[index].name, ()) if siblings.apart(index, one)
        )
        return list(found)

    def apart_from_any(self, others: frozenset[int], by_name: Mapping[str, Sequence[int]]) -> bool:
        """Whether the package is apart from one of ``others`` (``by_name``: them by name).

        The same answer as asking each of them, with the shared sets met as sets: asked for
        each package apart from some against a few dozen others, one by one took 0.1 s on
        distro-60k (`auditor.deps.cleanway`)."""
        index = self.index
        for group in self.among:
            if isinstance(group, (set, frozenset)):
                if not group.isdisjoint(others) and (index not in others or (group & others) - {index}):
                    return True
            elif any(other != index and other in group for other in others):
                return True
        siblings = self.siblings
        named = by_name.get(siblings.packages[index].name, ())
        return any(siblings.apart(index, other) for other in named)


class HeldApart:
    """What a walk holds of the packages apart from some, asked which of them rule one out: a
    walk of a repository where every name has versions holds thousands, and asking each of them
    for each provider taken took 10 s of a 30,000-package audit (three versions of each name),
    where the ones of the provider's name and the members of its shared sets are few."""

    __slots__ = ("_apart_from", "_bans", "_held", "_known", "_named", "_order", "_own", "_package")

    def __init__(
        self, apart_from: Mapping[int, Apart], package: int, bans: AbstractSet[int] | None = None
    ) -> None:
        """``package``: the one asked, held first, whose own `Apart` is asked from its side, and
        ``bans``, the packages its own installation bans (`auditor.deps.infarch`): a package
        held bans nothing, as the one asked reaches all it reaches (or lifts the ban)."""
        self._apart_from, self._package = apart_from, package
        self._own = apart_from.get(package)
        self._bans = bans
        self._held: set[int] = set()
        self._named: dict[str, list[int]] = {}
        self._order: dict[int, int] = {}
        """held -> when it was taken: answers in that order, as a walk through them in turn gave."""
        self._known: dict[int, tuple[int, list[int]]] = {}
        """member -> how many it held when `against` answered for it, and the answer: the same
        until it holds more (a walk asks again each choice's members, 70,000 of distro-60k's
        185,000 questions)."""

    def __len__(self) -> int:
        """How many packages apart from some it holds: `against` answers alike until it grows."""
        return len(self._held)

    def add(self, one: int) -> None:
        """``one`` is held (taken once)."""
        apart = self._apart_from.get(one)
        if apart is not None and one != self._package:
            self._held.add(one)
            self._order[one] = len(self._order)
            self._named.setdefault(apart.siblings.packages[one].name, []).append(one)

    def against(self, member: int) -> list[int]:
        """The held packages ``member`` can never be installed with, asked from its side (its
        `Apart`), and the package asked, when its own `Apart` holds ``member`` (its
        BuildConflicts go one way, as `SameName` does for a 32-bit package). Not to be changed:
        the answer is kept for the next question (`_known`)."""
        held = self._held
        known = self._known.get(member)
        if known is not None and known[0] == len(held):
            return known[1]
        found: list[int] = []
        mine = self._apart_from.get(member)
        if mine is not None and held:
            found = mine.among_held(held, self._named)
            if len(found) > 1:
                found.sort(key=self._order.__getitem__)
        own = self._own
        if (own is not None and member in own) or (self._bans and member in self._bans):
            found.append(self._package)
        self._known[member] = (len(held), found)
        return found


INSTALLONLY_PROVIDES = frozenset(
    ("kernel", "kernel-PAE", "installonlypkg(kernel)", "installonlypkg(kernel-module)",
     "installonlypkg(vm)", "multiversion(kernel)")
)  # fmt: skip
"""dnf's default ``installonlypkgs`` (dnf.const.INSTALLONLYPKGS, libdnf's ConfigMain): the
packages providing one of these are installed side by side, version after version
(Fedora's kernel-core provides ``installonlypkg(kernel)``)."""


class SameName:
    """Which other binary packages of its name a package can never be installed with.

    libsolv never installs two packages of one name (its implicit obsoletes), so a newer
    version of a package is no alternative for the older one's requirement. dnf makes two
    exceptions: installonly packages (both must be: `INSTALLONLY_PROVIDES`), and, as dnf sets
    libsolv's ``implicitobsoleteusescolors``, a multilib pair: a 64-bit and a 32-bit package
    (x86_64 and i686). Of different versions, the 32-bit one never comes as a dependency beside
    the 64-bit one (libsolv's infarch rule), but asked for itself it takes the 64-bit one as a
    dependency (an install job lifts that rule for its name): ``apart`` is asked from the first
    package's side (dnf and libsolv, checked in tests/deps/test_same_name.py).

    The relation is answered for one pair at a time (`apart`), never listed: all versions ever
    built of one name (a vault of kernels) are thousands of packages, and millions of pairs.
    """

    SMALL = 16
    """A name with at most this many binary packages is checked pair by pair in
    `apart_from_some`; a larger one counts every package of it as apart from some."""

    def __init__(self, packages: Sequence[Package], lifted: str | None = None) -> None:
        """``lifted``: the name of a package of a worse architecture asked for itself, whose
        install job lifts the infarch rule for its name (`auditor.deps.lifting`)."""
        self.packages = packages
        self.lifted = lifted
        self._installonly: dict[int, bool] = {}

    def apart(self, first: int, second: int) -> bool:
        """Whether ``second``, of the name of ``first``, is never installed beside ``first``."""
        packages = self.packages
        one, other = packages[first], packages[second]
        if first == second or one.name != other.name or one.is_source or other.is_source:
            return False
        if self.installonly(first) and self.installonly(second):
            return False
        if colour(one.arch) & colour(other.arch):
            return True
        # the 32-bit one as a dependency, unless the rule is lifted for the name
        return colour(other.arch) == 1 and multilib_of_versions(one, other) and one.name != self.lifted

    def installonly(self, index: int) -> bool:
        found = self._installonly.get(index)
        if found is None:
            found = self._installonly[index] = _installonly(self.packages[index])
        return found

    def apart_from_some(self) -> set[int]:
        """The binary packages apart from at least one other of their name (of a name with more
        than `SMALL` packages, all of them: asking `apart` is what counts)."""
        by_name: dict[str, list[int]] = {}
        source = PackageKind.SOURCE
        for index, package in enumerate(self.packages):
            if package.kind is not source:
                by_name.setdefault(package.name, []).append(index)
        found: set[int] = set()
        for indexes in by_name.values():
            if len(indexes) < 2:
                continue  # most names: one package, apart from no other
            if len(indexes) > self.SMALL:
                found.update(indexes)
                continue
            for position, first in enumerate(indexes):
                for second in indexes[position + 1 :]:
                    if self.apart(first, second):
                        found.add(first)
                    if self.apart(second, first):
                        found.add(second)
        return found


def _installonly(package: Package) -> bool:
    return package.name in INSTALLONLY_PROVIDES or any(
        provide.name in INSTALLONLY_PROVIDES for provide in package.provides
    )


def multilib_of_versions(one: Package, other: Package) -> bool:
    """Whether two packages (of one name) are of disjoint colours and different versions: the
    pair `SameName.apart` reads one way only, the 32-bit one taking the 64-bit one when asked for."""
    if colour(one.arch) & colour(other.arch):
        return False
    return (one.epoch or 0, one.version, one.release) != (other.epoch or 0, other.version, other.release)


def colour(arch: str) -> int:
    """libsolv's colour of an architecture (``pool_arch2color``): 64-bit ones 2, 32-bit ones 1,
    noarch every colour; packages of one name and of disjoint colours are a multilib pair."""
    if arch == "noarch":
        return 3
    return 2 if arch == "s390x" or "64" in arch else 1
