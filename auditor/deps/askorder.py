"""The order the clean-way check (`auditor.deps.cleanway`) asks its packages in, and what one
answer settles for the others.

A clean installation found for one package holds a provider of each requirement of each
package it holds, and nothing tainted or apart from another: each of those has a clean
installation too, that one, and needs no question of its own. Asking first the packages that
fewest packages require (those at the top of the graph, whose installations hold most) leaves
the fewest questions: on distro-60k, asking every package that may reach a mixed group walked
4.9 million requirements in 7.6 s, where asking them in the graph's order walked 8.4 million in
12.2 s.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Mapping, Sequence
from typing import Protocol, TypeVar

from auditor.deps.edges import Edges
from auditor.deps.hops import Group

Answer = TypeVar("Answer")


def from_the_top(asked: Iterable[int], edges: Edges, later: Container[int]) -> list[int]:
    """``asked``, the packages fewest packages require first; ``later`` (what only asking every
    package adds, `auditor.deps.askevery`) after the screen's choice, so that when the steps run
    out (`auditor.deps.cleanway.STEPS`) the screen's choice has been asked first, as before."""
    of_member, owners = edges.of_member, edges.owners

    def rank(package: int) -> tuple[bool, int]:
        return package in later, sum(len(owners[number]) for number in of_member.get(package, ()))

    return sorted(asked, key=rank)  # stable: the graph's order within one rank


def in_order(found: Mapping[int, Answer], asked: Iterable[int]) -> dict[int, Answer]:
    """``found`` in the order of ``asked``, whatever order the packages were asked in: what a
    round finds is listed, and chained, in the graph's order."""
    return {package: found[package] for package in asked if package in found}


def left_unasked(screened: Container[int], rest: Sequence[int], installed: Container[int]) -> frozenset[int]:
    """Of the screen's choice (``screened``), what ``rest`` leaves with no answer: those no clean
    installation found holds (``installed``)."""
    return frozenset(package for package in rest if package in screened and package not in installed)


class _View(Protocol):
    """What `witnessed` reads of `auditor.deps.cleanscreen.CleanView`."""

    @property
    def runtime(self) -> Mapping[int, Sequence[Group]]: ...

    @property
    def banning(self) -> Mapping[int, frozenset[int]]: ...

    @property
    def banned(self) -> frozenset[int]: ...

    def clean(self, group: Group) -> list[int]: ...


def witnessed(package: int, groups: Sequence[Group], held: Collection[int], view: _View) -> Iterable[int]:
    """What a clean installation found for ``package`` (``held``; ``groups``, what it was asked
    with) answers for: all it holds, but only ``package`` when it was asked spared its lock-step
    twins (`auditor.deps.hops.without_lock_step`): another it holds may take it as a dependency,
    which comes with its twin and all that needs (tests/deps/test_witness_review.py). Nothing when
    one of ``groups`` has no clean provider: the walk passed it by, as a requirement that taints
    its owner already (a source package asked whose build needs a tainted package), so what it
    found is no installation, and a check of fewer tainted packages may not take it as one
    (tests/deps/test_witness_passed_by.py). Nor one that bans a package held (`auditor.deps.infarch`)."""
    if any(not view.clean(group) for group in groups):
        return ()
    if any(group.lock_step for group in view.runtime.get(package, ())):
        return (package,)
    # Asked for itself, one that bans a package held can never hold it: the package asked held
    # it, lifting the ban for its name. Most walks hold nothing banned: no package is looked at.
    if view.banned.isdisjoint(held):
        return held
    held, banning = set(held), view.banning
    return {one for one in held if banning.get(one, frozenset()).isdisjoint(held)}
