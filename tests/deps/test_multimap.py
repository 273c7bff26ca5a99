"""The index's multimap: one value without a list, more in a list, in the order added."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from auditor.deps.provides import Multimap


@given(st.lists(st.tuples(st.sampled_from(["a", "b", "", "c"]), st.integers(-2, 2))))
def test_a_multimap_gives_what_a_dict_of_lists_gives(pairs: list[tuple[str, int]]) -> None:
    made: Multimap[str, int] = Multimap()
    expected: dict[str, list[int]] = {}
    for key, value in pairs:
        made.add(key, value)
        expected.setdefault(key, []).append(value)
    for key in ("a", "b", "", "c", "never"):
        assert list(made.get(key)) == expected.get(key, [])
    assert len(made) == len(expected)
