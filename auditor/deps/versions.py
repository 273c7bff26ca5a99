"""The versions of one name in rpm's order, so that a versioned query bisects instead of comparing each.

A requirement, Conflicts or Obsoletes ``x < 1.0-K`` is met by the providers of ``x`` whose
version `auditor.rpm.evr.ranges_overlap` puts in range: compared one by one, n such
queries with distinct ranges over n versions of ``x`` cost n x n comparisons (a hostile
repository of 3,000 versions and 3,000 obsoleters took 23 s). An entry ``x = EVR`` (a
package's own name, a versioned Provides) matches a range on one side of a boundary in rpm's
order, so the entries sorted once answer each query by bisection:

- an entry whose epoch and version are below the query's matches it iff the query's operator
  takes less (``<``, ``<=``); above, iff it takes more (``>``, ``>=``);
- an entry with the query's epoch and version (as rpmvercmp compares them: ``1.0``, ``1_0``
  and ``01.0`` are one) matches by its release: when both have one, as the releases compare;
  when only the query has one, always (rpm's ``rpmdsCompare``: a side without a release
  matches any release of the other when it includes equality, and an ``=`` entry does);
  otherwise iff the operator includes equality.

rpmvercmp compares the two strings' runs of digits and of letters, ``~`` and ``^``, in order,
each kind ranked against the others: a total preorder, which is what sorting needs. The tests
hold every answer to the comparison one by one (`tests/deps/test_versions.py`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from functools import cmp_to_key

from auditor.rpm.evr import rpmvercmp
from auditor.rpm.model import EVR, Op

BISECT_FROM = 24
"""Entries of one name from which a versioned query bisects: below, comparing each is as fast."""

_LESS = frozenset({Op.LT, Op.LE})
_MORE = frozenset({Op.GT, Op.GE})
_EQUAL = frozenset({Op.LE, Op.EQ, Op.GE})


def _compare_epoch_version(a: EVR, b: EVR) -> int:
    epoch_a, epoch_b = a.epoch or 0, b.epoch or 0
    if epoch_a != epoch_b:
        return -1 if epoch_a < epoch_b else 1
    return rpmvercmp(a.version, b.version)


_RELEASE_ORDER = cmp_to_key(rpmvercmp)
_VERSION_ORDER = cmp_to_key(_compare_epoch_version)


class _SameVersion:
    """The entries of one epoch and version: those without a release, and the others by release."""

    __slots__ = ("evr", "release_keys", "released", "unreleased")

    def __init__(self, evr: EVR, entries: list[tuple[int, EVR]]) -> None:
        self.evr = evr
        self.unreleased = [index for index, evr in entries if not evr.release]
        with_release = sorted(
            ((_RELEASE_ORDER(evr.release), index) for index, evr in entries if evr.release),
            key=lambda pair: pair[0],
        )
        self.release_keys = [key for key, _ in with_release]
        self.released = [index for _, index in with_release]

    def matching(self, op: Op, release: str | None) -> list[int]:
        if not release:
            return [*self.unreleased, *self.released] if op in _EQUAL else []
        probe = _RELEASE_ORDER(release)
        low, high = bisect_left(self.release_keys, probe), bisect_right(self.release_keys, probe)
        found = list(self.unreleased)  # "x = 1.0" meets "x < 1.0-5": rpm compares no release
        if op in _LESS:
            found += self.released[:low]
        if op in _EQUAL:
            found += self.released[low:high]
        if op in _MORE:
            found += self.released[high:]
        return found


class VersionIndex:
    """Entries ``(index, EVR)`` of one name, each an ``= EVR`` (see the module's rules), sorted."""

    __slots__ = ("_groups", "_keys", "_order", "_starts")

    def __init__(self, entries: Sequence[tuple[int, EVR]]) -> None:
        ordered = sorted(entries, key=lambda entry: _VERSION_ORDER(entry[1]))
        groups: list[_SameVersion] = []
        starts: list[int] = []
        first = 0
        for position in range(1, len(ordered) + 1):
            if position == len(ordered) or _compare_epoch_version(ordered[first][1], ordered[position][1]):
                starts.append(first)
                groups.append(_SameVersion(ordered[first][1], list(ordered[first:position])))
                first = position
        self._groups = groups
        self._starts = starts
        self._order = [index for index, _ in ordered]
        self._keys = [_VERSION_ORDER(group.evr) for group in groups]

    def matching(self, op: Op, evr: EVR) -> list[int]:
        """The indexes of the entries ``op evr`` matches, in no particular order."""
        probe = _VERSION_ORDER(evr)
        low, high = bisect_left(self._keys, probe), bisect_right(self._keys, probe)
        found: list[int] = []
        if op in _LESS:
            found += self._order[: self._starts[low]] if low < len(self._starts) else self._order
        for group in self._groups[low:high]:  # one at most: the groups' versions differ
            found += group.matching(op, evr.release)
        if op in _MORE and high < len(self._starts):
            found += self._order[self._starts[high] :]
        return found
