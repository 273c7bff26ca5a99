"""The vocabulary of the evidence a dependency graph gives: why one package needs another
(`HopKind`), one step of a chain (`Hop`), a chain shared with every chain through it (`Chain`),
a package's verdict with its chain (`PackageVerdict`), and one requirement's alternatives
(`Group`). The graph that makes them is `auditor.deps.graph`; the propagation that walks them,
`auditor.deps.propagation`; the reports read them without either.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, overload

from auditor.origin.findings import Verdict
from auditor.rpm.model import Dependency


class HopKind(enum.StrEnum):
    """Why one package of a chain needs the next (a string enum: reports write its value)."""

    REQUIRES = "requires"
    BUILD_REQUIRES = "buildrequires"
    BUILT_FROM = "built-from"
    """A binary package and the source package it was built from."""


@dataclass(frozen=True, slots=True)
class Hop:
    """One step of an explanation chain: ``source`` needs ``target`` because of ``requirement``."""

    source: int
    target: int
    kind: HopKind
    requirement: str
    alternatives: int = 1
    """How many packages could satisfy the requirement."""
    tainted: int = 1
    """How many of those are tainted (all of them for ``depends``, some for ``may-depend``)."""
    excluded: int = 0
    """Providers not counted in ``alternatives``: they cannot be installed with ``source``."""
    hidden_on_some_hosts: int = 0
    """Of ``alternatives``, those some hosts lack (one reader of their repository's configuration
    hides them, or only yum installs their architecture): counted as providers, and no way
    around a tainted one (`Resolved.present_on`)."""


class Chain(Sequence[Hop]):
    """A chain of hops as a linked list: its first hop, then the rest, which is the chain of the
    hop's target (to the same origin package), shared with every chain that runs through it.

    A chain of n packages held as n tuples would hold n(n+1)/2 hops: a Requires chain of 30,000
    packages is 450 million. Held this way, a run's chains hold one hop per package per chain
    kept. Its length and last hop (the origin end) are known without walking it; indexing any
    other hop walks it, so a format reads the hops it shows (`head`), not every one.
    """

    __slots__ = ("_length", "first", "last", "rest")

    def __init__(self, first: Hop, rest: Chain | None = None) -> None:
        self.first = first
        self.rest = rest
        if rest is None:
            self._length = 1
            self.last = first
        else:
            self._length = rest._length + 1
            self.last = rest.last

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[Hop]:
        cell: Chain | None = self
        while cell is not None:
            yield cell.first
            cell = cell.rest

    def __reversed__(self) -> Iterator[Hop]:
        return reversed(list(self))

    @overload
    def __getitem__(self, index: int) -> Hop: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Hop, ...]: ...
    def __getitem__(self, index: int | slice) -> Hop | tuple[Hop, ...]:
        if isinstance(index, slice):
            start, stop, step = index.indices(self._length)
            if step == 1 and start == 0:
                return self.head(stop)
            return tuple(self)[index]
        if index == -1 or index == self._length - 1:
            return self.last
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        cell = self
        for _ in range(index):
            assert cell.rest is not None
            cell = cell.rest
        return cell.first

    def head(self, count: int) -> tuple[Hop, ...]:
        """The first ``count`` hops (all of them when it has fewer), walking no further."""
        hops: list[Hop] = []
        cell: Chain | None = self
        while cell is not None and len(hops) < count:
            hops.append(cell.first)
            cell = cell.rest
        return tuple(hops)

    def after(self, count: int) -> Chain | None:
        """The chain after its first ``count`` hops: the rest a format that shortens it leaves out."""
        cell: Chain | None = self
        for _ in range(count):
            if cell is None:
                break
            cell = cell.rest
        return cell

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if isinstance(other, Chain):
            if other._length != self._length or other.last != self.last:
                return False
            return all(a == b for a, b in zip(self, other, strict=True))
        if isinstance(other, tuple):
            return len(other) == self._length and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        # Equal chains have equal lengths and ends: hashing every hop would walk the chain.
        return hash((self._length, self.first, self.last))

    def __repr__(self) -> str:
        return f"Chain({len(self)} hops from {self.first.source} to {self.last.target})"


@dataclass(frozen=True, slots=True)
class PackageVerdict:
    verdict: Verdict
    chain: Sequence[Hop] = ()


class Group(NamedTuple):
    """One requirement's alternatives: any one of ``members`` satisfies it.

    A group is shared by every package with that requirement, as the resolver shares its
    answer: a distribution has a quarter of a million requirements and a fifth as many
    distinct ones. The package it belongs to is the key it is listed under.
    """

    kind: HopKind
    dependency: Dependency
    members: tuple[int, ...]
    excluded: int = 0
    """Providers left out of ``members``: the package cannot be installed with them."""
    rough: bool = False
    """The requirement was read past a bound (`auditor.deps.rich.MAX_CLAUSES`): its groups may
    claim a provider needed that a way around does without; every hop through it says so."""
    every_host: bool = False
    """A group of a requirement under a condition that it needs whichever way its conditions
    go (`auditor.deps.resolution.Resolution.every_host`): it binds as a plain one does."""
    trigger: frozenset[int] = frozenset()
    """Packages whose presence makes a group that does not bind (under a condition) needed:
    the clean-way search takes it once it holds one (`auditor.deps.triggers`)."""
    lock_step: bool = False
    """The twins dnf installs a package of an inferior architecture with
    (`auditor.deps.hosts.lock_step_twins`): told apart by this flag, never by its name, which a
    repository's metadata could write for a requirement of its own."""


LOCK_STEP = "dnf's multilib lock-step with "
"""How the group of a package's lock-step twins is named in a hop (`auditor.deps.hosts.lock_step_twins`)."""


def without_lock_step(groups: Sequence[Group]) -> Sequence[Group]:
    """``groups`` but a lock-step one: dnf spares the package it installs by name its twins."""
    if not any(group.lock_step for group in groups):
        return groups
    return [group for group in groups if not group.lock_step]
