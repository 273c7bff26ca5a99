"""Backjumping for `auditor.deps.cleanway`'s search: back to the choice a dead end depends on.

The search walks from a package, taking what it must hold, and where a requirement leaves
several clean providers it makes a choice (its picks say which option of each); a walk that
meets a requirement it cannot meet tries other picks. Going back one choice at a time tries
every option of every later choice before the one that led there: XCP-ng's spec files of three
branches at once, three versions of most names, made one package 16,385 walks (2^14: its dead
end came from a choice made before fourteen others of two options each), 30 s, where the
answer needs a handful.

Each package a walk holds carries the choices that put it there, as a bit mask of their
positions (its reason): the choice that took it; else the reason of the package whose
requirement it meets, with those of the packages that ruled out the requirement's other clean
providers. A requirement the walk cannot meet blames its owner's reason and the reasons of what
rules out each of its clean providers (`Walk.conflict`); the search goes back to the last of
those choices at once (`Choices.after`), and when every option of a choice has failed, to the
last choice that any of their conflicts, or the choice's own existence, depends on:
conflict-directed backjumping (Prosser, 1993), the step SAT solvers build their learning on.

Why no walk it skips can find an installation: a reason is exact only where it does not depend
on the order the walk takes things in. A package ruled out by another is so either way only when
the two rule each other out (a Conflicts, an Obsoletes, one name; but not a multilib pair of two
versions, apart one way only: `auditor.deps.coinstall.SameName`), and a group under a condition
is met only once what triggers it is held. Where that does not hold, the reason is every choice
made so far (`anything`): every walk that makes those same choices is the same walk up to that
point. A jump skips only walks that share every choice below the one it goes back to.
"""

from __future__ import annotations

from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass

from auditor.deps.hops import Group
from auditor.deps.noclean import NoCleanWay, Taken


@dataclass(frozen=True)
class Walk:
    """One walk of `auditor.deps.cleanway`'s search: ``answer``, a requirement left with tainted
    providers only; else whether it ``found`` an installation. ``options``: how many providers
    each choice it made had, in order; ``first`` the first's owner and group; ``held`` what it
    held, with each's step."""

    answer: NoCleanWay | None
    found: bool
    options: list[int]
    first: tuple[int, Group] | None
    held: Mapping[int, Taken | None]
    needs: list[int]
    """For each choice, the choices (a reason, as above) that made it one to make: that
    held its group's owner and ruled out the group's other clean members."""
    conflict: int
    """When it found no installation, the choices that led to the requirement it could not meet:
    that held its owner and ruled out its clean members (-1 when it found one)."""


class NotInstallable(Exception):
    """A walk found the package not installable with its tainted providers either."""


def anything(made: int) -> int:
    """The reason of a package taken after ``made`` choices, when it is not known more exactly."""
    return (1 << made) - 1


def rules_out(
    one: int,
    member: int,
    package: int,
    apart_from: Mapping[int, Container[int]],
    reason: Mapping[int, int],
    made: int,
) -> int:
    """The reason ``one``, held, rules ``member`` out (``one`` is in ``member``'s `Apart`):
    ``one``'s own when the two rule each other out; ``package``, the one asked, is held before
    anything and rules out what its own `Apart` holds (its BuildConflicts one way) in every walk."""
    if one == package:
        return 0
    if member in apart_from[one]:
        return reason[one]
    return anything(made)


class Choices:
    """The picks of the search's next walk, from what each walk that found nothing blamed."""

    def __init__(self, options: Sequence[int]) -> None:
        self.picks = [0] * len(options)
        """For each choice, in order, which of its options the next walk takes."""
        self._conflicts: dict[int, int] = {}
        """choice -> the earlier choices the failures of its options tried so far depend on."""

    def after(self, walk: Walk) -> bool:
        """Move to the picks after ``walk``, which found nothing (its choices, and what they and its
        dead end depend on). False when no walk is left that can find an installation."""
        picks, conflicts = self.picks, self._conflicts
        options, needs, conflict = walk.options, walk.needs, walk.conflict
        if conflict < 0:  # not known: the last choice, and on
            conflict = anything(len(options))
        while conflict:
            last = conflict.bit_length() - 1
            for later in [one for one in conflicts if one > last]:
                del conflicts[later]  # the next walks go another way there
            conflicts[last] = conflicts.get(last, 0) | (conflict & ~(1 << last))
            del picks[last + 1 :]
            if picks[last] + 1 < options[last]:
                picks[last] += 1
                return True
            # Every option failed: the choice blames what its failures and its own making depend on.
            conflict = conflicts.pop(last) | needs[last]
            picks.pop()
        return False

    def extend(self, options: Sequence[int]) -> None:
        """Take the first option of each choice the last walk made past the picks."""
        self.picks += [0] * (len(options) - len(self.picks))
