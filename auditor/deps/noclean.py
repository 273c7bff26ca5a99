"""What the clean-way check (`auditor.deps.cleanway`) answers: for each package with no clean
installation, which the chains (`auditor.deps.chains`) show, the steps an installation must
take and the requirement they leave with tainted providers only; and what it left unasked."""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from auditor.deps.hops import Group


@dataclass(frozen=True)
class Step:
    """One step of what an installation must hold: ``owner`` requires ``group``, whose one
    provider left is ``target``."""

    owner: int
    group: Group
    target: int


Taken = tuple[int, Group, int]
"""A `Step` as a walk of `auditor.deps.cleanway` keeps it, (owner, group, target): made a
`Step` only for an answer. A frozen dataclass takes 0.7 µs to build, a tuple 0.01; a walk takes
a step for each package it holds (distro-60k: 160,000 in all, 0.12 s as `Step`)."""


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


NOBODY_NEEDS: Mapping[int, NoCleanWay] = MappingProxyType({})
"""No origin package found needing another (`CleanWays.origin_needs`)."""


@dataclass(frozen=True)
class CleanWays:
    """What `auditor.deps.cleanway.without_clean_way` found, and the packages it had to leave
    unasked (`auditor.deps.cleanway.STEPS`)."""

    found: dict[int, NoCleanWay]
    unasked: frozenset[int] = frozenset()
    screened_only: bool = False
    """Only the screen's choice was asked (`auditor.deps.askevery.ASK_EVERY`): a package it
    misses may say may-depend where it has no clean installation."""
    installed: CleanInstalls | None = None
    """What the clean installations it found hold, for a later check (`CleanInstalls`)."""
    origin_needs: Mapping[int, NoCleanWay] = field(default_factory=dict)
    """The origin packages asked with no installation free of every other tainted package: kept
    apart from ``found``, as each is tainted already (`auditor.deps.chains.runtime_chains`)."""


@dataclass(frozen=True)
class CleanInstalls:
    """The packages a clean installation was found to hold, none of ``tainted`` in it: each has
    one whatever fewer packages are tainted, the same installation. The run's first check, with
    every origin package tainted, answers so for the check of each category alone
    (`auditor.deps.propagation`), whose tainted packages are among them: on distro-60k, its
    second pass asked nothing again."""

    tainted: frozenset[int]
    packages: frozenset[int]

    @staticmethod
    def of(tainted: Container[int], packages: Iterable[int]) -> CleanInstalls | None:
        """``packages``, held by clean installations with none of ``tainted`` (a set) in them."""
        if not isinstance(tainted, (set, frozenset)):
            return None
        return CleanInstalls(frozenset(tainted), frozenset(packages))

    def answering(self, tainted: Container[int]) -> frozenset[int]:
        """The packages these installations hold when each of ``tainted`` (a set) is among
        theirs, and none otherwise."""
        answers = isinstance(tainted, (set, frozenset)) and tainted <= self.tainted
        return self.packages if answers else frozenset()


class OutOfSteps(Exception):
    """A search through choices went past `auditor.deps.cleanway.STEPS`: the package is left
    unasked."""
