"""The versions of a name bisected (`auditor.deps.versions`) answer as comparing each one does.

The authority is `auditor.rpm.evr.ranges_overlap` (a port of rpm's ``rpmdsCompare``, tested
against rpm itself in tests/rpm/test_rpmver.py): every query must match exactly the entries
it says overlap. The strings are drawn from what makes rpmvercmp interesting: digit and letter
runs, separators it skips (``1.0``, ``1_0`` and ``01.0`` compare equal), ``~`` and ``^``,
non-ASCII letters (separators to rpm), and empty or absent releases.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditor.deps.versions import VersionIndex
from auditor.rpm.evr import ranges_overlap
from auditor.rpm.model import EVR, Op

_PIECES = st.sampled_from(
    ["0", "00", "1", "01", "2", "10", "9", "a", "b", "rc", "A", ".", "_", "~", "^", "+", "é"]
)
_TEXT = st.lists(_PIECES, max_size=5).map("".join)
_EVRS = st.builds(
    EVR,
    st.sampled_from([None, 0, 1, 2]),
    _TEXT,
    st.one_of(st.none(), st.just(""), _TEXT),
)
_OPS = st.sampled_from(list(Op))


def _one_by_one(entries: list[tuple[int, EVR]], op: Op, evr: EVR) -> list[int]:
    return sorted(index for index, entry in entries if ranges_overlap(Op.EQ, entry, op, evr))


@given(st.lists(_EVRS, max_size=40), st.lists(st.tuples(_OPS, _EVRS), min_size=1, max_size=8))
def test_every_query_matches_what_comparing_each_entry_matches(
    evrs: list[EVR], queries: list[tuple[Op, EVR]]
) -> None:
    entries = list(enumerate(evrs))
    index = VersionIndex(entries)
    for op, evr in queries:
        found = index.matching(op, evr)
        assert len(found) == len(set(found)), "an entry given twice"
        assert sorted(found) == _one_by_one(entries, op, evr), (op, evr)


def test_a_version_spelled_three_ways_is_one_version() -> None:
    entries = [
        (0, EVR(None, "1.0", "1")),
        (1, EVR(0, "1_0", "2")),
        (2, EVR(None, "01.0", None)),
        (3, EVR(None, "1.1", "1")),
    ]
    index = VersionIndex(entries)
    assert (
        sorted(index.matching(Op.LT, EVR(None, "1.0", "2")))
        == [0, 2]
        == _one_by_one(entries, Op.LT, EVR(None, "1.0", "2"))
    )
    assert sorted(index.matching(Op.EQ, EVR(None, "1.0", None))) == [0, 1, 2]
    assert sorted(index.matching(Op.GT, EVR(None, "1.0", None))) == [3]


def test_distinct_ranges_over_many_versions() -> None:
    """The hostile shape the index is for: n versions, n ranges ``< 1.0-K``: each query its K - 1."""
    entries = [(k, EVR(None, "1.0", str(k))) for k in range(1, 401)]
    index = VersionIndex(entries)
    for k in (1, 2, 200, 400, 401):
        assert sorted(index.matching(Op.LT, EVR(None, "1.0", str(k)))) == list(range(1, k))
