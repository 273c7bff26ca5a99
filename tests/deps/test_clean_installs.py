"""Clean installations found under one tainted set answer only under a set within it."""

from __future__ import annotations

from auditor.deps.noclean import CleanInstalls


def test_installations_answer_only_where_fewer_packages_are_tainted() -> None:
    found = CleanInstalls.of({1, 2, 3}, [7, 8])
    assert found is not None
    assert found.answering({1, 3}) == {7, 8}
    assert found.answering({1, 2, 3}) == {7, 8}
    # One more tainted package may be what an installation holds: no answer.
    assert found.answering({1, 4}) == frozenset()
    # A container that cannot be compared whole answers nothing, and records nothing.
    assert found.answering(range(2)) == frozenset()
    assert CleanInstalls.of(range(3), [7]) is None
