"""Cases of the clean-way check run both ways it asks (`auditor.deps.askevery.ASK_EVERY`).

A run where at most `ASK_EVERY` packages may reach a mixed group asks each of them, and agrees
with libsolv; a larger one asks only the packages the screen chooses, which misses some (a
package that reaches a mixed group only through a choice between clean providers stays
`may-depend`). Each case runs both ways: the screen's known misses are strict xfails there, so
the day the screen finds them the test says so.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

import pytest
from _pytest.mark import ParameterSet

from auditor.deps import askevery

SCREEN_MISS = pytest.mark.xfail(
    strict=True,
    reason="the clean-way screen's documented miss (auditor.deps.cleanscreen), in a run past ASK_EVERY: "
    "a package that reaches a mixed group only through a choice between clean providers, or through "
    "a package it surely holds, is not asked, and stays may-depend",
)


def both_ways(cases: Iterable[Any], missed: Collection[Any] = ()) -> list[ParameterSet]:
    """Each case (a value, or a tuple of the test's values) with ``screen`` False (every package
    asked) and True (the screen's choice), those of ``missed`` xfail with the screen."""
    params = []
    for case in cases:
        values = case if isinstance(case, tuple) else (case,)
        name = "-".join(str(value) for value in values)
        params.append(pytest.param(*values, False, id=name))
        marks = [SCREEN_MISS] if case in missed else []
        params.append(pytest.param(*values, True, id=f"{name}-screen", marks=marks))
    return params


def screen_only(monkeypatch: pytest.MonkeyPatch, screen: bool) -> None:
    """With ``screen``, the run asks what the screen chooses, as one past `ASK_EVERY` does."""
    if screen:
        monkeypatch.setattr(askevery, "ASK_EVERY", 0)
