"""Which providers of a requirement dnf could install for one package: the graph's groups
narrowed by architecture and by what the package can never be installed with
(`auditor.deps.coinstall`), each answer shared by the packages it holds for."""

from __future__ import annotations

from collections.abc import Callable, Container, Sequence
from functools import partial
from typing import TYPE_CHECKING, Generic, Protocol, Self, TypeVar

from auditor.deps.coinstall import Apart, colour, shared_answers
from auditor.deps.provides import Architectures, host_arches

if TYPE_CHECKING:
    from auditor.rpm.model import Package


class _Group(Protocol):
    """What narrowing reads of a group (`auditor.deps.hops.Group`): a protocol, as this module
    needs no more of the group's vocabulary."""

    @property
    def members(self) -> tuple[int, ...]: ...

    def _replace(self, *, members: tuple[int, ...] = ..., excluded: int = ...) -> Self: ...


Group = TypeVar("Group", bound=_Group)

BUILT_ON = "src:"
"""Before a host's architecture, what `Viability` reads a source package's groups for: built there."""


class Viability(Generic[Group]):
    """Which providers of a group dnf could install for one package (`auditor.deps.coinstall`)."""

    def __init__(self, packages: Sequence[Package]) -> None:
        self.arches = [package.arch for package in packages]
        self.names = [package.name for package in packages]
        self.together = Architectures().together
        self._by_arch: dict[tuple[int, str], Group] = {}
        """(id of a shared group, a package's architecture) -> that group for such a package:
        the groups are shared by every package with the requirement, and so is the answer
        (made while the graph is built, when the shared groups are all alive: no other object
        takes their ids)."""
        self._by_apart: dict[tuple[int, str, frozenset[int]], Group] = {}
        """The same for a package apart from some, by what its answers depend on
        (`shared_answers`): n packages obsoleting the n providers of their requirement share one."""
        self._names: dict[int, frozenset[str]] = {}
        """id of a shared group -> the names of its members."""
        self.packages = packages
        self._others: dict[tuple[int, str, str, frozenset[int]], tuple[int, ...]] = {}
        """`_kept_beside_its_name`'s members of other names kept, by group, architecture, name
        and the shared sets the package is apart from."""
        self._by_version: dict[tuple[int, str], dict[tuple[int, str, str], list[int]] | None] = {}
        self._positions: dict[int, dict[int, int]] = {}

    def of(self, group: Group, arch: str, apart: Container[int] | None) -> Group:
        """``group`` for a package of ``arch`` that cannot be installed with ``apart``: without
        the providers dnf would not install for it.

        A group left empty stays whole: whether a requirement resolves is the resolver's answer
        (compared with libsolv's and dnf's), and the graph does not turn it into another status.
        """
        members = group.members
        if len(members) < 2:
            return group  # its one provider is kept, whatever it is
        if apart is None:
            if arch == "noarch":
                return group  # every host installs a noarch package beside any provider

            key = (id(group), arch)
            found = self._by_arch.get(key)
            if found is None:
                found = self._by_arch[key] = self._kept(group, arch, None)
            return found
        names = self._names.get(id(group))
        if names is None:
            names = self._names[id(group)] = frozenset(self.names[m] for m in members)
        answers = shared_answers(apart, names)
        if answers is None:
            if isinstance(apart, Apart):
                found = self._kept_beside_its_name(group, arch, apart)
                if found is not None:
                    return found
            return self._kept(group, arch, apart)
        shared = (id(group), arch, answers)
        found = self._by_apart.get(shared)
        if found is None:
            found = self._by_apart[shared] = self._kept(group, arch, apart)
        return found

    def _kept_beside_its_name(self, group: Group, arch: str, apart: Apart) -> Group | None:
        """`_kept` for a binary package, not installonly, whose answers depend on it because
        packages of its name are among the members: of those, only itself and the packages of
        its version (a multilib twin) can be kept (`SameName.apart`), and the other members'
        answer is shared by what ``apart`` refers to. n versions of a name each requiring that
        name were narrowed member by member, n x n. None where this does not hold (a source or
        installonly package, or a source package among the members of its name)."""
        siblings = apart.siblings
        package = siblings.packages[apart.index]
        if package.is_source or siblings.installonly(apart.index):
            return None
        by_version = self._of_name(group, package.name)
        if by_version is None:
            return None
        members, arches, goes = group.members, self.arches, self._goes_with(arch)
        key = (id(group), arch, package.name, frozenset(map(id, apart.among)))
        others = self._others.get(key)
        if others is None:
            names, name = self.names, package.name
            others = self._others[key] = tuple(
                m for m in members if names[m] != name and m not in apart and goes(arches[m])
            )
        version = (package.epoch or 0, package.version, package.release)
        # The architecture first: n packages of one version, each of its own architecture,
        # asked `apart` of each other n x n times where the architectures already part them.
        same = [m for m in by_version.get(version, ()) if goes(arches[m]) and m not in apart]
        if colour(package.arch) == 1:  # it takes a 64-bit package of its name of any version
            others_64 = (
                m for v, ms in by_version.items() if v != version for m in ms if colour(arches[m]) == 2
            )
            same += [m for m in others_64 if goes(arches[m]) and not any(m in among for among in apart.among)]
            same.sort(key=self._places(group).__getitem__)
        if same and others:
            place = self._places(group)
            kept = tuple(sorted((*others, *same), key=place.__getitem__))
        else:
            kept = others or tuple(same)
        if not kept or len(kept) == len(members):
            return group
        return group._replace(members=kept, excluded=len(members) - len(kept))

    def _of_name(self, group: Group, name: str) -> dict[tuple[int, str, str], list[int]] | None:
        """The members of ``group`` called ``name`` by version (in the group's order); None when
        one of them is a source package (`SameName.apart` answers those otherwise)."""
        key = (id(group), name)
        if key in self._by_version:
            return self._by_version[key]
        by_version: dict[tuple[int, str, str], list[int]] = {}
        named = [self.packages[member] for member in group.members]
        for member, other in zip(group.members, named, strict=True):
            if other.name == name:
                by_version.setdefault((other.epoch or 0, other.version, other.release), []).append(member)
        source = any(other.is_source and other.name == name for other in named)
        found = self._by_version[key] = None if source else by_version
        return found

    def _places(self, group: Group) -> dict[int, int]:
        """Where each member stands in ``group``: kept members are listed in its order."""
        found = self._positions.get(id(group))
        if found is None:
            found = self._positions[id(group)] = {member: place for place, member in enumerate(group.members)}
        return found

    def _goes_with(self, arch: str) -> Callable[[str], bool]:
        """Whether a package of an architecture can meet a requirement of a package of ``arch``:
        one a host installs beside it; for a source package built on a host (``src:HOST``), one
        that host installs."""
        if arch.startswith(BUILT_ON):
            host = arch[len(BUILT_ON) :]
            return host_arches([host]).__contains__
        return partial(self.together, arch)

    def _kept(self, group: Group, arch: str, apart: Container[int] | None) -> Group:
        members = group.members
        arches, goes = self.arches, self._goes_with(arch)
        kept = tuple(
            member for member in members if (apart is None or member not in apart) and goes(arches[member])
        )
        if not kept or len(kept) == len(members):
            return group
        return group._replace(members=kept, excluded=len(members) - len(kept))
